/*
 * assignment.pml -- SPIN model of publishing and reading the assignment as
 * several znodes with one consistent epoch (docs/design.md, "Publishing the
 * assignment"). ringleader.pml abstracts the assignment to one value written
 * atomically; this model checks that a poller reading the multi-znode layout
 * only ever acts on ranges of a committed epoch.
 *
 *   assignment          header {epoch}: the commit point
 *   assignment/<id>     one per poller {epoch, ranges, prev: {epoch, ranges}}
 *
 * Actions (names as in ringleader.pml and docs/internals.md):
 *   elect, depose, publish = read, stage (a), commit-epoch (b), delete (c);
 *   read-assignment (a poller reads the header, then its own node)
 * Helper steps: join (create leader/n_), step down.
 *
 * read-assignment needs no process of its own: the header only grows, so a
 * poller that reads its node now may have read the header at any committed
 * epoch h before. check_views() evaluates, after every write, the view of
 * every poller for every committed h: that covers every interleaving of a
 * reader's two reads with the publishes.
 *
 * Configuration (override with spin -DNAME=value):
 *   NP    pollers, 2 or 3
 *   MAXE  highest epoch a leader may publish (bounds the number of publishes)
 *   MAXD  number of deposes in one run
 * Fixed: 2 ranges, 2 coordinators. assign() is abstracted to any choice:
 * every publish may give each range to any poller or to nobody.
 *
 * Mutants (each must make committed_view fail; see model/README.md):
 *   BUG_READ_STAGED   the reader takes node.ranges without checking
 *                     node.epoch <= header epoch (acts on a staged set)
 *   BUG_KEEP_GARBAGE  a new leader does not rewrite a node staged beyond the
 *                     committed epoch (by a deposed leader) when that
 *                     poller's ranges do not change
 */

#ifndef NP
#define NP 3
#endif
#ifndef MAXE
#define MAXE 4
#endif
#ifndef MAXD
#define MAXD 2
#endif

#define NC 2

/* ------------------------------------------------------------ ZooKeeper -- */
/* header: only a commit writes it, so its data version changes exactly when
 * its epoch does; the model uses the epoch as the expected version        */
byte  hep;
/* assignment/<p>; ranges are bit sets over the 2 ranges                  */
bool  nx[NP];                 /* node exists                              */
byte  ne[NP];                 /* epoch                                    */
byte  nr[NP];                 /* ranges                                   */
byte  npe[NP];                /* prev.epoch                               */
byte  npr[NP];                /* prev.ranges                              */
/* leader/n_: ephemeral sequential, one per coordinator candidate          */
byte  lnode[NC];
byte  lseq;

/* ----------------------------------------------------- coordinator-local -- */
byte  cwon[NC];               /* leader node it won with (0 = not leader) */
byte  cph[NC];                /* publish: 0 idle, 1 staging, 2 deleting   */
byte  cH[NC];                 /* committed header epoch it read           */
byte  cN[NC];                 /* epoch it publishes                       */
byte  cnew[NC*NP];            /* its new ranges for each poller           */
byte  cmask[NC];              /* pollers still to stage                   */
byte  faults;

/* ------------------------------------------------------ ghost / monitor -- */
byte  ce;                     /* bit h: epoch h was committed             */
byte  cset[NP];               /* bit s: p's ranges were s at a committed epoch */
bool  bad_view;               /* some poller could act on a set never committed for it */
hidden byte hp, hh, hv;       /* loop variables of check_views (not state) */

#define LOWEST(x)  ((lnode[0]==0 || lnode[0]>=x) && (lnode[1]==0 || lnode[1]>=x))
#define LEADS(c)   (lnode[c] == cwon[c])
#define NEWR(c,p)  cnew[(c)*NP+(p)]
/* Effective ranges of p at committed epoch h, and the epoch they were set
 * in. A node beyond h was staged later: its prev is the view at the header
 * its stager read, which is <= h. A missing node has no ranges; when they
 * were emptied is unknown, so its epoch is h (an older reader reads again). */
#define EFFR(p,h)  (!nx[p] -> 0 : (ne[p] <= (h) -> nr[p] : npr[p]))
#define EFFE(p,h)  (!nx[p] -> (h) : (ne[p] <= (h) -> ne[p] : npe[p]))
/* the node holds an epoch staged beyond the committed h (never committed) */
#define GARBAGE(p,h) (nx[p] && ne[p] > (h))

/* read-assignment (2), by poller p that read header h: its view, or 255
 * when the read is stale (it then reads the header again)                */
inline view(p, h, v) {
  if
  :: !nx[p] -> v = 0                                      /* no node: no ranges */
#ifdef BUG_READ_STAGED
  :: else -> v = nr[p]
#else
  :: nx[p] && ne[p] <= h -> v = nr[p]
  :: nx[p] && ne[p] > h && npe[p] <= h -> v = npr[p]
  :: else -> v = 255
#endif
  fi
}

/* after every write: every poller, having read any committed header h, acts
 * only on a set that was its set at some committed epoch                 */
inline check_views() {
  hp = 0;
  do
  :: hp < NP ->
     hh = 0;
     do
     :: hh <= MAXE ->
        if
        :: (ce >> hh) & 1 ->
           view(hp, hh, hv);
           if :: hv != 255 && !((cset[hp] >> hv) & 1) -> bad_view = true :: else fi
        :: else
        fi;
        hh++
     :: else -> break
     od;
     hp++
  :: else -> break
  od
}

/* forget the publish (keeps the state canonical) */
inline publish_done(c) {
  cph[c] = 0; cH[c] = 0; cN[c] = 0; cmask[c] = 0;
  NEWR(c,0) = 0; NEWR(c,1) = 0;
#if NP == 3
  NEWR(c,2) = 0;
#endif
  skip
}

/* assign(): the owner of range rr in c's new assignment: a poller or nobody */
inline choose_owner(c, rr) {
  if
  :: NEWR(c,0) = NEWR(c,0) | (1 << rr)
  :: NEWR(c,1) = NEWR(c,1) | (1 << rr)
#if NP == 3
  :: NEWR(c,2) = NEWR(c,2) | (1 << rr)
#endif
  :: skip
  fi
}

/* pollers whose node the publish writes: its ranges change, or (unless the
 * mutant) its node holds a staged, never committed epoch                 */
inline to_stage(c, p) {
  if
  :: NEWR(c,p) != EFFR(p, cH[c]) -> cmask[c] = cmask[c] | (1 << p)
#ifndef BUG_KEEP_GARBAGE
  :: NEWR(c,p) == EFFR(p, cH[c]) && GARBAGE(p, cH[c]) -> cmask[c] = cmask[c] | (1 << p)
#endif
  :: else
  fi
}

/* stage (a): multi(check(own leader node), write assignment/<p>) for one
 * poller. prev is computed from the node as it is now, which is what the
 * leader read at the start of its publish: while it leads nobody else can
 * write the node (every write carries check(own leader node)).            */
inline stage(c, p) {
  if
  :: LEADS(c) ->
     npr[p] = EFFR(p, cH[c]); npe[p] = EFFE(p, cH[c]);
     nr[p] = NEWR(c,p); ne[p] = cN[c]; nx[p] = true;
     cmask[c] = cmask[c] & ~(1 << p);
     check_views()
  :: else -> cwon[c] = 0; publish_done(c)                 /* deposed: step down */
  fi
}

inline record_committed(c) {
  ce = ce | (1 << cN[c]);
  cset[0] = cset[0] | (1 << NEWR(c,0));
  cset[1] = cset[1] | (1 << NEWR(c,1));
#if NP == 3
  cset[2] = cset[2] | (1 << NEWR(c,2));
#endif
  skip
}

inline delete_empty(c, p) {
  if :: nx[p] && NEWR(c,p) == 0 -> nx[p] = false; ne[p] = 0; nr[p] = 0; npe[p] = 0; npr[p] = 0 :: else fi
}

/* ----------------------------------------------------------- coordinator -- */
proctype Coordinator(byte c) {
  byte m;
end:
  do
  /* join the election: create leader/n_ (ephemeral sequential) */
  :: atomic { lnode[c] == 0 -> lseq++; lnode[c] = lseq }
  /* elect: own node is the lowest */
  :: atomic { lnode[c] != 0 && cwon[c] != lnode[c] && cph[c] == 0 && LOWEST(lnode[c]) -> cwon[c] = lnode[c] }
  /* a deposed leader notices that its node is gone and steps down */
  :: atomic { cwon[c] != 0 && !LEADS(c) && cph[c] == 0 -> cwon[c] = 0 }
  /* depose: the leader's session expires and its node vanishes, at any
   * point of a publish (its new session joins again at once). It goes on
   * believing it leads; its next write fails on check(own leader node)
   * whatever it carries, so only the phase of its publish is kept        */
  :: atomic { faults < MAXD && cwon[c] != 0 && LEADS(c) ->
       faults++; lseq++; lnode[c] = lseq;
       cH[c] = 0; cN[c] = 0; cmask[c] = 0; NEWR(c,0) = 0; NEWR(c,1) = 0;
#if NP == 3
       NEWR(c,2) = 0
#endif
     }
  /* publish: read the header H and every assignment/<p>; choose the new
   * assignment; epoch N = 1 + max(H, every node's epoch)                 */
  :: atomic { cwon[c] != 0 && cph[c] == 0 ->
       cH[c] = hep; m = hep;
       if :: nx[0] && ne[0] > m -> m = ne[0] :: else fi;
       if :: nx[1] && ne[1] > m -> m = ne[1] :: else fi;
#if NP == 3
       if :: nx[2] && ne[2] > m -> m = ne[2] :: else fi;
#endif
       m++;
       if
       :: m <= MAXE ->
          cN[c] = m;
          choose_owner(c, 0); choose_owner(c, 1);
          to_stage(c, 0); to_stage(c, 1);
#if NP == 3
          to_stage(c, 2);
#endif
          if :: cmask[c] != 0 -> cph[c] = 1 :: else -> publish_done(c) fi  /* no change */
       :: else -> publish_done(c)                                          /* epochs bounded */
       fi;
       m = 0 }
  /* stage (a): one multi per poller to write, lowest id first (pollers are
   * symmetric: assign() is any choice, so any other order is a renaming) */
  :: atomic { cph[c] == 1 && (cmask[c] & 1) -> stage(c, 0) }
  :: atomic { cph[c] == 1 && (cmask[c] & 3) == 2 -> stage(c, 1) }
#if NP == 3
  :: atomic { cph[c] == 1 && (cmask[c] & 7) == 4 -> stage(c, 2) }
#endif
  /* commit-epoch (b): multi(check(own leader node), setData(header, {N}, version of H)) */
  :: atomic { cph[c] == 1 && cmask[c] == 0 ->
       if
       :: LEADS(c) && hep == cH[c] -> hep = cN[c]; record_committed(c); check_views(); cph[c] = 2
       :: else -> if :: !LEADS(c) -> cwon[c] = 0 :: else fi; publish_done(c)
       fi }
  /* delete (c): multi(check(own leader node), delete every node whose
   * committed ranges are empty)                                          */
  :: atomic { cph[c] == 2 ->
       if
       :: LEADS(c) ->
          delete_empty(c, 0); delete_empty(c, 1);
#if NP == 3
          delete_empty(c, 2);
#endif
          check_views()
       :: else -> cwon[c] = 0
       fi;
       publish_done(c) }
  od
}

init {
  atomic {
    /* epoch 0 (ringleader create): committed, nobody has ranges */
    ce = 1; cset[0] = 1; cset[1] = 1;
#if NP == 3
    cset[2] = 1;
#endif
    run Coordinator(0); run Coordinator(1)
  }
}

/* ------------------------------------------------------------ properties -- */
/* a poller acts only on ranges that were its ranges at some committed epoch:
 * never a staged, uncommitted set, never a mix of two epochs             */
ltl committed_view { [] !bad_view }
