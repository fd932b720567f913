/** A poller taking part in the assignment. `weight` scales its share of ranges. */
export interface Member {
  id: string;
  weight: number;
}

/** `owners[r]` is the member id that owns range `r`; null only when there are no members. */
export type Owners = (string | null)[];

/** One range changing hands between two assignments (null = unowned). */
export interface Move {
  range: number;
  from: string | null;
  to: string | null;
}
