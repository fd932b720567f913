import { describe, expect, it } from 'vitest';
import { zooCfg } from './zookeeper-config.js';

function entries(cfg: string): Map<string, string> {
  return new Map(cfg.trim().split('\n').map((l) => l.split('=', 2) as [string, string]));
}

describe('zooCfg', () => {
  it('writes a standalone server on loopback without the admin server', () => {
    const cfg = entries(zooCfg({ dataDir: '/d', host: '127.0.0.1', clientPort: 2181 }));
    expect(cfg.get('dataDir')).toBe('/d');
    expect(cfg.get('clientPort')).toBe('2181');
    expect(cfg.get('clientPortAddress')).toBe('127.0.0.1');
    expect(cfg.get('admin.enableServer')).toBe('false');
    expect(cfg.get('4lw.commands.whitelist')).toBe('*');
    expect([...cfg.keys()].filter((k) => k.startsWith('server.'))).toEqual([]);
  });

  it('derives session bounds from tickTime so short test sessions are allowed', () => {
    const cfg = entries(zooCfg({ dataDir: '/d', host: 'h', clientPort: 1, tickTime: 300 }));
    expect(cfg.get('tickTime')).toBe('300');
    expect(cfg.get('minSessionTimeout')).toBe('600');
    expect(cfg.get('maxSessionTimeout')).toBe('60000');
  });

  it('lists every ensemble member with its quorum and election ports', () => {
    const ensemble = [1, 2, 3].map((id) => ({ id, host: '127.0.0.1', quorumPort: 3000 + id, electionPort: 4000 + id }));
    const cfg = entries(zooCfg({ dataDir: '/d', host: '127.0.0.1', clientPort: 2182, ensemble }));
    expect(cfg.get('server.1')).toBe('127.0.0.1:3001:4001');
    expect(cfg.get('server.3')).toBe('127.0.0.1:3003:4003');
    expect(cfg.get('initLimit')).toBeDefined();
    expect(cfg.get('syncLimit')).toBeDefined();
  });
});
