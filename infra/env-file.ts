/** The connect strings other tools need, as `.infra/env` holds them (shell-sourceable). */
export interface InfraEndpoints {
  zkConnect: string;
  brokers: string;
}

export function formatEnvFile(endpoints: InfraEndpoints): string {
  return `RINGLEADER_ZK=${endpoints.zkConnect}\nRINGLEADER_BROKERS=${endpoints.brokers}\n`;
}

/** Undefined unless both variables are present and non-empty. */
export function parseEnvFile(text: string): InfraEndpoints | undefined {
  const values = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq).replace(/^export\s+/, '').trim();
    values.set(key, line.slice(eq + 1).trim().replace(/^["']|["']$/g, ''));
  }
  const zkConnect = values.get('RINGLEADER_ZK');
  const brokers = values.get('RINGLEADER_BROKERS');
  return zkConnect && brokers ? { zkConnect, brokers } : undefined;
}
