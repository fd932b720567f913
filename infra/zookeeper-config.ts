export interface QuorumMember {
  id: number;
  host: string;
  quorumPort: number;
  electionPort: number;
}

export interface ZooKeeperConfig {
  dataDir: string;
  host: string;
  clientPort: number;
  /** Absent or empty: standalone. Otherwise every member of the ensemble, this node included. */
  ensemble?: QuorumMember[];
  /** Milliseconds; session timeouts are bounded by 2x..20x of it unless set below. */
  tickTime?: number;
}

/**
 * zoo.cfg for one server. tickTime is short (500 ms) so tests can ask for
 * sessions down to one second; the max is raised so long sessions still work.
 */
export function zooCfg(config: ZooKeeperConfig): string {
  const tickTime = config.tickTime ?? 500;
  const lines = [
    `tickTime=${tickTime}`,
    `minSessionTimeout=${2 * tickTime}`,
    'maxSessionTimeout=60000',
    `dataDir=${config.dataDir}`,
    `clientPort=${config.clientPort}`,
    `clientPortAddress=${config.host}`,
    // The admin server would take port 8080 on every node; we use 4lw instead.
    'admin.enableServer=false',
    '4lw.commands.whitelist=*',
    'maxClientCnxns=0',
    'autopurge.purgeInterval=0',
  ];
  const members = config.ensemble ?? [];
  if (members.length > 0) {
    // Ticks: generous enough for a loaded 2-core machine to sync a follower.
    lines.push('initLimit=20', 'syncLimit=10', 'reconfigEnabled=false', 'standaloneEnabled=false');
    for (const m of members) lines.push(`server.${m.id}=${m.host}:${m.quorumPort}:${m.electionPort}`);
  }
  return lines.join('\n') + '\n';
}
