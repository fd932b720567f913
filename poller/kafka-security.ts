import type { KafkaConfig, SASLOptions } from 'kafkajs';

/**
 * How ringleader authenticates to Kafka (SECURITY.md): SASL PLAIN or
 * SCRAM-SHA-512, optionally over TLS (with a private CA).
 */
export interface KafkaSecurity {
  sasl?: { mechanism: 'plain' | 'scram-sha-512'; username: string; password: string };
  /** TLS to the brokers; `ca` = PEM of the CA(s) to trust instead of the system's. */
  ssl?: boolean | { ca?: string };
}

/** The part of a kafkajs config that carries `security`. */
export function kafkajsSecurity(security: KafkaSecurity | undefined): Pick<KafkaConfig, 'sasl' | 'ssl'> {
  const out: Pick<KafkaConfig, 'sasl' | 'ssl'> = {};
  if (!security) return out;
  if (security.ssl) out.ssl = security.ssl === true ? true : { ...(security.ssl.ca ? { ca: [security.ssl.ca] } : {}) };
  if (security.sasl) {
    const { mechanism, username, password } = security.sasl;
    out.sasl = { mechanism, username, password } as SASLOptions;
  }
  return out;
}

/** Errors (of either client) that no retry will fix: a wrong password or a mechanism the broker does not offer. */
export function isKafkaAuthError(err: unknown): boolean {
  for (let e: unknown = err, i = 0; e && i < 5; e = (e as { errors?: unknown[] }).errors?.[0] ?? (e as { cause?: unknown }).cause, i++) {
    const name = (e as { name?: unknown }).name;
    if (name === 'KafkaJSSASLAuthenticationError') return true;
    if ((e as { code?: unknown }).code === 'PLT_KFK_AUTHENTICATION') return true;
    const msg = (e as { message?: unknown }).message;
    if (typeof msg === 'string' && /SASL .*(authentication failed|mechanism)/i.test(msg)) return true;
  }
  return false;
}
