import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import zookeeper from 'node-zookeeper-client';
import { digestId, groupAcls, parentAcls, parseCredentials, weakerEntries, permsOf, formatPerms, PERM, AclError } from './acl.js';

const acl = (perms: number, scheme: string, id: string) => new zookeeper.ACL(perms, new zookeeper.Id(scheme, id));

describe('ZooKeeper ACL helpers', () => {
  it('digestId matches ZooKeeper (the documented super:test vector)', () => {
    expect(digestId('super', 'test')).toBe('super:D/InIHSb7yEEbrWz8b9l71RjZJU=');
  });

  it('group and parent ACLs', () => {
    const c = { user: 'u', password: 'p' };
    expect(groupAcls(c).map((a) => [a.id.scheme, a.id.id, permsOf(a)])).toEqual([['digest', digestId('u', 'p'), PERM.ALL], ['world', 'anyone', PERM.READ]]);
    expect(groupAcls({ ...c, read: 'auth' }).map((a) => a.id.scheme)).toEqual(['digest']);
    expect(parentAcls(c).map((a) => permsOf(a))).toEqual([PERM.ALL, PERM.READ | PERM.CREATE]);
    expect(formatPerms(PERM.ALL)).toBe('cdrwa');
  });

  it('weakerEntries: exactly the entries granting someone more than wanted', () => {
    const wanted = groupAcls({ user: 'u', password: 'p' });
    expect(weakerEntries(wanted, wanted)).toEqual([]);
    expect(weakerEntries([acl(PERM.ALL, 'world', 'anyone')], wanted)).toHaveLength(1);
    expect(weakerEntries([acl(PERM.ALL, 'digest', digestId('u', 'p'))], wanted)).toEqual([]); // stricter is fine
    expect(weakerEntries([acl(PERM.READ, 'digest', digestId('v', 'p'))], wanted)).toHaveLength(1);
    fc.assert(fc.property(fc.array(fc.tuple(fc.integer({ min: 1, max: 31 }), fc.constantFrom('world', 'digest', 'ip'), fc.constantFrom('anyone', digestId('u', 'p'), 'x:y', '10.0.0.1'))), (entries) => {
      const actual = entries.map(([p, s, i]) => acl(p, s, i));
      const weak = weakerEntries(actual, wanted);
      for (const a of actual) {
        const granted = wanted.filter((w) => w.id.scheme === a.id.scheme && w.id.id === a.id.id).reduce((x, w) => x | permsOf(w), 0);
        expect(weak.includes(a)).toBe((permsOf(a) & ~granted) !== 0);
      }
    }), { numRuns: 500 });
  });

  it('parseCredentials', () => {
    expect(parseCredentials('u:p:q\n')).toEqual({ user: 'u', password: 'p:q' });
    for (const bad of ['', ':', 'u', 'u:', ':p', 'a/b:p']) expect(() => parseCredentials(bad), bad).toThrow(AclError);
  });
});
