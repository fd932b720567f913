#!/usr/bin/env bash
# Model-check the ringleader protocol with SPIN: ringleader.pml (leases, handoff,
# batched commits), assignment.pml (the assignment as header + per-poller nodes)
# and split.pml (a resize's cut-over and order barrier).
#   bash model/run.sh            full: every property on its own, liveness with NM=2 MAXF=1,
#                                ringleader.pml with ANY_VIEW and (bitstate) with MAXF=2,
#                                assignment.pml with 2 and 3 pollers
#   bash model/run.sh --ci       CI:   safety_all (all six safety properties in one search) with
#                                NM=2 MAXF=1; liveness with NM=1 MAXF=1; committed_view with
#                                NP=2 MAXE=4 MAXD=2
#   bash model/run.sh --mutants  every BUG_* variant must violate its property
# Exits non-zero on any violation, compile error, or a mutant that passes.
set -u
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

command -v spin >/dev/null 2>&1 || { echo "model/run.sh: spin not found -- install it with: apt-get install -y spin" >&2; exit 2; }
command -v gcc  >/dev/null 2>&1 || { echo "model/run.sh: gcc not found -- install it with: apt-get install -y gcc spin" >&2; exit 2; }

mode="${1:-full}"
case "$mode" in full|--full) mode=full ;; --ci) mode=ci ;; --mutants) mode=mutants ;;
  *) echo "usage: model/run.sh [--ci|--mutants]" >&2; exit 2 ;; esac

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fail=0

SAFETY="one_holder commit_fenced offsets_monotone no_skip pause_rule publish_fenced"
LIVENESS="live_leased live_handled"
LEASES="-DNM=2 -DMAXF=1"            # ringleader.pml, safety
ASSIGN="-DNP=2 -DMAXE=4 -DMAXD=2"   # assignment.pml (CI and mutants)
HEALTH="-DHEALTH -DNM=1 -DMAXF=0"   # ringleader.pml with unhealthy marks (full run and mutants)
SPLIT="-DMAXS=2"                    # split.pml: messages per producer (CI and mutants)
SPLIT_LIVE="-DNOTIMEOUT"            # split.pml liveness: producers and pollers always get to pause

# build <dir> <model file> <safety|live|both|bitstate> <spin -D flags...>: generate and compile verifiers
build() {
  local dir="$1" pml="$2" kinds="$3"; shift 3
  mkdir -p "$dir"
  ( cd "$dir" && cp "$here/$pml" model.pml &&
    spin "$@" -a model.pml >spin.log 2>&1 &&
    { [ "$kinds" = live ] || gcc -O2 -w -DSAFETY $([ "$kinds" = bitstate ] && echo -DBITSTATE) -o pan_safety pan.c >gcc.log 2>&1; } &&
    { [ "$kinds" = safety ] || [ "$kinds" = bitstate ] || gcc -O2 -w -DNFAIR=5 -o pan_live pan.c >>gcc.log 2>&1; } ) || {
    echo "FAIL compile ($pml $*):"; cat "$dir"/spin.log "$dir"/gcc.log 2>/dev/null | tail -20; return 1; }
}

# check <dir> <property> <safety|live> <label> [pan flags] -> prints a line, returns 0 iff errors: 0
check() {
  local dir="$1" prop="$2" kind="$3" label="$4" extra="${5:-}" out rc errs states t
  if [ "$kind" = safety ]; then
    out="$(cd "$dir" && ./pan_safety -N "$prop" -m200000 -w24 $extra 2>&1)"; rc=$?
  else
    out="$(cd "$dir" && ./pan_live -a -f -N "$prop" -m200000 -w24 $extra 2>&1)"; rc=$?
  fi
  errs="$(printf '%s\n' "$out" | sed -n 's/.*errors: \([0-9]*\).*/\1/p' | tail -1)"
  states="$(printf '%s\n' "$out" | awk '/states, stored/ {print $1; exit}')"
  t="$(printf '%s\n' "$out" | awk '/elapsed time/ {print $4; exit}')"
  printf '%-17s %-8s %-32s errors: %-3s states: %-10s time: %ss\n' "$prop" "$kind" "$label" "${errs:-?}" "${states:-?}" "${t:-?}"
  if printf '%s\n' "$out" | grep -q "search not completed\|out of memory\|too many processes"; then
    echo "  (search incomplete)"; printf '%s\n' "$out" | grep -iE "error|memory|completed" | head -5; return 1
  fi
  [ "$rc" -eq 0 ] && [ "${errs:-x}" = 0 ]
}

# mutant <model file> <BUG_NAME> <property> <spin -D flags...>: the variant must violate the property
mutant() {
  local pml="$1" bug="$2" prop="$3"; shift 3
  build "$work/$bug" "$pml" safety "$@" "-D$bug" || { fail=1; return; }
  if check "$work/$bug" "$prop" safety "$bug"; then
    echo "  MUTANT SURVIVED: $bug passes $prop"; fail=1
  else
    echo "  caught: $bug violates $prop (expected)"
  fi
}

start=$(date +%s)
case "$mode" in
  ci)
    build "$work/s" ringleader.pml safety $LEASES || exit 1
    check "$work/s" safety_all safety "NM=2 MAXF=1" || fail=1
    build "$work/l" ringleader.pml live -DNM=1 -DMAXF=1 || exit 1
    for p in $LIVENESS; do check "$work/l" "$p" live "NM=1 MAXF=1" || fail=1; done
    build "$work/a" assignment.pml safety $ASSIGN || exit 1
    check "$work/a" committed_view safety "NP=2 MAXE=4 MAXD=2" || fail=1
    build "$work/sp" split.pml safety $SPLIT || exit 1
    check "$work/sp" safety_split safety "MAXS=2" || fail=1
    build "$work/spl" split.pml live $SPLIT $SPLIT_LIVE || exit 1
    check "$work/spl" live_resize live "MAXS=2 NOTIMEOUT" || fail=1
    ;;
  full)
    build "$work/s" ringleader.pml both $LEASES || exit 1
    for p in $SAFETY; do check "$work/s" "$p" safety "NM=2 MAXF=1" || fail=1; done
    for p in $LIVENESS; do check "$work/s" "$p" live "NM=2 MAXF=1" || fail=1; done
    # the leases alone keep the safety properties, whatever assignment a poller follows
    build "$work/v" ringleader.pml safety -DNM=1 -DMAXF=1 -DANY_VIEW || exit 1
    check "$work/v" safety_all safety "ANY_VIEW NM=1 MAXF=1" -w26 || fail=1
    # two faults, so a poller can hold a range of its new session and one of its expired
    # session in one commit multi; too large to search exhaustively: bitstate (approximate)
    build "$work/b" ringleader.pml bitstate -DNM=1 -DMAXF=2 || exit 1
    check "$work/b" safety_all safety "NM=1 MAXF=2 bitstate" -w32 || fail=1
    build "$work/a" assignment.pml safety $ASSIGN || exit 1
    check "$work/a" committed_view safety "NP=2 MAXE=4 MAXD=2" || fail=1
    build "$work/a3" assignment.pml safety -DNP=3 -DMAXE=3 -DMAXD=2 || exit 1
    check "$work/a3" committed_view safety "NP=3 MAXE=3 MAXD=2" || fail=1
    # unhealthy marks: the leader's choice of members, with the lease protocol under it
    build "$work/h" ringleader.pml safety $HEALTH || exit 1
    check "$work/h" safety_health safety "HEALTH NM=1 MAXF=0" || fail=1
    # growing 2 -> 4 ranges: cut-over with producers and pollers, the order barrier, pollers growing in place or starting again
    build "$work/sp" split.pml safety -DMAXS=3 || exit 1
    for p in in_order placed; do check "$work/sp" "$p" safety "MAXS=3" -w26 || fail=1; done
    build "$work/spl" split.pml live -DMAXS=3 $SPLIT_LIVE || exit 1
    check "$work/spl" live_resize live "MAXS=3 NOTIMEOUT" || fail=1
    ;;
  mutants)
    mutant ringleader.pml BUG_COMMIT_WITHOUT_LEASE_CHECK commit_fenced $LEASES
    mutant ringleader.pml BUG_ACQUIRE_BEFORE_RELEASE one_holder $LEASES
    mutant ringleader.pml BUG_NO_PAUSE_ON_DISCONNECT pause_rule $LEASES
    mutant ringleader.pml BUG_PUBLISH_WITHOUT_LEADER_CHECK publish_fenced $LEASES
    mutant ringleader.pml BUG_VERSION_ONLY_FENCE commit_fenced $LEASES
    # needs two faults: one to give a poller both ranges, one to expire the session of one of them
    mutant ringleader.pml BUG_BATCH_SINGLE_CHECK commit_fenced -DNM=1 -DMAXF=2
    mutant ringleader.pml BUG_IGNORE_HEALTH healthy_first $HEALTH
    mutant ringleader.pml BUG_HEALTHY_ONLY never_unowned $HEALTH
    mutant assignment.pml BUG_READ_STAGED committed_view $ASSIGN
    mutant assignment.pml BUG_KEEP_GARBAGE committed_view $ASSIGN
    mutant split.pml BUG_NO_BARRIER in_order $SPLIT
    mutant split.pml BUG_EARLY_OFFSETS in_order $SPLIT
    mutant split.pml BUG_ACK_IN_FLIGHT placed $SPLIT
    mutant split.pml BUG_POLLER_NO_HOLD in_order $SPLIT
    mutant split.pml BUG_NO_FREEZE in_order $SPLIT
    mutant split.pml BUG_GROW_NO_BARRIER in_order $SPLIT
    mutant split.pml BUG_LINE_FROM_LOG in_order $SPLIT
    ;;
esac
echo "total: $(( $(date +%s) - start ))s -- $([ $fail -eq 0 ] && echo OK || echo FAILED)"
exit $fail
