/**
 * MurmurHash3 x86 32-bit over the UTF-8 bytes of a key.
 *
 * This sits on the producer's hot path (one call per message), so strings are
 * hashed straight from their char codes: an all-ASCII string is its own UTF-8
 * encoding, and anything else is encoded by hand into a reused scratch buffer.
 * No Buffer, TextEncoder or native call per key.
 */

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

// Grows on demand and is never shrunk: keys are short, and reusing it keeps
// the non-ASCII path free of allocations.
let scratch = new Uint8Array(256);

function mixBlock(h: number, k: number): number {
  k = Math.imul(k, C1);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, C2);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function mixTail(h: number, k: number): number {
  k = Math.imul(k, C1);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, C2);
  return h ^ k;
}

/** The murmur3 finaliser; also a good 32-bit integer mixer on its own. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function hashBytes(bytes: Uint8Array, length: number, seed: number): number {
  let h = seed | 0;
  const blocks = length & ~3;
  let i = 0;
  for (; i < blocks; i += 4) {
    const k =
      bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
    h = mixBlock(h, k);
  }
  switch (length & 3) {
    case 3:
      h = mixTail(h, bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16));
      break;
    case 2:
      h = mixTail(h, bytes[i]! | (bytes[i + 1]! << 8));
      break;
    case 1:
      h = mixTail(h, bytes[i]!);
      break;
  }
  return fmix32(h ^ length);
}

/**
 * Hashes an ASCII string from its char codes. Returns -1 (never a valid
 * unsigned hash) as soon as it meets a non-ASCII char, so the caller can
 * fall back to the UTF-8 path; ASCII is checked per block, not up front, so
 * the common case reads each char once.
 */
function hashAscii(key: string, seed: number): number {
  const length = key.length;
  let h = seed | 0;
  const blocks = length & ~3;
  let i = 0;
  for (; i < blocks; i += 4) {
    const a = key.charCodeAt(i);
    const b = key.charCodeAt(i + 1);
    const c = key.charCodeAt(i + 2);
    const d = key.charCodeAt(i + 3);
    if ((a | b | c | d) > 0x7f) return -1;
    h = mixBlock(h, a | (b << 8) | (c << 16) | (d << 24));
  }
  const rest = length - i;
  if (rest > 0) {
    const a = key.charCodeAt(i);
    const b = rest > 1 ? key.charCodeAt(i + 1) : 0;
    const c = rest > 2 ? key.charCodeAt(i + 2) : 0;
    if ((a | b | c) > 0x7f) return -1;
    h = mixTail(h, a | (b << 8) | (c << 16));
  }
  return fmix32(h ^ length);
}

/**
 * UTF-8 encodes `key` into the scratch buffer and returns the byte count.
 * Lone surrogates become U+FFFD, as TextEncoder and Buffer.from do, so the
 * hash matches what a producer would send as the key's bytes.
 */
function encodeUtf8(key: string): number {
  const worst = key.length * 3;
  if (scratch.length < worst) scratch = new Uint8Array(Math.max(worst, scratch.length * 2));
  const out = scratch;
  let n = 0;
  for (let i = 0; i < key.length; i++) {
    let c = key.charCodeAt(i);
    if (c < 0x80) {
      out[n++] = c;
    } else if (c < 0x800) {
      out[n++] = 0xc0 | (c >> 6);
      out[n++] = 0x80 | (c & 0x3f);
    } else {
      if (c >= 0xd800 && c <= 0xdfff) {
        const next = i + 1 < key.length ? key.charCodeAt(i + 1) : 0;
        if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
          const cp = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
          i++;
          out[n++] = 0xf0 | (cp >> 18);
          out[n++] = 0x80 | ((cp >> 12) & 0x3f);
          out[n++] = 0x80 | ((cp >> 6) & 0x3f);
          out[n++] = 0x80 | (cp & 0x3f);
          continue;
        }
        c = 0xfffd;
      }
      out[n++] = 0xe0 | (c >> 12);
      out[n++] = 0x80 | ((c >> 6) & 0x3f);
      out[n++] = 0x80 | (c & 0x3f);
    }
  }
  return n;
}

/**
 * MurmurHash3 x86 32-bit of the key's UTF-8 bytes (a string is encoded as
 * UTF-8; a Uint8Array, e.g. a Buffer, is taken as the bytes themselves).
 * Returns an unsigned 32-bit integer.
 */
export function murmur3(key: string | Uint8Array, seed = 0): number {
  if (typeof key === 'string') {
    const h = hashAscii(key, seed);
    if (h >= 0) return h;
    // Encode first: it may replace the scratch buffer with a larger one.
    const length = encodeUtf8(key);
    return hashBytes(scratch, length, seed);
  }
  return hashBytes(key, key.length, seed);
}
