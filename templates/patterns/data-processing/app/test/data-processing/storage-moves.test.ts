import { describe, expect, it } from 'vitest';
import { metadataValue } from '../../src/data-processing/storage-moves.js';

describe('failure reason as blob metadata', () => {
  it('percent-encodes the reason to ASCII and cuts a long one without splitting a character in two', () => {
    expect(metadataValue('quantity: must be > 0\nline 2')).toBe(encodeURIComponent('quantity: must be > 0\nline 2'));
    // The cut falls between the two UTF-16 halves of the emoji: encodeURIComponent throws on half of one.
    const value = metadataValue(`${'x'.repeat(799)}😀 and more`);
    expect(decodeURIComponent(value)).toBe('x'.repeat(799));
    expect(value).toMatch(/^[\x21-\x7e]+$/);
  });

  it('keeps the reason within the 8 KiB Azure allows for a blob\'s metadata, names included, whatever its characters', () => {
    // Percent-encoded, a character of Japanese text takes 9 ASCII characters: 1,000 of them would take 9,000.
    for (const reason of ['Invalid Opening Quote: value is "注文"'.padEnd(5_000, '注'), 'x'.repeat(5_000), '😀'.repeat(2_500)]) {
      expect('failureReason'.length + metadataValue(reason).length).toBeLessThanOrEqual(8 * 1024);
    }
  });
});
