import { connect } from 'node:net';

/** Sends a ZooKeeper four-letter command (srvr, ruok, mntr...) and returns the reply. */
export function fourLetterWord(host: string, port: number, command: string, timeoutMs = 2_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    const chunks: Buffer[] = [];
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`${command} to ${host}:${port} timed out`)));
    socket.once('connect', () => socket.write(command));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.once('error', reject);
    socket.once('close', (hadError) => {
      if (!hadError) resolve(Buffer.concat(chunks).toString('utf8'));
    });
  });
}

export interface ServerStatus {
  version: string;
  mode: string;
}

/** Parses `srvr` output, e.g. "Zookeeper version: 3.9.5-<sha>, built on ..." and "Mode: leader". */
export function parseSrvr(text: string): ServerStatus | undefined {
  const version = /Zookeeper version: ([^,\s-]+)/.exec(text)?.[1];
  const mode = /Mode: (\S+)/.exec(text)?.[1];
  return version && mode ? { version, mode } : undefined;
}
