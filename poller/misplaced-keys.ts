import type { Logger } from 'pino';
import { offsetFromString, type GroupConfig } from '../coordinator/index.js';
import { rangeOf } from '../ring/index.js';
import { offsetNumber } from './fetched-message.js';
import type { SourceMessage } from './range-source.js';

/** Log lines per range before they thin out to one per LOG_EVERY. */
const LOG_FIRST = 5;
const LOG_EVERY = 1_000;

/**
 * The safety net of a resized group (docs/design.md "Growing a group"): a
 * keyed message at or past its partition's split point whose key is not the
 * new range's was written by a producer that did not follow the group (a
 * static partitioner, an old R). It is counted, logged with its key, and
 * handled like any other: never dropped. Keyless messages have no range to
 * be wrong about. Only groups that were resized pay for the hash; undefined
 * for the others.
 */
export function misplacedKeyCheck(config: GroupConfig, log: Logger, count: (range: number) => void): ((range: number, messages: readonly SourceMessage[]) => void) | undefined {
  const split = config.split;
  if (!split) return undefined;
  const ranges = config.ranges;
  const from = split.offsets.map(offsetFromString);
  const seen = new Map<number, number>();
  return (range, messages) => {
    const splitAt = range < split.from ? from[range]! : 0;
    for (const m of messages) {
      // The offset first: below the split point nothing is checked (and nothing hashed).
      if (offsetNumber(m) < splitAt || m.key === null) continue;
      const belongsTo = rangeOf(m.key, ranges);
      if (belongsTo === range) continue;
      const n = (seen.get(range) ?? 0) + 1;
      seen.set(range, n);
      count(range);
      if (n <= LOG_FIRST || n % LOG_EVERY === 0) {
        log.warn(
          { range, offset: m.offset, key: m.key, belongsTo, misplacedInRange: n },
          'message past the split point with a key of another range: a producer does not follow the group (handled anyway)',
        );
      }
    }
  };
}
