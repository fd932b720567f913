import type { Parsed } from './znodes.js';

/**
 * A set of ranges as a short string, for a poller's assignment znode
 * (docs/design.md, "ZooKeeper layout"): either runs such as `0-3,9,12-40`,
 * or, when that is longer, `b64:` and a bitmap of R bits (bit r of byte r>>3,
 * least significant first) in base64; a bitmap written for a smaller R (before
 * a resize) reads as the same ranges. The bitmap bounds the text at
 * ceil(R/8)*4/3 + 4 characters: 10,928 at R = 65,536, however the ranges lie.
 */
const BITMAP_PREFIX = 'b64:';

/** `ranges` sorted ascending, without repeats, each below `total`. */
export function encodeRangeSet(ranges: readonly number[], total: number): string {
  const runs = encodeRuns(ranges);
  const bitmapLength = BITMAP_PREFIX.length + 4 * Math.ceil(Math.ceil(total / 8) / 3);
  return runs.length <= bitmapLength ? runs : BITMAP_PREFIX + encodeBitmap(ranges, total);
}

/** Sorted ranges as runs: [0,1,2,5,7,8] -> "0-2,5,7-8". */
export function encodeRuns(ranges: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < ranges.length; ) {
    let j = i;
    while (j + 1 < ranges.length && ranges[j + 1] === ranges[j]! + 1) j++;
    parts.push(i === j ? String(ranges[i]) : `${ranges[i]}-${ranges[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

function encodeBitmap(ranges: readonly number[], total: number): string {
  const bits = Buffer.alloc(Math.ceil(total / 8));
  for (const r of ranges) bits[r >> 3]! |= 1 << (r & 7);
  return bits.toString('base64');
}

/** The sorted ranges of an encoded set; anything malformed or out of 0..total-1 is an error. */
export function decodeRangeSet(text: unknown, total: number): Parsed<number[]> {
  if (typeof text !== 'string') return { ok: false, error: 'ranges must be a string' };
  if (text.startsWith(BITMAP_PREFIX)) return decodeBitmap(text.slice(BITMAP_PREFIX.length), total);
  if (text === '') return { ok: true, value: [] };
  const out: number[] = [];
  for (const part of text.split(',')) {
    const m = /^(0|[1-9][0-9]{0,9})(?:-(0|[1-9][0-9]{0,9}))?$/.exec(part);
    if (!m) return { ok: false, error: `ranges: "${part.slice(0, 20)}" is not a range or a run a-b` };
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    const last = out.length ? out[out.length - 1]! : -1;
    if (to < from || from <= last || to >= total) {
      return { ok: false, error: `ranges: "${part}" is out of order or not below ${total}` };
    }
    for (let r = from; r <= to; r++) out.push(r);
  }
  return { ok: true, value: out };
}

function decodeBitmap(text: string, total: number): Parsed<number[]> {
  const bytes = Math.ceil(total / 8);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) return { ok: false, error: 'ranges: bitmap is not base64' };
  const bits = Buffer.from(text, 'base64');
  // Shorter is a set written before the group grew (a resize): its ranges keep their numbers.
  if (bits.length > bytes) return { ok: false, error: `ranges: bitmap has ${bits.length} bytes, more than ${bytes}` };
  const out: number[] = [];
  for (let i = 0; i < bits.length; i++) {
    const byte = bits[i]!;
    if (byte === 0) continue;
    for (let b = 0; b < 8; b++) if (byte & (1 << b)) out.push(i * 8 + b);
  }
  if (out.length && out[out.length - 1]! >= total) return { ok: false, error: `ranges: bitmap names a range not below ${total}` };
  return { ok: true, value: out };
}
