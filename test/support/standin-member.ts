// Child-process fixture: one stand-in member (ZkSession + Membership +
// AssignedRanges + optional Coordinator candidate) that prints one JSON
// line per thing that happens to it, so tests can SIGKILL / SIGSTOP it.
//
//   node dist/test/support/standin-member.js '{"connect":"...","group":"g","id":"m1","ranges":12}'
//
// Lines: {type:"ready"}, {type:"start"|"stop"|"lost", range, at}, {type:"leader", value},
// {type:"published", epoch}, {type:"holds", ranges}, and after SIGCONT the
// outcome of the stale writes it then attempts on purpose:
// {type:"stale-assignment-write", session:"old"|"new", result}, {type:"stale-commit", range, result}.
import pino from 'pino';
import { encode, isZkCode, ZK, type ZkError } from '../../coordinator/index.js';
import { StandinMember, Timeline } from './standin-worker.js';

interface Config {
  connect: string;
  group: string;
  id: string;
  ranges: number;
  sessionTimeoutMs?: number;
  coordinator?: boolean;
  settleMs?: number;
}

const cfg = JSON.parse(process.argv[2] ?? '{}') as Config;
const out = (o: Record<string, unknown>) => process.stdout.write(`${JSON.stringify({ ...o, at: o['at'] ?? Date.now() })}\n`);
const logger = pino({ level: process.env['LOG_LEVEL'] ?? 'warn' }, pino.destination(2));

const member = new StandinMember({
  connect: cfg.connect,
  group: cfg.group,
  id: cfg.id,
  ranges: cfg.ranges,
  timeline: new Timeline(),
  sessionTimeoutMs: cfg.sessionTimeoutMs ?? 4_000,
  coordinator: cfg.coordinator ?? true,
  settleMs: cfg.settleMs ?? 200,
  logger,
  onEvent: (e) => out({ type: e.kind, range: e.range, at: e.at, from: e.from ?? null }),
});

/** The leader node this process held while it led (what a stale leader would check). */
let leaderNode: string | null = null;

member.coordinator?.on('leader', (isLeader: boolean) => {
  out({ type: 'leader', value: isLeader });
  if (isLeader) void findOwnLeaderNode();
});
member.coordinator?.on('published', (p: { epoch: number }) => out({ type: 'published', epoch: p.epoch }));

async function findOwnLeaderNode(): Promise<void> {
  const names = await member.zk.getChildren(member.paths.leader);
  for (const n of names) {
    const node = await member.zk.getDataOrNull(`${member.paths.leader}/${n}`);
    if (node && member.zk.ownsEphemeral(node.stat)) {
      leaderNode = `${member.paths.leader}/${n}`;
      out({ type: 'leader-node', path: leaderNode });
    }
  }
}

function describe(err: unknown): string {
  return isZkCode(err, ZK.NO_NODE)
    ? 'NO_NODE'
    : isZkCode(err, ZK.SESSION_EXPIRED)
      ? 'SESSION_EXPIRED'
      : isZkCode(err, ZK.CONNECTION_LOSS)
        ? 'CONNECTION_LOSS'
        : `error ${(err as ZkError).code ?? ''} ${(err as Error).message}`;
}

/** The commit of an epoch a stale leader would make: check(own old leader node) + setData(header). */
async function staleAssignmentWrite(session: 'old' | 'new'): Promise<void> {
  if (!leaderNode) return;
  const record = { epoch: 999_999, leader: cfg.id, at: new Date().toISOString(), reason: 'stale' };
  try {
    await member.zk.multi([
      { op: 'check', path: leaderNode, version: -1 },
      { op: 'setData', path: member.paths.assignment, data: encode(record), version: -1 },
    ]);
    out({ type: 'stale-assignment-write', session, result: 'written' });
  } catch (err) {
    out({ type: 'stale-assignment-write', session, result: describe(err) });
  }
}

process.on('SIGCONT', () => {
  out({ type: 'resumed' });
  // What the stale process still believes it holds, attempted at once.
  const leases = member.assigned.ownership.heldLeases();
  void staleAssignmentWrite('old');
  for (const lease of leases) {
    member.assigned.offsets.commit(lease, 999_999_999).then(
      (result) => out({ type: 'stale-commit', range: lease.range, result }),
      (err: unknown) => out({ type: 'stale-commit', range: lease.range, result: describe(err) }),
    );
  }
  // And again through the new session the process opens after expiry.
  member.zk.on('state', (s) => {
    if (s.type === 'session' && !s.first) {
      void staleAssignmentWrite('new');
      for (const lease of leases) {
        member.assigned.offsets.commit(lease, 999_999_999).then(
          (result) => out({ type: 'stale-commit', range: lease.range, session: 'new', result }),
          (err: unknown) => out({ type: 'stale-commit', range: lease.range, session: 'new', result: describe(err) }),
        );
      }
    }
  });
});

process.on('SIGTERM', () => {
  void member.close().finally(() => process.exit(0));
});

await member.start();
out({ type: 'ready', pid: process.pid });
