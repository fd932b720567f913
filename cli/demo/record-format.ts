// What the demo handler writes and where: shared by the handler module (in
// each poller) and the demo (which reads the records back).

/** Where records go; set by the demo for each poller process. */
export const RECORDS_ENV = 'RINGLEADER_DEMO_RECORDS';
/** The poller id written into each record. */
export const POLLER_ENV = 'RINGLEADER_DEMO_POLLER';

/** One line of a records file (JSON). */
export interface HandledRecord {
  id: number;
  key: string;
  seq: number;
  poller: string;
  range: number;
  offset: string;
}
