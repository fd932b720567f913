/** Where everything of one group lives in ZooKeeper (docs/design.md, "ZooKeeper layout"). */
export class GroupPaths {
  readonly base: string;

  constructor(readonly group: string, readonly root = '/ringleader') {
    if (!/^[A-Za-z0-9._-]+$/.test(group)) {
      throw new TypeError(`invalid group name "${group}": use letters, digits, '.', '_' or '-'`);
    }
    if (!/^(\/[A-Za-z0-9._-]+)+$/.test(root)) {
      throw new TypeError(`invalid ZooKeeper root "${root}": an absolute path such as /ringleader`);
    }
    this.base = `${root}/${group}`;
  }

  get config(): string {
    return `${this.base}/config`;
  }
  get pollers(): string {
    return `${this.base}/pollers`;
  }
  poller(id: string): string {
    return `${this.base}/pollers/${id}`;
  }
  /** Ephemeral nodes of the producers that follow the group's range count (createRingProducer). */
  get producers(): string {
    return `${this.base}/producers`;
  }
  producer(id: string): string {
    return `${this.base}/producers/${id}`;
  }
  /** The ephemeral node of a resize under way (the resize command's session). */
  get resize(): string {
    return `${this.base}/resize`;
  }
  get leader(): string {
    return `${this.base}/leader`;
  }
  get assignment(): string {
    return `${this.base}/assignment`;
  }
  /** A poller's share of the assignment (a child of the header node). */
  memberAssignment(id: string): string {
    return `${this.base}/assignment/${id}`;
  }
  get leases(): string {
    return `${this.base}/leases`;
  }
  lease(range: number): string {
    return `${this.base}/leases/${range}`;
  }
  get offsets(): string {
    return `${this.base}/offsets`;
  }
  offset(range: number): string {
    return `${this.base}/offsets/${range}`;
  }
}

/** Poller ids become znode names. */
export function validatePollerId(id: string): string {
  if (!/^[A-Za-z0-9._-]{1,128}$/.test(id) || id === '.' || id === '..') {
    throw new TypeError(`invalid poller id "${id}": 1-128 letters, digits, '.', '_' or '-'`);
  }
  return id;
}
