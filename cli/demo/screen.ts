import { renderView, type ViewState } from '../views/watch-view.js';
import type { Step } from './script.js';

export interface DemoViewState {
  group: string;
  topic: string;
  servers: string;
  elapsedMs: number;
  stepMs: number;
  steps: Step[];
  /** Index into steps of the step being played. */
  current: number;
  /** What the demo is waiting for, if anything ("group to converge"). */
  waiting: string | null;
  produced: number;
  producedRate: number | null;
  handled: number;
  handledRate: number | null;
  duplicates: number;
  perPoller: { poller: string; rate: number | null; running: boolean }[];
  recovery: string;
  handoff: string;
  resize: string;
  view: ViewState;
}

const rate = (r: number | null) => (r === null ? '-' : String(Math.round(r)));

/** The demo lines above the watch view. Pure, for tests and for the screen. */
export function renderDemo(s: DemoViewState): string {
  const out: string[] = [];
  const t = Math.floor(s.elapsedMs / 1000);
  out.push(`ringleader demo  group ${s.group}  servers ${s.servers}  (q or Ctrl-C stops)`);
  out.push('');
  s.steps.forEach((step, i) => {
    const mark = i < s.current ? 'done' : i === s.current ? ' >> ' : '    ';
    const when = `${String(Math.round((step.at * s.stepMs) / 1000)).padStart(3)}s`;
    out.push(` ${mark} ${when}  ${step.title}`);
  });
  const next = s.steps[s.current + 1];
  const nextIn = next ? Math.max(0, Math.ceil((next.at * s.stepMs - s.elapsedMs) / 1000)) : null;
  out.push(`      t=${t}s${s.waiting ? `   waiting for ${s.waiting}` : nextIn !== null ? `   next step in ${nextIn}s` : ''}`);
  out.push('');
  out.push(
    `produced ${s.produced} (${rate(s.producedRate)} msg/s)   handled ${s.handled} (${rate(s.handledRate)} msg/s)   backlog ${Math.max(0, s.produced - s.handled)}   duplicates ${s.duplicates}`,
  );
  out.push(`handled msg/s per poller: ${s.perPoller.map((p) => `${p.poller} ${p.running ? rate(p.rate) : 'gone'}`).join('   ')}`);
  out.push(`recovery after kill -9: ${s.recovery}   handoff on drain: ${s.handoff}   resize: ${s.resize}`);
  out.push('-'.repeat(Math.min(s.view.width, 120)));
  out.push(renderView(s.view));
  return out.join('\n');
}

/**
 * The live screen on a terminal: redraws in place, hides the cursor, and
 * reads keys in raw mode so Ctrl-C reaches only the demo (not the servers and
 * pollers in its process group), which then stops them in order.
 */
export class Screen {
  private timer: NodeJS.Timeout | null = null;
  private readonly onKey = (data: Buffer) => {
    const s = data.toString('utf8');
    if (s.includes('\x03') || s.includes('q') || s.includes('Q')) this.onQuit();
  };

  constructor(
    private readonly draw: () => string,
    private readonly onQuit: () => void,
  ) {}

  start(): void {
    process.stdout.write('\x1b[?25l\x1b[2J');
    if (process.stdin.isTTY) {
      process.stdin.setRawMode(true);
      process.stdin.on('data', this.onKey);
      process.stdin.resume();
    }
    this.timer = setInterval(() => this.redraw(), 250);
    this.redraw();
  }

  redraw(): void {
    const rows = process.stdout.rows ?? 50;
    const lines = this.draw().split('\n').slice(0, Math.max(10, rows - 1));
    // Home, overwrite each line, clear what is left: no flicker.
    process.stdout.write(`\x1b[H${lines.map((l) => `${l}\x1b[K`).join('\n')}\n\x1b[J`);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.redraw();
    if (process.stdin.isTTY) {
      process.stdin.off('data', this.onKey);
      process.stdin.setRawMode(false);
      process.stdin.pause();
    }
    process.stdout.write('\x1b[?25h');
  }
}
