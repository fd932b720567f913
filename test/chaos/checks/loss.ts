// Every acknowledged message handled at least once.
import type { CheckContext } from './context.js';

export interface LossResult {
  lost: number;
  /** Handled ids the producer has no acknowledgement for (a send that failed after writing). */
  handledUnacked: number;
}

export function checkLoss(cx: CheckContext): LossResult {
  const { produced } = cx.input;
  const producedIds = new Set(produced.map((p) => p.id));
  let lost = 0;
  for (const p of produced) {
    if (!cx.byId.has(p.id)) {
      lost++;
      cx.examples.add('lost', `id ${p.id} key ${p.key} seq ${p.seq} partition ${p.partition} offset ${p.offset}`);
    }
  }
  let handledUnacked = 0;
  for (const id of cx.byId.keys()) if (!producedIds.has(id)) handledUnacked++;
  return { lost, handledUnacked };
}
