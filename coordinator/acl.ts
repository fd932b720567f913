import { createHash } from 'node:crypto';
import zookeeper from 'node-zookeeper-client';
import type { ACL } from 'node-zookeeper-client';
import type { ZkSession, ZkSessionOptions } from './zk-session.js';
import type { GroupPaths } from './group-paths.js';
import { isZkCode, ZK } from './zk-errors.js';

/**
 * ZooKeeper ACLs for a group (SECURITY.md). With a digest identity
 * `user:password`, every node ringleader creates lets only that identity
 * write, create, delete or change the ACL; reading is open to everyone
 * (`read: 'world'`, the default) or only to that identity (`read: 'auth'`).
 */
export interface ZkCredentials {
  user: string;
  password: string;
  read?: 'world' | 'auth';
}

export const PERM = zookeeper.Permission;

export class AclError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AclError';
  }
}

/** Parses `user:password` (the password may itself contain ':'). */
export function parseCredentials(text: string): { user: string; password: string } {
  const line = text.replace(/\r?\n$/, '');
  const i = line.indexOf(':');
  if (i <= 0 || i === line.length - 1) throw new AclError('ZooKeeper credentials must look like user:password');
  const user = line.slice(0, i);
  if (!/^[A-Za-z0-9._@-]{1,128}$/.test(user)) throw new AclError("the ZooKeeper user may use letters, digits, '.', '_', '@' and '-'");
  return { user, password: line.slice(i + 1) };
}

/** The id ZooKeeper's digest scheme gives `user:password`: `user:base64(sha1("user:password"))`. */
export function digestId(user: string, password: string): string {
  return `${user}:${createHash('sha1').update(`${user}:${password}`, 'utf8').digest('base64')}`;
}

/** The permission bits of an ACL entry: node-zookeeper-client stores them as `permission` (its typings say `perms`). */
export function permsOf(a: ACL): number {
  const p = (a as unknown as { permission?: unknown }).permission;
  return typeof p === 'number' ? p : a.perms;
}

function acl(perms: number, scheme: string, id: string): ACL {
  return new zookeeper.ACL(perms, new zookeeper.Id(scheme, id));
}

/** The ACL of every node of the group. */
export function groupAcls(c: ZkCredentials): ACL[] {
  const own = acl(PERM.ALL, 'digest', digestId(c.user, c.password));
  return (c.read ?? 'world') === 'world' ? [own, acl(PERM.READ, 'world', 'anyone')] : [own];
}

/**
 * The ACL of the shared ancestors of group nodes (`/ringleader`): anyone may
 * read and create a child (another group, possibly of another identity), but
 * only we may delete or write. A group node cannot be deleted while it has
 * children, and its children are ours alone.
 */
export function parentAcls(c: ZkCredentials): ACL[] {
  const own = acl(PERM.ALL, 'digest', digestId(c.user, c.password));
  return [own, acl(PERM.READ | PERM.CREATE, 'world', 'anyone')];
}

/** What ZkSession needs: the digest credentials added to every client, and the ACLs of what it creates. */
export function zkSecurityOptions(c: ZkCredentials | undefined): Pick<ZkSessionOptions, 'auth' | 'acls' | 'parentAcls'> {
  if (!c) return {};
  return { auth: [{ scheme: 'digest', auth: `${c.user}:${c.password}` }], acls: groupAcls(c), parentAcls: parentAcls(c) };
}

export function formatPerms(perms: number): string {
  const letters: [number, string][] = [[PERM.CREATE, 'c'], [PERM.DELETE, 'd'], [PERM.READ, 'r'], [PERM.WRITE, 'w'], [PERM.ADMIN, 'a']];
  return letters.map(([p, l]) => (perms & p ? l : '')).join('') || '-';
}

/** Only ever the user part of a digest id: the hash is a password-equivalent for weak passwords. */
function who(a: ACL): string {
  return a.id.scheme === 'digest' ? `digest:${a.id.id.split(':')[0]}` : `${a.id.scheme}:${a.id.id}`;
}

/**
 * The entries of `actual` that grant someone more than `wanted` does (null if
 * `actual` is at least as strict). Permissions are compared per id.
 */
export function weakerEntries(actual: ACL[], wanted: ACL[]): ACL[] {
  const allowed = new Map<string, number>();
  for (const w of wanted) {
    const k = `${w.id.scheme}:${w.id.id}`;
    allowed.set(k, (allowed.get(k) ?? 0) | permsOf(w));
  }
  return actual.filter((a) => (permsOf(a) & ~(allowed.get(`${a.id.scheme}:${a.id.id}`) ?? 0)) !== 0);
}

function isOpen(acls: ACL[]): boolean {
  return acls.some((a) => a.id.scheme === 'world' && a.id.id === 'anyone' && (permsOf(a) & PERM.ALL) === PERM.ALL);
}

/**
 * Refuses (AclError, one line) when the group's node or one of its persistent
 * children exists with an ACL weaker than the one this session creates with.
 * Without credentials (open ACL) there is nothing to check.
 */
export async function assertGroupAcl(zk: ZkSession, paths: GroupPaths): Promise<void> {
  const wanted = zk.acls;
  if (isOpen(wanted)) return;
  const nodes = [paths.base, paths.config, paths.assignment, paths.pollers, paths.leader, paths.leases, paths.offsets];
  for (const path of nodes) {
    let actual: ACL[];
    try {
      actual = (await zk.getACL(path)).acls;
    } catch (err) {
      if (isZkCode(err, ZK.NO_NODE)) continue;
      if (isZkCode(err, ZK.NO_AUTH)) {
        throw new AclError(`group "${paths.group}": ${path} belongs to another ZooKeeper identity (cannot even read its ACL; wrong --zk-auth?)`);
      }
      throw err;
    }
    const weak = weakerEntries(actual, wanted);
    if (weak.length === 0) continue;
    const ours = wanted.find((w) => w.id.scheme === 'digest');
    const user = ours?.id.id.split(':')[0];
    const sameUserOtherPassword = weak.some((a) => a.id.scheme === 'digest' && a.id.id.split(':')[0] === user && a.id.id !== ours?.id.id);
    const detail = weak.map((a) => `${who(a)} may ${formatPerms(permsOf(a))}`).join(', ');
    throw new AclError(
      sameUserOtherPassword
        ? `group "${paths.group}": ${path} belongs to ZooKeeper user "${user}" with another password (wrong --zk-auth password?)`
        : `group "${paths.group}": ${path} has a weaker ACL than requested (${detail}); refusing to run (fix it with zkCli setAcl, or use another group)`,
    );
  }
}
