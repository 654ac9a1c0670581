// The page's words in two parts: the first load's dictionary (i18n.ts) and the words of the parts
// fetched on demand (i18nParts.ts), which t() reads once withPartTexts has brought them.
import { describe, expect, it } from 'vitest';
import { hasMessage, lang, t, withPartTexts } from './i18n';
import { partMessages } from './i18nParts';

describe('the words of the parts fetched on demand', () => {
  it('are not in the first load, each key in one place only, and read by t() once fetched', async () => {
    lang.value = 'ja';
    const keys = Object.keys(partMessages);
    expect(keys.length).toBeGreaterThan(100);
    // Before they are fetched no key of theirs is known: none is also in the first load's dictionary.
    expect(keys.filter((k) => hasMessage(k))).toEqual([]);
    expect(t('transfer.title')).toBe('transfer.title');
    expect(t('app.retry')).toBe('再試行');

    const loaded = await withPartTexts(Promise.resolve('the part'));
    expect(loaded).toBe('the part');
    expect(keys.filter((k) => !hasMessage(k))).toEqual([]);
    expect(t('transfer.title')).toBe('転送');
    lang.value = 'en';
    expect(t('transfer.title')).toBe('Transfer');
    lang.value = 'ja';
  });
});
