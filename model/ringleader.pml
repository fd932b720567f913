/*
 * ringleader.pml -- SPIN model of the lease, handoff and commit protocol of
 * ringleader (docs/design.md, "ZooKeeper layout" and "Protocol").
 * Names of range states and actions follow docs/internals.md:
 *   range states  idle -> acquiring -> owned -> releasing -> idle
 *   actions       acquire handle ack commit release crash pause expire
 *                 elect publish depose
 *   in assignment.pml (the assignment as a header and one node per poller):
 *                 stage commit-epoch read-assignment (with elect publish depose)
 * A poller's ZooKeeper writes are batched (process Batches): one multi of
 * lease creates (acquire), one commit multi with a unit [check(leases/r),
 * setData(offsets/r)] per changed range (commit), one multi of lease removes
 * (release). Here the assignment is one value written atomically (owners).
 * Helper steps that are not protocol actions (environment / plumbing):
 *   join (create leader/n_), heal / partition (network), tick (time passes),
 *   resume (SIGCONT), heartbeat (the cheap read every session-timeout/3),
 *   rejoin (new session after expiry), drop (a range of an expired session is
 *   dropped uncommitted), restart (a crashed poller comes back).
 *
 * Configuration (override with spin -DNAME=value):
 *   NM        messages per range (offsets 0..NM-1 are in Kafka from the start)
 *   MAXF      number of faults (crash, pause, partition, depose) in one run
 *   ANY_VIEW  pollers follow any assignment at any time, no coordinators: the
 *             leases alone must keep the safety properties (a poller may act
 *             on an older or newer epoch than another)
 * Fixed: 3 pollers, 2 ranges, 2 coordinators (the formulas name them).
 *
 * Mutants (each must make a property fail; see model/README.md):
 *   BUG_COMMIT_WITHOUT_LEASE_CHECK  commit = plain setData(offsets/r) on the
 *                                   poller's current client (no check(leases/r),
 *                                   not bound to the lease's session)
 *   BUG_ACQUIRE_BEFORE_RELEASE      acquire proceeds on NODEEXISTS (takes the
 *                                   range while the old owner still holds it)
 *   BUG_NO_PAUSE_ON_DISCONNECT      handle does not check the local deadline
 *   BUG_PUBLISH_WITHOUT_LEADER_CHECK publish = setData(assignment, version)
 *                                   without check(own leader node)
 *   BUG_VERSION_ONLY_FENCE          commit = multi(check(leases/r, version),
 *                                   setData) on the current client: ZooKeeper
 *                                   versions restart at 0 when a node is
 *                                   re-created, so this does not fence
 *   BUG_BATCH_SINGLE_CHECK          the commit multi fences only its first
 *                                   unit; the other setData ride along unchecked
 *   with -DHEALTH (unhealthy marks in member nodes, docs/design.md
 *   "Unhealthy pollers"):
 *   BUG_IGNORE_HEALTH               the leader assigns to unhealthy members
 *                                   while healthy ones exist
 *   BUG_HEALTHY_ONLY                the leader assigns to healthy members only,
 *                                   even when none is (ranges go unowned)
 *
 * HEALTH: each poller's member node may carry an unhealthy mark, set (NP
 * times per run, not counted as faults) and cleared at any time. The leader assigns to the
 * members without a mark, or to every member when all have one.
 */

#ifndef NM
#define NM 2
#endif
#ifndef MAXF
#define MAXF 2
#endif

#define NP 3
#define NR 2
#define NC 2
#define NONE 255
#define ALLMSG ((1 << NM) - 1)

mtype = { idle, acquiring, owned, releasing };

/* ------------------------------------------------------------ ZooKeeper -- */
/* sessions: poller p has one current session, number gen[p]; salive[p] is
 * "the server still has that session" (= pollers/<id> exists). A request
 * sent on session g of p succeeds only if g == gen[p] && salive[p].        */
bool  salive[NP];
byte  gen[NP];
/* leases/<r>: ephemeral, owned by the current session of poller lease[r]-1 */
byte  lease[NR];              /* 0 = no znode, else poller+1              */
/* offsets/<r>: persistent                                                */
byte  off[NR];
/* assignment: persistent, versioned; amem = member set it was computed for */
byte  owners[NR];
byte  aver;
byte  amem;
/* leader/n_: ephemeral sequential, one per coordinator candidate          */
byte  lnode[NC];              /* 0 = none, else sequence number           */
byte  lseq;

/* ------------------------------------------------------------ processes -- */
/* poller-local state; range state of (p,r) at index p*NR+r                 */
mtype rs[NP*NR];
byte  rgen[NP*NR];            /* session the range was acquired on        */
byte  next[NP*NR];            /* lowest offset not yet acknowledged       */
byte  cmt[NP*NR];             /* last offset this poller committed/read   */
bool  infl[NP*NR];            /* message next[] is being handled          */
bool  dl[NP];                 /* local deadline passed (last reply + 2/3 T) */
bool  net[NP];                /* network to ZooKeeper up                  */
bool  stopped[NP];            /* SIGSTOP (zombie)                         */
bool  dead[NP];               /* crashed                                  */
/* coordinator-local state                                                  */
byte  cwon[NC];               /* leader node it won with (0 = not leader) */
byte  cphase[NC];             /* publish: 0 idle, 1 read done             */
byte  cmem[NC];
byte  cver[NC];
/* environment                                                              */
byte  faults;
#ifdef HEALTH
bool  sick[NP];               /* pollers/<id> carries an unhealthy mark   */
byte  marks;                  /* marks set so far: at most NP per run (enough to mark every poller) */
byte  call[NC];               /* members when it read (publish 1)         */
byte  csick[NC];              /* marked members when it read              */
bool  bad_sick;               /* gave a range to a marked member while an unmarked one existed */
bool  bad_unowned;            /* left a range without owner while a member existed */
#endif

/* ------------------------------------------------------ ghost / monitor -- */
byte  acked[NR];              /* bit o: offset o was acknowledged by someone */
bool  bad_commit;             /* a commit succeeded while not lease holder */
bool  bad_mono;               /* committed offset decreased               */
bool  bad_skip;               /* committed past an unacknowledged offset  */
bool  bad_pause;              /* started a message without session/lease  */
bool  bad_publish;            /* assignment written by a non-leader       */

#define I(p,r)      ((p)*NR+(r))
#define HOLDS(p,r)  ((rs[I(p,r)]==owned || rs[I(p,r)]==releasing) && rgen[I(p,r)]==gen[p] && salive[p])
#define TWO(r)      ((HOLDS(0,r) && HOLDS(1,r)) || (HOLDS(0,r) && HOLDS(2,r)) || (HOLDS(1,r) && HOLDS(2,r)))
#define MEMBERS     ((salive[0] -> 1 : 0) | (salive[1] -> 2 : 0) | (salive[2] -> 4 : 0))
/* the members the leader assigns to (coordinator/assignable-members.ts) */
#if !defined(HEALTH) || defined(BUG_IGNORE_HEALTH)
#define ASSIGNABLE  (MEMBERS)
#else
#define SICK        ((sick[0] -> 1 : 0) | (sick[1] -> 2 : 0) | (sick[2] -> 4 : 0))
#define HEALTHY_M   (MEMBERS & (7 - SICK))
#ifdef BUG_HEALTHY_ONLY
#define ASSIGNABLE  (HEALTHY_M)
#else
#define ASSIGNABLE  (HEALTHY_M != 0 -> HEALTHY_M : MEMBERS)
#endif
#endif
#define LIVE(p)     (!dead[p] && !stopped[p])
#define HEALTHY(q)  (!dead[q] && !stopped[q] && net[q] && salive[q] && !dl[q])
#define OTHER_OK(p) ((p != 0 && HEALTHY(0)) || (p != 1 && HEALTHY(1)) || (p != 2 && HEALTHY(2)))
/* a range's ZooKeeper request, sent on the session the range was acquired on */
#define REQ_OK(p,r) (net[p] && salive[p] && rgen[I(p,r)]==gen[p])
#define LOWEST(x)   ((lnode[0]==0 || lnode[0]>=x) && (lnode[1]==0 || lnode[1]>=x))

/* assign(): deterministic in the member set: r -> (r mod n)-th member */
inline assign(m) {
  byte n, k, q, rr;
  n = 0; k = 0; q = 0; rr = 0;
  q = 0; do :: q < NP -> if :: (m >> q) & 1 -> n++ :: else fi; q++ :: else -> break od;
  rr = 0;
  do
  :: rr < NR ->
     if
     :: n == 0 -> owners[rr] = NONE
     :: else ->
        k = rr % n; q = 0;
        do
        :: ((m >> q) & 1) && k == 0 -> break
        :: ((m >> q) & 1) && k > 0 -> k--; q++
        :: !((m >> q) & 1) -> q++
        od;
        owners[rr] = q
     fi;
     rr++
  :: else -> break
  od
}

#ifdef HEALTH
/* monitor: the assignment just published from the members read in publish (1) */
inline check_health(c) {
  if :: call[c] != 0 && (owners[0] == NONE || owners[1] == NONE) -> bad_unowned = true :: else fi;
  if :: (call[c] & (7 - csick[c])) != 0 &&
        ((owners[0] != NONE && ((csick[c] >> owners[0]) & 1)) ||
         (owners[1] != NONE && ((csick[c] >> owners[1]) & 1))) -> bad_sick = true
     :: else fi
}
#endif

/* monitor checks done inside a successful commit of value v on range r */
inline check_commit(p, r, v) {
  if :: lease[r] != p+1 || !salive[p] -> bad_commit = true :: else fi;
  if :: v < off[r] -> bad_mono = true :: else fi;
  if :: (acked[r] & ((1 << v) - 1)) != ((1 << v) - 1) -> bad_skip = true :: else fi
}

/* ---------------------------------------------------------------- poller -- */
/* The assignment names p for r. With -DANY_VIEW a poller may act on any view
 * at any time (a stale or a newer epoch, or none): the lease rules alone
 * must keep the safety properties whatever the assignment says.           */
#ifdef ANY_VIEW
#define ASSIGNED(p,r)     true
#define NOT_ASSIGNED(p,r) true
#else
#define ASSIGNED(p,r)     (owners[r] == p)
#define NOT_ASSIGNED(p,r) (owners[r] != p)
#endif

/* One range loop: the local steps of a range. Its ZooKeeper writes (lease
 * create, commit, lease delete) are batched per poller: see Batches(p).   */
proctype Range(byte p; byte r) {
end:
  do
  /* acquire: the assignment names p -> start acquiring on the current session */
  :: atomic { LIVE(p) && salive[p] && net[p] && !dl[p] &&
       rs[I(p,r)] == idle && ASSIGNED(p,r) ->
       rs[I(p,r)] = acquiring; rgen[I(p,r)] = gen[p] }
  /* acquire: only after the create succeeded, read offsets/r and seek there */
  :: atomic { LIVE(p) && rs[I(p,r)] == acquiring && REQ_OK(p,r) && lease[r] == p+1 ->
       next[I(p,r)] = off[r]; cmt[I(p,r)] = off[r]; rs[I(p,r)] = owned }
  /* acquire cancelled: reassigned before the create succeeded */
  :: atomic { LIVE(p) && rs[I(p,r)] == acquiring && NOT_ASSIGNED(p,r) && lease[r] != p+1 ->
       rs[I(p,r)] = idle }
  /* handle: start message next[] -- only if the local deadline has not
   * passed (self-fencing) and the range belongs to the current session    */
  :: atomic { LIVE(p) && rs[I(p,r)] == owned && !infl[I(p,r)] && next[I(p,r)] < NM &&
#ifndef BUG_NO_PAUSE_ON_DISCONNECT
       !dl[p] &&
#endif
       rgen[I(p,r)] == gen[p] ->
       if :: !salive[p] || lease[r] != p+1 -> bad_pause = true :: else fi;
       infl[I(p,r)] = true }
  /* ack: the handler resolved (local; in-flight work finishes even when paused) */
  :: atomic { LIVE(p) && infl[I(p,r)] ->
       acked[r] = acked[r] | (1 << next[I(p,r)]);
       next[I(p,r)]++; infl[I(p,r)] = false }
  /* release: assigned elsewhere -> stop fetching */
  :: atomic { LIVE(p) && rs[I(p,r)] == owned && NOT_ASSIGNED(p,r) -> rs[I(p,r)] = releasing }
  /* drop: a range acquired on an expired session is dropped uncommitted */
  :: atomic { LIVE(p) && rs[I(p,r)] != idle && rgen[I(p,r)] != gen[p] ->
       rs[I(p,r)] = idle; infl[I(p,r)] = false }
  od
}

/* ---------------------------------------------------- poller: batched multis */
/* acquire wants leases/r: acquiring on the current session, not created yet */
#define WANTS(p,r)   (rs[I(p,r)] == acquiring && rgen[I(p,r)] == gen[p] && lease[r] != p+1)
/* commit has a unit for r: held (owned/releasing) and acknowledged past the last commit */
#define CHANGED(p,r) ((rs[I(p,r)] == owned || rs[I(p,r)] == releasing) && next[I(p,r)] > cmt[I(p,r)])
/* release can delete leases/r: in-flight finished and committed */
#define DONE(p,r)    (rs[I(p,r)] == releasing && !infl[I(p,r)] && next[I(p,r)] == cmt[I(p,r)] && rgen[I(p,r)] == gen[p])

/* FENCE(p,r): unit r of a commit multi sent on p's current session passes.
 * Correct: its lease was created by this very session and check(leases/r,
 * version) passes. A unit whose lease came from an older session fails
 * (the poller must refuse it before sending: ZooKeeper versions restart at
 * 0 when a node is re-created, so the check alone would pass on another
 * poller's lease; refusing it and resending the rest is the same as the
 * whole multi failing and being resent without it).                       */
#if defined(BUG_COMMIT_WITHOUT_LEASE_CHECK)
#define FENCE(p,r)   true                                  /* plain setData, no check */
#elif defined(BUG_VERSION_ONLY_FENCE)
#define FENCE(p,r)   (lease[r] != 0)                       /* version 0 matches any lease */
#elif defined(BUG_BATCH_SINGLE_CHECK)
#define FENCE(p,r)   ((r == 1 && CHANGED(p,0)) || (rgen[I(p,r)] == gen[p] && lease[r] == p+1))  /* only the first unit is checked */
#else
#define FENCE(p,r)   (rgen[I(p,r)] == gen[p] && lease[r] == p+1)
#endif
#define UNIT_PASSES(p,r) (!CHANGED(p,r) || FENCE(p,r))

inline create_lease(p, r) {
#ifdef BUG_ACQUIRE_BEFORE_RELEASE
  /* NODEEXISTS taken as "mine" (e.g. after a retried create): go on */
  if :: WANTS(p,r) ->
          if :: lease[r] == 0 -> lease[r] = p+1 :: else -> skip fi;
          next[I(p,r)] = off[r]; cmt[I(p,r)] = off[r]; rs[I(p,r)] = owned
     :: else fi
#else
  if :: WANTS(p,r) && lease[r] == 0 -> lease[r] = p+1 :: else fi
#endif
}
inline commit_unit(p, r) {
  if :: CHANGED(p,r) ->
          check_commit(p, r, next[I(p,r)]);
          off[r] = next[I(p,r)]; cmt[I(p,r)] = next[I(p,r)]
     :: else fi
}
inline fenced_unit(p, r) {          /* the failed unit's range is dropped uncommitted */
  if :: !UNIT_PASSES(p,r) -> rs[I(p,r)] = idle; infl[I(p,r)] = false :: else fi
}
inline remove_lease(p, r) {
  if :: DONE(p,r) -> lease[r] = 0; rs[I(p,r)] = idle :: else fi
}

/* The poller's ZooKeeper writes, each ONE multi for all its ranges, sent on
 * its current session (a range of an older session is never proven here). */
proctype Batches(byte p) {
end:
  do
  /* acquire: multi of create(leases/r) for every range it wants. Atomic: if
   * one exists none is created; the reply names it and the poller resends
   * the multi without it (it waits for that one). The failed multi changes
   * nothing, so the model takes the resend directly.                       */
  :: atomic { LIVE(p) && net[p] && salive[p] &&
#ifdef BUG_ACQUIRE_BEFORE_RELEASE
       (WANTS(p,0) || WANTS(p,1)) ->
#else
       ((WANTS(p,0) && lease[0] == 0) || (WANTS(p,1) && lease[1] == 0)) ->
#endif
       create_lease(p, 0); create_lease(p, 1) }
  /* commit: multi of one unit [check(leases/r, version), setData(offsets/r,
   * lowest unacked)] per changed range. Atomic: all units apply or none; a
   * failed unit's range is fenced (dropped), the others are resent. Offsets
   * never go backwards: a unit is only sent above the last commit/read.   */
  :: atomic { LIVE(p) && net[p] && salive[p] && (CHANGED(p,0) || CHANGED(p,1)) ->
       if
       :: UNIT_PASSES(p,0) && UNIT_PASSES(p,1) -> commit_unit(p, 0); commit_unit(p, 1)
       :: else -> fenced_unit(p, 0); fenced_unit(p, 1)
       fi }
  /* release: multi of remove(leases/r, version) for every range drained and
   * committed. On its own live session the poller's leases exist with its
   * versions, so the multi succeeds.                                      */
  :: atomic { LIVE(p) && net[p] && salive[p] && (DONE(p,0) || DONE(p,1)) ->
       remove_lease(p, 0); remove_lease(p, 1) }
  od
}

/* ----------------------------------------------------------- coordinator -- */
proctype Coordinator(byte c) {
end:
  do
  /* join the election: create leader/n_ (ephemeral sequential) */
  :: atomic { lnode[c] == 0 -> lseq++; lnode[c] = lseq }
  /* elect: own node is the lowest (and its ephemeralOwner is our session) */
  :: atomic { lnode[c] != 0 && cwon[c] != lnode[c] && cphase[c] == 0 && LOWEST(lnode[c]) ->
       cwon[c] = lnode[c] }
  /* a deposed leader notices that its node is gone and steps down */
  :: atomic { cwon[c] != 0 && cwon[c] != lnode[c] && cphase[c] == 0 -> cwon[c] = 0 }
  /* publish (1): membership differs from the assignment's: read members and
   * the assignment's version (a leader that was deposed may still do this)  */
  :: atomic { cwon[c] != 0 && cphase[c] == 0 && ASSIGNABLE != amem ->
       cmem[c] = ASSIGNABLE; cver[c] = aver; cphase[c] = 1;
#ifdef HEALTH
       call[c] = MEMBERS; csick[c] = (sick[0] -> 1 : 0) | (sick[1] -> 2 : 0) | (sick[2] -> 4 : 0);
#endif
       skip }
  /* depose: the leader's session expires, its leader node vanishes; the
   * coordinator gets a new session at once but may still think it leads */
  :: atomic { faults < MAXF && cwon[c] != 0 && lnode[c] == cwon[c] -> faults++; lnode[c] = 0 }
  /* publish (2): multi(check(own leader node), setData(assignment, cver)) */
  :: atomic { cphase[c] == 1 ->
       if
#ifdef BUG_PUBLISH_WITHOUT_LEADER_CHECK
       :: aver == cver[c] ->
#else
       :: lnode[c] == cwon[c] && aver == cver[c] ->
#endif
          if :: !(lnode[c] == cwon[c] && LOWEST(cwon[c])) -> bad_publish = true :: else fi;
          assign(cmem[c]); amem = cmem[c]; aver++;
#ifdef HEALTH
          check_health(c);
#endif
          skip
       :: else ->             /* failed: step down if deposed, else re-read */
          if :: lnode[c] != cwon[c] -> cwon[c] = 0 :: else fi
       fi;
       cphase[c] = 0 }
  od
}

/* ----------------------------------------------------------- environment -- */
/* Time is abstract. ASSUMPTION (the real-time argument): the server expires a
 * session only after it heard nothing from the client for the session timeout
 * T; the poller's local deadline is its last successful reply + 2T/3, and the
 * last reply is later than the server's last heartbeat from it. So, with
 * clocks whose rates differ by less than the 1/3 margin, the local deadline
 * always passes before the server can expire the session. In the model:
 * `expire` of a live (not crashed) poller is enabled only once dl[p] holds,
 * and dl[p] can become true only while the poller gets no replies (network
 * down, or process stopped) -- `tick`.                                     */
proctype Session(byte p) {
end:
  do
  /* heartbeat: a successful read resets the deadline; a reply "session
   * expired" makes the poller rejoin with a new client / session (its
   * ranges of the old session are dropped by their range loops: `drop`)  */
  :: atomic { !dead[p] && !stopped[p] && net[p] && dl[p] ->
       if
       :: salive[p] -> dl[p] = false
       :: else -> gen[p]++; salive[p] = true; dl[p] = false      /* rejoin */
       fi }
  /* crash (kill -9): local state gone; the session lingers until expire */
  :: atomic { faults < MAXF && !dead[p] && OTHER_OK(p) ->
       faults++; dead[p] = true;
       rs[I(p,0)] = idle; rs[I(p,1)] = idle; infl[I(p,0)] = false; infl[I(p,1)] = false }
  /* pause (SIGSTOP): the zombie keeps its local state */
  :: atomic { faults < MAXF && !dead[p] && !stopped[p] && OTHER_OK(p) ->
       faults++; stopped[p] = true }
  /* partition: ZooKeeper unreachable (the client may not even notice) */
  :: atomic { faults < MAXF && !dead[p] && net[p] && OTHER_OK(p) ->
       faults++; net[p] = false }
#ifdef HEALTH
  /* mark: the poller cannot fetch or reach its handler and says so */
  :: atomic { marks < NP && salive[p] && !sick[p] -> marks++; sick[p] = true }
  /* the poller works again and deletes its mark */
  :: atomic { sick[p] -> sick[p] = false }
#endif
  /* resume (SIGCONT) */
  :: atomic { stopped[p] -> stopped[p] = false }
  /* heal the network */
  :: atomic { !net[p] -> net[p] = true }
  /* tick: time passes without replies: the local deadline passes */
  :: atomic { !dead[p] && !dl[p] && (!net[p] || stopped[p]) -> dl[p] = true }
  /* expire: server-side session expiry deletes the session's ephemerals
   * (pollers/<id> and its leases/<r>)                                     */
  :: atomic { salive[p] && (dead[p] || dl[p]) ->
       salive[p] = false;
       if :: lease[0] == p+1 -> lease[0] = 0 :: else fi;
       if :: lease[1] == p+1 -> lease[1] = 0 :: else fi }
  /* restart: a crashed poller comes back with a new session */
  :: atomic { dead[p] && !salive[p] ->
       dead[p] = false; stopped[p] = false; net[p] = true; dl[p] = false;
       gen[p]++; salive[p] = true }
  od
}

init {
  atomic {
    byte i;
    i = 0;
    do :: i < NP -> salive[i] = true; net[i] = true; i++ :: else -> break od;
    owners[0] = NONE; owners[1] = NONE;

    i = 0;
    do :: i < NP*NR -> rs[i] = idle; i++ :: else -> break od;
    run Range(0,0); run Range(0,1); run Range(1,0); run Range(1,1); run Range(2,0); run Range(2,1);
    run Batches(0); run Batches(1); run Batches(2);
    run Session(0); run Session(1); run Session(2);
#ifndef ANY_VIEW
    run Coordinator(0); run Coordinator(1)
#endif
  }
}

/* ------------------------------------------------------------ properties -- */
/* at most one lease holder per range at any time */
ltl one_holder     { [] !(TWO(0) || TWO(1)) }
/* only the lease holder's commit succeeds */
ltl commit_fenced  { [] !bad_commit }
/* committed offsets never decrease */
ltl offsets_monotone { [] !bad_mono }
/* every message below a committed offset was acknowledged (nothing skipped) */
ltl no_skip        { [] !bad_skip }
/* a poller does not start a message after its session could have expired */
ltl pause_rule     { [] !bad_pause }
/* only the current leader's assignment write succeeds */
ltl publish_fenced { [] !bad_publish }
/* all six safety properties in one search (used by run.sh --ci) */
ltl safety_all     { [] !(TWO(0) || TWO(1) || bad_commit || bad_mono || bad_skip || bad_pause || bad_publish) }
/* liveness (weak fairness, faults bounded by MAXF, one poller always healthy):
 * every range is eventually leased for good, every message handled and committed */
ltl live_leased    { <> [] (lease[0] != 0 && lease[1] != 0) }
ltl live_handled   { <> (acked[0] == ALLMSG && acked[1] == ALLMSG && off[0] == NM && off[1] == NM) }
#ifdef HEALTH
/* a marked member gets no range while an unmarked member exists */
ltl healthy_first  { [] !bad_sick }
/* marks never leave a range without an owner while there are members */
ltl never_unowned  { [] !bad_unowned }
/* the six safety properties with unhealthy marks, and the two above */
ltl safety_health  { [] !(TWO(0) || TWO(1) || bad_commit || bad_mono || bad_skip || bad_pause || bad_publish || bad_sick || bad_unowned) }
#endif
