// Hostile znode data (anyone who can write a group's nodes when it has no
// ACL): every parser against random bytes, invalid UTF-8, near-valid JSON
// (each field mutated, extra and prototype-polluting keys, deep nesting,
// huge values). Outcome: { ok: true } with a value that satisfies the
// shape, or { ok: false } with a one-line error; never a throw or a hang.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { parseConfig, parseMember, parseAssignmentHeader, parseMemberAssignment, parseLease, parseOffset, encode, MAX_GROUP_RANGES, MAX_POLLER_ID_LENGTH, type Parsed } from './znodes.js';

/** A poller's assignment node of a 16-range group. */
const parseMemberAssignment16 = (data: Buffer | string | null | undefined) => parseMemberAssignment(data, 16);

const RUNS = 1_000;
const parsers = { parseConfig, parseMember, parseAssignmentHeader, parseMemberAssignment16, parseLease, parseOffset } as const;
const valid = {
  parseConfig: { version: 1, topic: 'orders', ranges: 64 },
  parseMember: { id: 'p1', host: 'h', pid: 12, weight: 2, state: 'active', startedAt: '2026-01-01T00:00:00Z', metricsUrl: 'http://x' },
  parseAssignmentHeader: { epoch: 3, leader: 'p1', at: 'now', reason: 'x' },
  parseMemberAssignment16: { epoch: 3, ranges: '0-2,7', prev: { epoch: 2, ranges: 'b64:gQA=' } },
  parseLease: { poller: 'p1', epoch: 3, at: 'now' },
  parseOffset: { offset: '42', poller: 'p1', epoch: 3, at: 'now' },
} as const;
type Name = keyof typeof parsers;
const names = Object.keys(parsers) as Name[];

/** The invariants a successful parse must hold for each shape. */
function checkShape(name: Name, r: Parsed<unknown>): void {
  expect(typeof r.ok).toBe('boolean');
  if (!r.ok) {
    expect(typeof r.error).toBe('string');
    expect(r.error.length).toBeGreaterThan(0);
    return;
  }
  const v = r.value as Record<string, unknown>;
  expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
  const safeCount = (x: unknown) => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
  switch (name) {
    case 'parseConfig':
      expect(v.version).toBe(1);
      expect(typeof v.topic === 'string' && v.topic.length > 0).toBe(true);
      expect(Number.isInteger(v.ranges) && (v.ranges as number) >= 1 && (v.ranges as number) <= MAX_GROUP_RANGES).toBe(true);
      break;
    case 'parseMember':
      expect(v.id).toMatch(new RegExp(`^[A-Za-z0-9._-]{1,${MAX_POLLER_ID_LENGTH}}$`));
      expect(safeCount(v.pid)).toBe(true);
      expect(Number.isFinite(v.weight) && (v.weight as number) > 0).toBe(true);
      expect(['active', 'draining']).toContain(v.state);
      break;
    case 'parseAssignmentHeader':
      expect(safeCount(v.epoch)).toBe(true);
      if (v.legacyOwners !== undefined) for (const o of v.legacyOwners as unknown[]) expect(o === null || (typeof o === 'string' && o.length > 0)).toBe(true);
      break;
    case 'parseMemberAssignment16': {
      expect(safeCount(v.epoch)).toBe(true);
      const sets = [v.ranges, (v.prev as Record<string, unknown>).ranges] as number[][];
      for (const set of sets) set.forEach((r, i) => expect(Number.isInteger(r) && r >= 0 && r < 16 && (i === 0 || r > set[i - 1]!)).toBe(true));
      break;
    }
    case 'parseLease':
      expect(typeof v.poller === 'string' && v.poller.length > 0).toBe(true);
      expect(safeCount(v.epoch)).toBe(true);
      break;
    case 'parseOffset':
      expect(v.offset).toMatch(/^(0|[1-9][0-9]{0,18})$/);
      expect(safeCount(v.epoch)).toBe(true);
      break;
  }
}

const anyJson = fc.oneof(
  fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.string(), fc.string({ unit: 'binary' }),
  fc.array(fc.oneof(fc.string(), fc.constant(null), fc.integer())), fc.object(),
  fc.constantFrom(-1, 1.5, 2 ** 53, -0, 1e308, '', '0', '-1', '01', '9'.repeat(30), 'x'.repeat(5000), [], {}, [null], ['a'.repeat(2000)]),
);

let cases = 0;
function run<T>(arb: fc.Arbitrary<T>, check: (v: T) => void, numRuns = RUNS): void {
  fc.assert(fc.property(arb, (v) => {
    cases++;
    check(v);
  }), { numRuns });
}

describe('znode parsers under hostile input (fuzz)', () => {
  it('random bytes, including invalid UTF-8 and NULs', () => {
    run(fc.uint8Array({ maxLength: 2_000 }), (bytes) => {
      for (const n of names) checkShape(n, parsers[n](Buffer.from(bytes)));
    });
  });

  it('random JSON values of any shape', () => {
    run(fc.jsonValue({ maxDepth: 4 }), (v) => {
      const data = Buffer.from(JSON.stringify(v) ?? 'null');
      for (const n of names) checkShape(n, parsers[n](data));
    });
  });

  it('near-valid records: one field replaced, removed or added', () => {
    run(
      fc.tuple(fc.constantFrom(...names), fc.nat(), fc.constantFrom('replace', 'remove', 'add'), anyJson, fc.string({ maxLength: 20 })),
      ([n, i, how, bad, extraKey]) => {
        const base: Record<string, unknown> = { ...valid[n] };
        const keys = Object.keys(base);
        const key = keys[i % keys.length]!;
        if (how === 'replace') base[key] = bad;
        else if (how === 'remove') delete base[key];
        else base[extraKey] = bad;
        const r = parsers[n](encode(base));
        checkShape(n, r);
        // a removed required field is always refused (metricsUrl is optional)
        if (how === 'remove' && key !== 'metricsUrl') expect(r.ok).toBe(false);
      },
    );
  });

  it('near-valid JSON text: truncated, byte-flipped, wrapped', () => {
    run(
      fc.tuple(fc.constantFrom(...names), fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('truncate', 'flip', 'wrap', 'bom', 'dup')),
      ([n, pos, byte, how]) => {
        const text = encode(valid[n]);
        let data: Buffer;
        const p = pos % text.length;
        if (how === 'truncate') data = text.subarray(0, p);
        else if (how === 'flip') {
          data = Buffer.from(text);
          data[p] = byte;
        } else if (how === 'wrap') data = Buffer.from(`[${text.toString()}]`);
        else if (how === 'bom') data = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), text]);
        else data = Buffer.from(text.toString().replace(/}$/, `,${text.toString().slice(1)}`)); // duplicate keys: last wins
        checkShape(n, parsers[n](data));
      },
    );
  });

});

describe('znode parsers under hostile input (fuzz): extremes', () => {
  it('prototype-polluting keys are inert', () => {
    run(fc.tuple(fc.constantFrom(...names), fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'), anyJson), ([n, key, bad]) => {
      const text = encode(valid[n]).toString().replace(/^\{/, `{${JSON.stringify(key)}:${JSON.stringify(bad) ?? 'null'},`);
      checkShape(n, parsers[n](text));
      expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
      expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'epoch')).toBe(false);
    }, 300);
    const polluted = parseLease('{"__proto__":{"poller":"evil","epoch":1,"at":"x"}}');
    expect(polluted.ok).toBe(false);
    expect(({} as Record<string, unknown>)['poller']).toBeUndefined();
  });

  it('size and depth extremes: no throw, no hang', () => {
    const t0 = Date.now();
    const extremes: (Buffer | string | null | undefined)[] = [
      null, undefined, '', ' ', '\u0000', 'null', 'true', '"x"', '1e999', '{}', '[]',
      '['.repeat(100_000) + ']'.repeat(100_000), // deep nesting
      '{"a":'.repeat(50_000) + '1' + '}'.repeat(50_000),
      `{"epoch":1,"leader":"l","at":"x","reason":"r","owners":[${'"p",'.repeat(200_000)}"p"]}`,
      `{"offset":"${'9'.repeat(19)}","poller":"p","epoch":1,"at":"x"}`, // above 2^63-1: refused below
      `{"offset":"${'1'.repeat(1_000_000)}","poller":"p","epoch":1,"at":"x"}`,
      Buffer.alloc(1024 * 1024, 0xff),
      Buffer.from([0xc0, 0x80, 0xed, 0xa0, 0x80, 0xf4, 0x90, 0x80, 0x80]), // overlong, surrogate, > U+10FFFF
    ];
    for (const data of extremes) {
      for (const n of names) {
        cases++;
        checkShape(n, parsers[n](data));
      }
    }
    expect(parseAssignmentHeader(extremes[13]).ok).toBe(true);
    expect(parseOffset(extremes[15]).ok).toBe(false);
    expect(Date.now() - t0).toBeLessThan(30_000);
  });

  it('counted', () => {
    // 1000 random byte strings + 1000 JSON values (each through all 6 parsers), 1000 near-valid
    // records, 1000 near-valid texts, 300 polluting keys, 18 extremes x 6 parsers
    expect(cases).toBe(1_000 * 4 + 300 + 18 * 6);
  });
});
