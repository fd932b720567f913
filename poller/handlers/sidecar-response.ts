// How a sidecar's HTTP answer maps to what the pipeline does with the
// message. Pure, so that it can be fuzzed.

export type SidecarVerdict = 'ack' | 'retry' | 'dead-letter';

/**
 * A JSON body `{"status":"SUCCESS"|"RETRY"|"DROP"}` (case-insensitive value)
 * overrides the status code; it is looked at when the content type says JSON
 * or is absent. Otherwise: 2xx ack; 408, 429 and 5xx retry; any other 4xx
 * dead letter. Codes a sidecar should not send (1xx, 3xx, nonsense) are
 * retried, so that a misconfiguration ends in the dead-letter topic after
 * max attempts rather than in a silent ack.
 */
export function classifySidecarResponse(statusCode: number, contentType: string | undefined, bodyText: string): SidecarVerdict {
  const override = jsonStatus(contentType, bodyText);
  if (override) return override;
  if (statusCode >= 200 && statusCode < 300) return 'ack';
  if (statusCode === 408 || statusCode === 429) return 'retry';
  if (statusCode >= 400 && statusCode < 500) return 'dead-letter';
  return 'retry';
}

function jsonStatus(contentType: string | undefined, bodyText: string): SidecarVerdict | null {
  const type = (contentType ?? '').toLowerCase();
  if (type !== '' && !type.includes('json')) return null;
  const trimmed = bodyText.trim();
  if (!trimmed.startsWith('{')) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null) return null;
  const status = (parsed as { status?: unknown }).status;
  if (typeof status !== 'string') return null;
  switch (status.toUpperCase()) {
    case 'SUCCESS':
      return 'ack';
    case 'RETRY':
      return 'retry';
    case 'DROP':
      return 'dead-letter';
    default:
      return null;
  }
}
