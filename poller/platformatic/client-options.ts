import type { BaseOptions } from '@platformatic/kafka';
import type { KafkaSecurity } from '../kafka-security.js';

export interface PlatformaticConnectOptions {
  brokers: string[];
  clientId: string;
  /** SASL and TLS (SECURITY.md); default: plaintext, no authentication. */
  security?: KafkaSecurity;
  /** Give up connecting to a broker after this long. */
  connectTimeoutMs?: number;
  /** Retries of a failed request inside the client (one-shot commands fail fast with few). */
  retries?: number;
  retryDelayMs?: number;
}

/** The options every @platformatic/kafka client (consumer, producer, admin) of ringleader is made with. */
export function platformaticBaseOptions(o: PlatformaticConnectOptions): BaseOptions {
  const out: BaseOptions = {
    clientId: o.clientId,
    bootstrapBrokers: o.brokers,
    connectTimeout: o.connectTimeoutMs ?? 3_000,
    retries: o.retries ?? 3,
    retryDelay: o.retryDelayMs ?? 300,
    // Topics are made by `ringleader create` only: a typo must not create one.
    autocreateTopics: false,
  };
  const security = o.security;
  if (security?.ssl) out.tls = security.ssl === true || !security.ssl.ca ? {} : { ca: security.ssl.ca };
  if (security?.sasl) {
    const { mechanism, username, password } = security.sasl;
    out.sasl = { mechanism: mechanism === 'plain' ? 'PLAIN' : 'SCRAM-SHA-512', username, password };
  }
  return out;
}
