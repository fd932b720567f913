import type { ZkSession } from '../../coordinator/index.js';

type Method = (...args: unknown[]) => unknown;

/**
 * `zk` with some of its calls stood in for (to note or delay them): each
 * stand-in gets the real call, bound to `zk`, and the arguments. Every other
 * member is `zk`'s own.
 */
export function spiedSession(zk: ZkSession, standIns: Partial<Record<keyof ZkSession, (real: Method, args: unknown[]) => unknown>>): ZkSession {
  return new Proxy(zk, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      const real = (value as Method).bind(target) as Method;
      const standIn = standIns[prop as keyof ZkSession];
      return standIn ? (...args: unknown[]) => standIn(real, args) : real;
    },
  });
}
