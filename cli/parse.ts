import { InvalidArgumentError } from 'commander';

/** Commander argument parsers: each rejects bad input with a message that names the expected form. */
export function integer(min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    if (!/^-?\d+$/.test(value.trim())) throw new InvalidArgumentError(`expected an integer, got "${value}"`);
    const n = Number(value);
    if (n < min || n > max) throw new InvalidArgumentError(`expected an integer from ${min} to ${max}, got ${n}`);
    return n;
  };
}

export function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`expected a positive number, got "${value}"`);
  return n;
}

export function brokerList(value: string): string[] {
  const list = value.split(',').map((s) => s.trim()).filter(Boolean);
  if (!list.length || !list.every((b) => /^[^\s:]+:\d{1,5}$/.test(b))) {
    throw new InvalidArgumentError(`expected host:port[,host:port...], got "${value}"`);
  }
  return list;
}

export function zkConnect(value: string): string {
  const [hosts] = value.split('/');
  if (!hosts || !hosts.split(',').every((h) => /^[^\s:,]+:\d{1,5}$/.test(h.trim()))) {
    throw new InvalidArgumentError(`expected host:port[,host:port...][/chroot], got "${value}"`);
  }
  return value;
}

export function httpUrl(value: string): string {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw new InvalidArgumentError(`expected an http:// URL, got "${value}"`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new InvalidArgumentError(`expected an http:// or https:// URL, got "${value}"`);
  return value;
}

export function name(what: string) {
  return (value: string): string => {
    if (!/^[A-Za-z0-9._-]{1,200}$/.test(value)) {
      throw new InvalidArgumentError(`${what} may use letters, digits, '.', '_' and '-', got "${value}"`);
    }
    return value;
  };
}
