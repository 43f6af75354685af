import { describe, expect, it } from 'vitest';
import { metadataValue } from '../../src/data-processing/storage-moves.js';

describe('failure reason as blob metadata', () => {
  it('percent-encodes the reason to ASCII and cuts a long one without splitting a character in two', () => {
    expect(metadataValue('quantity: must be > 0\nline 2')).toBe(encodeURIComponent('quantity: must be > 0\nline 2'));
    // The cut falls between the two UTF-16 halves of the emoji: encodeURIComponent throws on half of one.
    const value = metadataValue(`${'x'.repeat(999)}😀 and more`);
    expect(decodeURIComponent(value)).toBe('x'.repeat(999));
    expect(value).toMatch(/^[\x21-\x7e]+$/);
  });
});
