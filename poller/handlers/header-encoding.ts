// Message keys and header values may hold any characters, but an HTTP header
// value may not (Node rejects control characters and mangles non-Latin-1).
// So every value ringleader forwards to a sidecar is percent-encoded UTF-8:
// bytes outside printable ASCII (0x21-0x7E), and '%' itself, become %XX.
// A receiver recovers the original with decodeURIComponent(value).

const HEX = '0123456789ABCDEF';

export function encodeHeaderValue(value: string): string {
  if (isPlainHeaderSafe(value)) return value;
  const bytes = Buffer.from(value, 'utf8');
  let out = '';
  for (const b of bytes) {
    if (b > 0x20 && b < 0x7f && b !== 0x25) out += String.fromCharCode(b);
    else out += `%${HEX[b >> 4]}${HEX[b & 15]}`;
  }
  return out;
}

function isPlainHeaderSafe(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f || c === 0x25) return false;
  }
  return true;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Header names must be RFC 9110 tokens; others cannot be sent at all. */
export function isValidHeaderName(name: string): boolean {
  return TOKEN.test(name);
}
