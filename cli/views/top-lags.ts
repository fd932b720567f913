import type { RangeView } from '../../coordinator/index.js';

export interface LagSummary {
  /** Ranges whose lag is known (end offsets were read). */
  known: number;
  total: number;
  /** The largest lags above 0, largest first (ties: lower range first). */
  top: RangeView[];
}

/** null when no lag is known at all (no --brokers). One pass, no sort of every range: watch redraws it several times a second. */
export function lagSummary(assignment: readonly RangeView[], top: number): LagSummary | null {
  let known = 0;
  let total = 0;
  const largest: RangeView[] = [];
  for (const r of assignment) {
    if (typeof r.lag !== 'number') continue;
    known++;
    total += r.lag;
    if (r.lag <= 0 || (largest.length === top && (top === 0 || r.lag <= (largest[top - 1]!.lag as number)))) continue;
    const at = largest.findIndex((x) => (x.lag as number) < (r.lag as number));
    largest.splice(at < 0 ? largest.length : at, 0, r);
    if (largest.length > top) largest.pop();
  }
  if (!known && !assignment.some((r) => r.end !== undefined)) return null;
  return { known, total, top: largest };
}
