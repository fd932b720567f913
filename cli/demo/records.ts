import { closeSync, existsSync, openSync, readSync, fstatSync } from 'node:fs';
import { parseHandledRecord } from '../../poller/index.js';

/** Counts of one poller's records file. */
export interface PollerTally {
  poller: string;
  handled: number;
}

/**
 * Follows the pollers' append-only records files and keeps the counts the
 * demo reports: handled (distinct ids), duplicates (extra deliveries), per
 * poller, and per-key order inside each file.
 */
export class RecordTally {
  private readonly files = new Map<string, { path: string; offset: number; rest: string; handled: number }>();
  /** Deliveries per message id. */
  private seen = new Uint16Array(1024);
  private lastSeq = new Map<string, number>();
  distinct = 0;
  deliveries = 0;
  orderViolations = 0;
  /** Records whose line did not parse (must stay 0). */
  malformed = 0;

  follow(poller: string, path: string): void {
    this.files.set(poller, { path, offset: 0, rest: '', handled: 0 });
  }

  get duplicates(): number {
    return this.deliveries - this.distinct;
  }

  perPoller(): PollerTally[] {
    return [...this.files].map(([poller, f]) => ({ poller, handled: f.handled }));
  }

  /** Reads whatever was appended since the last call. */
  poll(): void {
    for (const [poller, f] of this.files) {
      if (!existsSync(f.path)) continue;
      const fd = openSync(f.path, 'r');
      try {
        const size = fstatSync(fd).size;
        if (size <= f.offset) continue;
        const buf = Buffer.alloc(size - f.offset);
        const n = readSync(fd, buf, 0, buf.length, f.offset);
        f.offset += n;
        const text = f.rest + buf.subarray(0, n).toString('utf8');
        const lines = text.split('\n');
        f.rest = lines.pop() ?? '';
        for (const line of lines) if (line) this.add(poller, line, f);
      } finally {
        closeSync(fd);
      }
    }
  }

  /** Message ids in [0, produced) that no poller handled. */
  lost(produced: number): number[] {
    const out: number[] = [];
    for (let id = 0; id < produced; id++) if (id >= this.seen.length || this.seen[id] === 0) out.push(id);
    return out;
  }

  /** How many of the ids in [0, produced) were handled at least once. */
  handledOf(produced: number): number {
    let n = 0;
    for (let id = 0; id < Math.min(produced, this.seen.length); id++) if (this.seen[id]! > 0) n++;
    return n;
  }

  private add(poller: string, line: string, f: { handled: number }): void {
    const r = parseHandledRecord(line);
    if (!r || r.id < 0) {
      this.malformed++;
      return;
    }
    while (r.id >= this.seen.length) {
      const bigger = new Uint16Array(this.seen.length * 2);
      bigger.set(this.seen);
      this.seen = bigger;
    }
    if (this.seen[r.id] === 0) this.distinct++;
    if (this.seen[r.id]! < 0xffff) this.seen[r.id]!++;
    this.deliveries++;
    f.handled++;
    // Within one poller's file a key's seq only goes up: a poller never
    // re-handles what it handled itself (only a crashed poller's successor
    // sees messages again), and per-key order holds inside a range.
    const k = `${poller}\u0000${r.key}`;
    const last = this.lastSeq.get(k);
    if (last !== undefined && r.seq <= last) this.orderViolations++;
    this.lastSeq.set(k, r.seq);
  }
}
