import type { GroupSnapshot } from '../../coordinator/index.js';
import { formatFullStatus, statusHeader } from './status-table.js';
import { summaryBody, convergenceText } from './summary-sections.js';

/** Up to this size every range and poller fits on a screen, so the full tables are the default. */
export const SMALL_GROUP = { ranges: 64, pollers: 32 } as const;

export type StatusLayout = 'auto' | 'summary' | 'full';

export interface StatusViewOptions {
  layout: StatusLayout;
  /** How many of the largest lags the summary lists. */
  top: number;
}

export function isSmallGroup(s: GroupSnapshot): boolean {
  return s.assignment.length <= SMALL_GROUP.ranges && s.pollers.length <= SMALL_GROUP.pollers;
}

/** `ringleader status` for people: the full tables for a small group (or --full), else a summary that fits a screen. */
export function formatStatus(s: GroupSnapshot, o: StatusViewOptions): string {
  const full = o.layout === 'full' || (o.layout === 'auto' && isSmallGroup(s));
  return full ? formatFullStatus(s) : formatStatusSummary(s, o.top);
}

export function formatStatusSummary(s: GroupSnapshot, top: number): string {
  const lines = [statusHeader(s, convergenceText(s)), '', ...summaryBody(s, { top }), '', '(status --full prints every poller and range; --json prints everything)'];
  return lines.join('\n');
}
