import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeHeaderValue, isValidHeaderName } from './header-encoding.js';

describe('encodeHeaderValue', () => {
  it('leaves plain printable ASCII alone', () => {
    expect(encodeHeaderValue('user-42:a/b')).toBe('user-42:a/b');
  });

  it('encodes spaces, percent, control and non-ASCII characters', () => {
    expect(encodeHeaderValue('a b%\n')).toBe('a%20b%25%0A');
    expect(encodeHeaderValue('é')).toBe('%C3%A9');
  });

  it('always yields a valid header value that decodes back to the UTF-8 of the input', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const encoded = encodeHeaderValue(s);
        expect(encoded).toMatch(/^[\x21-\x7e]*$/);
        expect(Buffer.from(decodeURIComponent(encoded), 'utf8')).toEqual(Buffer.from(s, 'utf8'));
      }),
    );
  });
});

describe('isValidHeaderName', () => {
  it('accepts tokens and rejects the rest', () => {
    expect(isValidHeaderName('x-trace_id.1')).toBe(true);
    expect(isValidHeaderName('bad name')).toBe(false);
    expect(isValidHeaderName('')).toBe(false);
    expect(isValidHeaderName('é')).toBe(false);
  });
});
