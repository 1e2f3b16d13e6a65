import { describe, expect, it } from 'vitest';
import { octets } from './telechargement';

describe('octets', () => {
  it('decodes base64 as the backend encodes it (RFC 4648 vectors)', () => {
    const cas: [string, string][] = [['', ''], ['Zg==', 'f'], ['Zm8=', 'fo'], ['Zm9vYmFy', 'foobar']];
    for (const [b64, texte] of cas) {
      expect(new TextDecoder().decode(octets(b64))).toBe(texte);
    }
  });

  it('keeps the bytes of a PDF header', () => {
    expect(Array.from(octets('JVBERi0=').slice(0, 5))).toEqual([0x25, 0x50, 0x44, 0x46, 0x2d]);
  });
});
