/** The demo's result; `--ci` prints it as one JSON line. */
export interface DemoSummary {
  produced: number;
  handled: number;
  lost: number;
  duplicates: number;
  /** kill -9 until every range of the killed poller was acquired by another. */
  recoveryMs: number | null;
  /** Longest pause of a range moved by the graceful drain (release -> acquire). */
  handoffMs: number | null;
  /** Drain request until every range of the drained poller was acquired by another. */
  drainMs: number | null;
  rangesRecovered: number;
  rangesHandedOff: number;
  /** The resize step: the range count it grew the group to (null: not reached). */
  resizedTo: number | null;
  /** How long its cut-over held the producer and the pollers. */
  resizePauseMs: number | null;
  /** From `resize` until every new range had passed its order barrier and the group had converged. */
  resizeMs: number | null;
  /** Per-key order broken inside one poller's records (must be 0). */
  orderViolations: number;
  /** Until every produced message was handled, after the producer stopped. */
  catchUpMs: number | null;
  sessionTimeoutMs: number;
  group: string;
  topic: string;
  ranges: number;
  durationMs: number;
  /** The first lost ids (at most 20), to look up in the records files. */
  lostIds: number[];
  recordsDir: string;
  interrupted: boolean;
  /** Every poller process the demo started, and how it ended. */
  pollers: { id: string; pid: number; exit: string }[];
  /** Set when the script could not be played to the end. */
  error?: string;
}

function secs(ms: number | null): string {
  return ms === null ? 'not measured' : `${(ms / 1000).toFixed(2)} s`;
}

/** The closing summary for people. */
export function formatSummary(s: DemoSummary): string {
  const ok = s.lost === 0 && !s.interrupted && !s.error;
  return [
    '',
    `ringleader demo ${s.interrupted ? 'interrupted' : s.error ? 'FAILED' : 'finished'} after ${(s.durationMs / 1000).toFixed(0)} s${s.error ? `: ${s.error}` : ''}`,
    '',
    `  produced     ${s.produced}`,
    `  handled      ${s.handled}`,
    s.interrupted
      ? `  unhandled    ${s.lost}   (stopped before the backlog was worked off; they stay in Kafka)`
      : `  lost         ${s.lost}${s.lost ? `   first ids: ${s.lostIds.join(', ')}` : '   (every produced message was handled)'}`,
    `  duplicates   ${s.duplicates}   (at-least-once: messages handled by the killed poller after its last commit are delivered again)`,
    s.recoveryMs === null
      ? '  recovery     not reached'
      : `  recovery     ${secs(s.recoveryMs)} for ${s.rangesRecovered} ranges after kill -9 (session timeout ${(s.sessionTimeoutMs / 1000).toFixed(1)} s + reassignment)`,
    s.handoffMs === null
      ? '  handoff      not reached'
      : `  handoff      longest pause ${s.handoffMs} ms over ${s.rangesHandedOff} ranges moved by drain (all moved in ${secs(s.drainMs)})`,
    s.resizedTo === null
      ? '  resize       not reached'
      : `  resize       ${s.ranges} -> ${s.resizedTo} ranges: cut-over ${s.resizePauseMs} ms, every new range started within ${secs(s.resizeMs)}`,
    `  key order    ${s.orderViolations === 0 ? 'kept' : `${s.orderViolations} violations`} within each poller`,
    '',
    `  records of each handled message: ${s.recordsDir}`,
    ok ? '  nothing lost.' : s.lost ? '  MESSAGES WERE LOST.' : '',
  ].join('\n');
}
