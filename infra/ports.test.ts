import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { InfraError } from './errors.js';
import { assertPortsFree, freePorts, isPortFree } from './ports.js';

describe('ports', () => {
  it('hands out distinct ports that are free', async () => {
    const ports = await freePorts(5);
    expect(new Set(ports).size).toBe(5);
    for (const p of ports) expect(await isPortFree(p)).toBe(true);
  });

  it('sees a port in use and says which flag to change', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    try {
      expect(await isPortFree(address.port)).toBe(false);
      await expect(assertPortsFree([{ port: address.port, what: 'Kafka', flag: '--kafka-port' }])).rejects.toThrow(InfraError);
      await expect(assertPortsFree([{ port: address.port, what: 'Kafka', flag: '--kafka-port' }])).rejects.toThrow(/--kafka-port/);
    } finally {
      server.close();
    }
  });
});
