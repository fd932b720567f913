import zookeeper from 'node-zookeeper-client';
import type { ZkSession, ZkEvent } from './zk-session.js';
import type { GroupPaths } from './group-paths.js';
import { parseMember } from './znodes.js';
import type { MemberList, Problem } from './member-reader.js';
import type { MemberInfo } from './znodes.js';

type Entry = { ok: true; member: MemberInfo } | { ok: false; problem: Problem };

/**
 * The leader's view of `pollers/`: one children listing per change, and a
 * data read only for members it has not seen, or whose node changed (a data
 * watch on each member fires once: `draining`, a new weight, deletion). So a
 * join costs one listing and one read, not a read of every member.
 *
 * `onChange` gets the watch event (NODE_DELETED tells a departure).
 */
export class MemberCache {
  private readonly known = new Map<string, Entry>();
  private readonly dirty = new Set<string>();

  constructor(
    private readonly zk: ZkSession,
    private readonly paths: GroupPaths,
    private readonly onChange: (e: ZkEvent) => void,
  ) {}

  /** Forget everything (a new leadership: the watches of an older session are gone). */
  reset(): void {
    this.known.clear();
    this.dirty.clear();
  }

  async read(): Promise<MemberList> {
    const names = await this.zk.getChildren(this.paths.pollers, this.onChange);
    const present = new Set(names);
    for (const id of this.known.keys()) if (!present.has(id)) this.known.delete(id);
    const stale = names.filter((id) => !this.known.has(id) || this.dirty.has(id));
    for (const id of stale) this.dirty.delete(id);
    const nodes = await Promise.all(stale.map((id) => this.zk.getDataOrNull(this.paths.poller(id), (e) => this.changed(id, e))));
    stale.forEach((id, i) => {
      const node = nodes[i];
      if (!node) {
        this.known.delete(id); // left between the two reads
        return;
      }
      const parsed = parseMember(node.data, id);
      this.known.set(id, parsed.ok ? { ok: true, member: parsed.value } : { ok: false, problem: { path: this.paths.poller(id), error: parsed.error } });
    });
    return this.list();
  }

  private changed(id: string, e: ZkEvent): void {
    this.dirty.add(id);
    if (e.getType() === zookeeper.Event.NODE_DELETED) this.known.delete(id);
    this.onChange(e);
  }

  private list(): MemberList {
    const members: MemberInfo[] = [];
    const problems: Problem[] = [];
    for (const e of this.known.values()) {
      if (e.ok) members.push(e.member);
      else problems.push(e.problem);
    }
    members.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return { members, problems };
  }
}
