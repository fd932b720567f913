/** The story the demo plays, one step per `stepSeconds`, for people to read along. */
export type StepName = 'start' | 'join' | 'kill' | 'drain' | 'resize' | 'finish';

export interface Step {
  name: StepName;
  /** Seconds after the producer starts, in units of the step length. */
  at: number;
  title: string;
}

export function demoScript(p: { victim: string; drained: string; joiner: string; sessionTimeoutMs: number; ranges: number }): Step[] {
  return [
    { name: 'start', at: 0, title: `3 pollers share the ${p.ranges} ranges; the producer sends a steady stream of keyed messages` },
    { name: 'join', at: 1, title: `${p.joiner} joins: a quarter of the ranges move to it and the load per poller falls` },
    {
      name: 'kill',
      at: 2,
      title: `kill -9 ${p.victim}: its session expires after ~${(p.sessionTimeoutMs / 1000).toFixed(0)} s, then its ranges move and resume from the last commit`,
    },
    { name: 'drain', at: 3, title: `ringleader drain ${p.drained}: it hands its ranges off one by one; only those ranges pause, briefly` },
    {
      name: 'resize',
      at: 4,
      title: `ringleader resize --ranges ${2 * p.ranges}: producer and pollers pause for the cut-over; each new range starts once the old range its keys came from is drained`,
    },
    { name: 'finish', at: 5, title: 'the producer stops; waiting until every message is handled, then the pollers stop' },
  ];
}
