/*
 * split.pml -- SPIN model of growing a group from 2 to 4 ranges while its
 * producers keep sending and its pollers keep running (docs/design.md, "Growing a group (resize)").
 *
 * Keys: key 0 is old range 0's and new range 1's (it moves from partition 0
 * to partition 1); key 1 is old range 1's and new range 2's (partition 1 ->
 * partition 2). Producer k sends key k with sequence numbers 0..MAXS-1 (a
 * key's order is its producer's order). So partition 1 holds old range 1's
 * messages below its split point and new range 1's from it on, and new
 * partition 2 holds keys of old partition 1 -- both cases of the barrier.
 *
 *   cfgR, split[], hasSplit   config: R and the split offsets (one multi)
 *   marker                    the ephemeral `resize` node
 *   acked[k]                  producers/<k> says pausedFor the marker
 *   log[p]                    partition p: (key, seq) entries, appended by acks=all sends
 *   committed[p]              offsets/<p>
 *   fleet                     the pollers registered in the group (as one)
 *   fleetAck                  their member node says pausedFor the marker
 *   running                   the fleet consumes, with the R it read (fleetR)
 *   ends                      the marker carries the end offsets (split[])
 *   held                      the fleet's gate is held: no message starts...
 *   sawEnds, lined, line[]    ...but those below its hold lines, the
 *                             marker's ends once it read them
 *   frozen                    the fleet saw the cut-over: each old partition
 *                             stops at its split point until it starts again
 *
 * Actions:
 *   Producer(k): place (read its R, pick the partition), append (the send
 *     lands), see the marker (pause: hold new sends), ack (only with no send
 *     in flight), see it gone (read config, resume with its R).
 *   Resizer: write marker, wait until every producer acked, read end
 *     offsets and add them to the marker, wait until the fleet acked or is
 *     not registered (or time out -> roll back), multi: check acks + write
 *     config with those offsets + delete marker.
 *   Fleet: read config, register, run (its resize hold reads the marker and
 *     config after registering); see the marker (hold), ack; see its ends
 *     (before or after the ack) and take them as hold lines; see it gone with
 *     the same R (release); see another R: grow in place (take the new R
 *     and the split: its running consumers keep their positions, and the
 *     barrier now holds them past their split points; the gate opens) or
 *     freeze at the split points, release the gate, then stop and start
 *     again on the new config (a poller that could not grow); stop.
 *   Consumer(p): while the fleet runs with p < its R and its gate is not
 *     held (or the message is below p's hold line), handle the next message of partition p and commit past it (one
 *     step: a graceful stop commits what was handled); a message at or past
 *     hold(p) waits until the parent partition is committed up to its split
 *     point; a frozen fleet handles nothing at or past p's split point.
 *
 * Properties (ltl, checked one by one with pan -N):
 *   in_order   every key's messages are handled in sequence, none skipped
 *              (a handled seq is always the last handled + 1)
 *   placed     after a cut-over, partition p >= its split point holds only
 *              keys of new range p, and below it only keys of old range p
 *   live_resize  with no timeout (producers and pollers always get to pause,
 *              pollers may stop and start meanwhile), the resize completes
 *
 * Mutants (model/run.sh --mutants; each must violate its property):
 *   BUG_NO_BARRIER      consumers ignore the barrier            -> in_order
 *   BUG_EARLY_OFFSETS   the resizer reads end offsets before every producer
 *                       acked (right after the marker)           -> in_order
 *   BUG_ACK_IN_FLIGHT   a producer acks with a send in flight    -> placed
 *   BUG_POLLER_NO_HOLD  the fleet acks the marker but keeps handling
 *                                                                -> in_order
 *   BUG_NO_FREEZE       the fleet seeing a new R lets its old partitions
 *                       run past their split points until it stops -> in_order
 *   BUG_GROW_NO_BARRIER the fleet grows in place but its running
 *                       consumers do not take the split's barrier -> in_order
 *   BUG_LINE_FROM_LOG   the fleet takes as hold lines the partitions' ends
 *                       as it reads them itself once the marker has its
 *                       ends, not those ends (a late read can lie past a
 *                       split point, once producers resumed)        -> in_order
 */

#ifndef MAXS
#define MAXS 2
#endif
#ifndef MAXSTARTS
#define MAXSTARTS 2
#endif

#define NK 2            /* keys = producers */
#define NPART 4         /* partitions after the split */
#define LOGMAX (2 * MAXS) /* entries per partition: old and new keys */
#define EMPTY 255

/* old range of key k under R=2 and new range under R=4 */
#define OLDR(k) (k)
#define NEWR(k) ((k) + 1)
#define RANGE_OF(k, r) ((r) == 2 -> OLDR(k) : NEWR(k))
/* parent of new range j (k = 2): floor(j / 2) */
#define PARENT(j) ((j) / 2)
/* where entry i of partition p belongs after the split */
#define PLACED(p, i, k) (((p) < 2 && (i) < split[p]) -> (OLDR(k) == (p)) : (NEWR(k) == (p)))

/* ----------------------------------------------------------- ZooKeeper -- */
byte cfgR = 2;
bool hasSplit;
byte split[2];
bool marker;
bool ends;                      /* the marker carries the end offsets (split[]) */
bool acked[NK];
bool gone[NK];                  /* the producer closed: its node is gone */
byte fleet;                     /* 0 or 1: the pollers, registered as one */
byte fleetNode;                 /* which registration (a new node each time) */
bool fleetAck;                  /* their member node says pausedFor */
byte committed[NPART];

/* ---------------------------------------------------------------- Kafka -- */
byte logKey[NPART * LOGMAX];
byte logSeq[NPART * LOGMAX];
byte logLen[NPART];

/* -------------------------------------------------------------- checks -- */
byte handledSeq[NK];            /* last handled seq + 1 per key */
bool bad_order;
bool bad_place;

/* -------------------------------------------------------- fleet's view -- */
byte fleetR;
bool fleetSplit;
bool running;                   /* the fleet consumes */
bool held;                      /* its gate is held for a resize */
bool sawEnds;                   /* the fleet read the marker with its ends... */
bool lined;                     /* ...and took hold lines: messages below them go on */
byte line[2];                   /* each old partition's hold line */
bool frozen;                    /* it saw a new R: old partitions stop at their split points */
byte pos[NPART];                /* next offset each consumer handles */

proctype Producer(byte k) {
  byte R = cfgR;                /* registered first, then the config is read */
  byte s = 0;
  byte part;
  bool paused = false;
  bool inflight = false;
  do
  :: atomic { !paused && !inflight && s < MAXS -> part = RANGE_OF(k, R); inflight = true }
  :: atomic { inflight -> logKey[part * LOGMAX + logLen[part]] = k; logSeq[part * LOGMAX + logLen[part]] = s; logLen[part]++; s++; inflight = false }
  /* the marker's watch fires: hold new sends */
  :: atomic { marker && !paused -> paused = true }
#ifdef BUG_ACK_IN_FLIGHT
  :: atomic { paused && marker && !acked[k] -> acked[k] = true }
#else
  :: atomic { paused && marker && !acked[k] && !inflight -> acked[k] = true }
#endif
  /* the marker is gone (cut over or rolled back): read the config, resume */
  :: atomic { paused && !marker -> R = cfgR; acked[k] = false; paused = false }
  /* close: sends in flight finish first, then the node goes */
  :: atomic { s == MAXS && !inflight && !paused -> gone[k] = true; break }
  od
}

#define PRODUCERS_PAUSED ((acked[0] || gone[0]) && (acked[1] || gone[1]))
/* the multi's checks: each producer's node, and the fleet's node as read (the same registration, still paused) */
#define MULTI_OK (PRODUCERS_PAUSED && (!sawFleet || (fleet == 1 && fleetNode == sawNode && fleetAck)))

proctype Resizer() {
  bool sawFleet;
  byte sawNode;
  atomic { cfgR == 2 && !marker -> marker = true }
#ifdef BUG_EARLY_OFFSETS
  atomic { split[0] = logLen[0]; split[1] = logLen[1] }
#endif
  /* every producer paused: read the end offsets, add them to the marker */
  do
  :: atomic { PRODUCERS_PAUSED ->
#ifndef BUG_EARLY_OFFSETS
       split[0] = logLen[0]; split[1] = logLen[1];
#endif
       ends = true };
     break
#ifndef NOTIMEOUT
  :: atomic { marker = false; ends = false }; goto done   /* --timeout or an error: roll back, config untouched */
#endif
  od;
  do
  :: atomic { PRODUCERS_PAUSED && (fleetAck || fleet == 0) ->
       sawFleet = (fleet == 1); sawNode = fleetNode };
     if
     :: atomic { MULTI_OK -> cfgR = 4; hasSplit = true; marker = false; ends = false }; break
     :: atomic { !MULTI_OK -> skip }             /* a checked node changed: wait again */
     fi
#ifndef NOTIMEOUT
  :: atomic { marker = false; ends = false }; break   /* --timeout or an error: roll back, config untouched */
#endif
  od;
done:
  skip
}

proctype Fleet() {
  byte r, starts = 0;
  bool sp;
  do
  :: fleet == 0 && starts < MAXSTARTS ->
     atomic { r = cfgR; sp = hasSplit };        /* read config */
     atomic { fleet = 1; fleetNode++; starts++ } /* register */
     /* the resize hold's first read (marker and config) comes before any range is taken */
     atomic { fleetR = r; fleetSplit = sp; held = (marker || cfgR != r); sawEnds = false; lined = false; frozen = false; fleetAck = false; running = true;
              pos[0] = committed[0]; pos[1] = committed[1]; pos[2] = committed[2]; pos[3] = committed[3] }
  /* the marker's watch: hold, maybe take hold lines, then say so */
#ifndef BUG_POLLER_NO_HOLD
  :: atomic { running && marker && !held && !frozen -> held = true; sawEnds = false; lined = false }
  :: atomic { running && marker && held && !fleetAck && !frozen -> fleetAck = true }
  /* the marker's ends, read before or after the ack, become hold lines (a step later: the read and the use are apart) */
  :: atomic { running && marker && ends && held && !sawEnds && !frozen && fleetR == 2 -> sawEnds = true }
#ifndef BUG_LINE_FROM_LOG
  :: atomic { running && held && sawEnds && !lined -> lined = true; line[0] = split[0]; line[1] = split[1] }
#else
  :: atomic { running && held && sawEnds && !lined -> lined = true; line[0] = logLen[0]; line[1] = logLen[1] }
#endif
#else
  :: atomic { running && marker && !fleetAck && !frozen -> fleetAck = true }
#endif
  /* the marker gone with the same R: rolled back */
  :: atomic { running && !marker && cfgR == fleetR && (held || fleetAck) -> held = false; sawEnds = false; lined = false; fleetAck = false }
  /* another R, split from the one it runs with: grow in place, positions kept, the split's barriers taken, the gate opened */
  :: atomic { running && cfgR != fleetR && !frozen && fleetR == 2 ->
       fleetR = cfgR;
#ifndef BUG_GROW_NO_BARRIER
       fleetSplit = true;
#endif
       held = false; sawEnds = false; lined = false; fleetAck = false }
  /* or: each old partition frozen at its split point, the gate released (then stop and start again) */
  :: atomic { running && cfgR != fleetR && !frozen -> frozen = true; held = false; sawEnds = false; lined = false }
  /* stop, or release everything to start again: what was handled is committed */
  :: atomic { running -> running = false; fleet = 0; fleetAck = false; held = false; sawEnds = false; lined = false }
  :: else -> break
  od
}

/* where partition p's barrier holds (EMPTY: none) */
#define HOLD(p) ((fleetSplit && PARENT(p) != (p)) -> ((p) < 2 -> split[p] : 0) : EMPTY)
#ifndef BUG_NO_BARRIER
#define BARRIER_OPEN(p) (HOLD(p) == EMPTY || pos[p] < HOLD(p) || committed[PARENT(p)] >= split[PARENT(p)])
#else
#define BARRIER_OPEN(p) true
#endif
#ifndef BUG_NO_FREEZE
#define BELOW_FREEZE(p) (!frozen || ((p) < 2 && pos[p] < split[p]))
#else
#define BELOW_FREEZE(p) true
#endif

proctype Consumer(byte p) {
  byte k, s, i;
end_wait:
  do
  :: atomic {
       running && (!held || (lined && p < 2 && pos[p] < line[p])) && p < fleetR && pos[p] < logLen[p] && BELOW_FREEZE(p) && BARRIER_OPEN(p) ->
       i = p * LOGMAX + pos[p];
       k = logKey[i]; s = logSeq[i];
       if
       :: s != handledSeq[k] -> bad_order = true
       :: else -> skip
       fi;
       if
       :: fleetSplit && !PLACED(p, pos[p], k) -> bad_place = true
       :: else -> skip
       fi;
       handledSeq[k] = s + 1;
       pos[p]++;
       committed[p] = pos[p]
     }
  od
}

/* Once nothing else can move: every entry sits where the split says. */
active proctype Checker() {
  byte p, i;
  timeout ->
  atomic {
    if
    :: hasSplit ->
       p = 0;
       do
       :: p < NPART ->
          i = 0;
          do
          :: i < logLen[p] ->
             if
             :: !PLACED(p, i, logKey[p * LOGMAX + i]) -> bad_place = true
             :: else -> skip
             fi;
             i++
          :: else -> break
          od;
          p++
       :: else -> break
       od
    :: else -> skip
    fi
  }
}

init {
  atomic {
    run Producer(0); run Producer(1); run Resizer();
    run Fleet(); run Consumer(0); run Consumer(1); run Consumer(2); run Consumer(3)
  }
}

ltl in_order     { [] !bad_order }
ltl placed       { [] !bad_place }
ltl safety_split { [] !(bad_order || bad_place) }
ltl live_resize  { <> (cfgR == 4) }
