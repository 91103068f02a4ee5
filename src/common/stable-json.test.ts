import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { shortHash } from './stable-json.js';

describe('shortHash', () => {
  it('is the first 12 hex characters of sha256 over the parts joined by NUL (fingerprints never change)', () => {
    for (const parts of [[''], ['a'], ['missing-memory-limit', 'Deployment', 'shop', 'web', 'container:app'], ['é', '😀', 'x'.repeat(10_000)]]) {
      expect(shortHash(...parts)).toBe(createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 12));
    }
    expect(shortHash('a', 'b')).toBe('59b271ae1bbc');
  });
});
