// Numbers as an operator reads them: Japanese numbers in national form, an extension after them.
import { describe, expect, it } from 'vitest';
import { nationalPhone } from './format';
import { lang } from './i18n';

describe('nationalPhone', () => {
  it('shows a Japanese number in national form with its area code', () => {
    expect(nationalPhone('+81312345678')).toBe('03-1234-5678');
    expect(nationalPhone('+819012345678')).toBe('090-1234-5678');
    expect(nationalPhone('+81120123456')).toBe('0120-123-456');
  });

  it('shows the extension a record keeps after the number', () => {
    lang.value = 'ja';
    expect(nationalPhone('+81312345678;ext=123')).toBe('03-1234-5678 内線 123');
    lang.value = 'en';
    expect(nationalPhone('+81312345678;ext=123')).toBe('03-1234-5678 ext. 123');
    lang.value = 'ja';
  });

  it('leaves a number of another country as it is, and nothing as nothing', () => {
    expect(nationalPhone('+390669821234')).toBe('+390669821234');
    expect(nationalPhone(null)).toBe('');
  });
});
