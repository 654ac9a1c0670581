import { describe, expect, it } from 'vitest';
import { DEFAULT_SHORTCUTS, actionOf, comboOf } from './shortcuts';

const key = (code: string, mods: Partial<Record<'ctrlKey' | 'altKey' | 'shiftKey' | 'metaKey', boolean>> = {}) => ({
  code,
  ctrlKey: false,
  altKey: false,
  shiftKey: false,
  metaKey: false,
  ...mods,
});

describe('keyboard shortcuts', () => {
  it('write a key press as the combination the admin set, from the physical key', () => {
    expect(comboOf(key('KeyM', { ctrlKey: true, altKey: true }))).toBe('Ctrl+Alt+M');
    expect(comboOf(key('Digit1', { altKey: true, shiftKey: true }))).toBe('Alt+Shift+1');
    expect(comboOf(key('F9'))).toBe('F9');
    expect(comboOf(key('Enter', { ctrlKey: true }))).toBeNull();
    expect(comboOf(key('F13'))).toBeNull();
  });

  it('find the action of a combination, and none for a turned-off one', () => {
    expect(actionOf('Ctrl+Alt+M', DEFAULT_SHORTCUTS)).toBe('mute');
    expect(actionOf('Ctrl+Alt+A', DEFAULT_SHORTCUTS)).toBe('answer');
    expect(actionOf('Ctrl+M', DEFAULT_SHORTCUTS)).toBeNull();
    expect(actionOf('', { ...DEFAULT_SHORTCUTS, hold: '' })).toBeNull();
  });
});
