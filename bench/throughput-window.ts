/**
 * The steady-state window of an overhead run: it opens once the consumer owns
 * everything it will own (plain consumers: group joined; pollers: every range
 * acquired) and its first messages have been counted, and closes when a fixed
 * number of messages more has been counted. Start-up (connecting, joining,
 * acquiring leases) and the tail (partitions running dry one by one) fall
 * outside it, so the rate inside measures the per-message cost only.
 *
 * The counter is sampled every few milliseconds, the same way for every
 * consumer, so the sampling costs all of them alike.
 */

export interface WindowTiming {
  /** Messages counted inside the window. */
  messages: number;
  ms: number;
  rate: number;
  /** CPU time (user + system) of this process inside the window, per message in µs. */
  cpuUsPerMsg: number;
  /** Messages already counted when the window opened. */
  before: number;
}

export interface SteadyWindowOptions {
  /** Messages counted so far (monotonic). */
  count: () => number;
  /** True once the consumer owns all it will own. */
  ready: () => boolean;
  /** Messages the window spans. */
  messages: number;
  /** The most messages there will ever be: a window cannot close past it. */
  total: number;
  sampleMs?: number;
}

export interface SteadyWindow {
  /** Resolves when the window closes. */
  done: Promise<WindowTiming>;
  /** Stops sampling (the window never closes if it had not). */
  stop(): void;
}

export function steadyWindow(o: SteadyWindowOptions): SteadyWindow {
  let opened: { t: number; c: number; cpu: NodeJS.CpuUsage; end: number } | null = null;
  let timer: NodeJS.Timeout | null = null;
  const done = new Promise<WindowTiming>((resolve, reject) => {
    timer = setInterval(() => {
      const c = o.count();
      if (!opened) {
        if (!o.ready() || c === 0) return;
        const end = c + o.messages;
        if (end > o.total) {
          stop();
          reject(new Error(`steady window of ${o.messages} messages cannot fit: ${c} of ${o.total} were counted before it opened; preload more`));
          return;
        }
        opened = { t: performance.now(), c, cpu: process.cpuUsage(), end };
        return;
      }
      if (c < opened.end) return;
      const ms = performance.now() - opened.t;
      const cpu = process.cpuUsage(opened.cpu);
      const messages = c - opened.c;
      stop();
      resolve({ messages, ms, rate: (messages * 1000) / ms, cpuUsPerMsg: (cpu.user + cpu.system) / messages, before: opened.c });
    }, o.sampleMs ?? 2);
  });
  function stop(): void {
    if (timer) clearInterval(timer);
    timer = null;
  }
  return { done, stop };
}
