#!/usr/bin/env bash
# Model-check the ringleader lease / handoff / commit protocol with SPIN.
#   bash model/run.sh            full: safety and liveness with NM=2, MAXF=1
#   bash model/run.sh --ci       CI:   safety_all (all six safety properties in one search) with
#                                NM=2, MAXF=1; liveness with NM=1, MAXF=1
#   bash model/run.sh --mutants  every BUG_* variant must violate its property
# Exits non-zero on any violation, compile error, or a mutant that passes.
set -u
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
model="$here/ringleader.pml"

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

# build <dir> <spin -D flags...>: generate and compile two verifiers
build() {
  local dir="$1"; shift
  mkdir -p "$dir"
  ( cd "$dir" && cp "$model" model.pml &&
    spin "$@" -a model.pml >spin.log 2>&1 &&
    gcc -O2 -w -DSAFETY -o pan_safety pan.c >gcc.log 2>&1 &&
    gcc -O2 -w -DNFAIR=4 -o pan_live pan.c >>gcc.log 2>&1 ) || {
    echo "FAIL compile ($*):"; cat "$dir"/spin.log "$dir"/gcc.log 2>/dev/null | tail -20; return 1; }
}

# check <dir> <property> <safety|live> <label> -> prints a line, returns 0 iff errors: 0
check() {
  local dir="$1" prop="$2" kind="$3" label="$4" out rc errs states t
  if [ "$kind" = safety ]; then
    out="$(cd "$dir" && ./pan_safety -N "$prop" -m200000 -w24 2>&1)"; rc=$?
  else
    out="$(cd "$dir" && ./pan_live -a -f -N "$prop" -m200000 -w24 2>&1)"; rc=$?
  fi
  errs="$(printf '%s\n' "$out" | sed -n 's/.*errors: \([0-9]*\).*/\1/p' | tail -1)"
  states="$(printf '%s\n' "$out" | awk '/states, stored/ {print $1; exit}')"
  t="$(printf '%s\n' "$out" | awk '/elapsed time/ {print $4; exit}')"
  printf '%-17s %-8s %-22s errors: %-3s states: %-10s time: %ss\n' "$prop" "$kind" "$label" "${errs:-?}" "${states:-?}" "${t:-?}"
  if printf '%s\n' "$out" | grep -q "search not completed\|out of memory\|too many processes"; then
    echo "  (search incomplete)"; printf '%s\n' "$out" | grep -iE "error|memory|completed" | head -5; return 1
  fi
  [ "$rc" -eq 0 ] && [ "${errs:-x}" = 0 ]
}

start=$(date +%s)
case "$mode" in
  full|ci)
    build "$work/s" -DNM=2 -DMAXF=1 || exit 1
    if [ "$mode" = ci ]; then
      # one search for the conjunction of the six safety properties
      check "$work/s" safety_all safety "NM=2 MAXF=1" || fail=1
    else
      for p in $SAFETY; do check "$work/s" "$p" safety "NM=2 MAXF=1" || fail=1; done
    fi
    if [ "$mode" = ci ]; then
      build "$work/l" -DNM=1 -DMAXF=1 || exit 1
      for p in $LIVENESS; do check "$work/l" "$p" live "NM=1 MAXF=1" || fail=1; done
    else
      for p in $LIVENESS; do check "$work/s" "$p" live "NM=2 MAXF=1" || fail=1; done
    fi
    ;;
  mutants)
    # mutant:property it must violate
    for m in BUG_COMMIT_WITHOUT_LEASE_CHECK:commit_fenced BUG_ACQUIRE_BEFORE_RELEASE:one_holder \
             BUG_NO_PAUSE_ON_DISCONNECT:pause_rule BUG_PUBLISH_WITHOUT_LEADER_CHECK:publish_fenced \
             BUG_VERSION_ONLY_FENCE:commit_fenced; do
      bug="${m%%:*}"; prop="${m##*:}"
      build "$work/$bug" -DNM=2 -DMAXF=1 "-D$bug" || { fail=1; continue; }
      if check "$work/$bug" "$prop" safety "$bug"; then
        echo "  MUTANT SURVIVED: $bug passes $prop"; fail=1
      else
        echo "  caught: $bug violates $prop (expected)"
      fi
    done
    ;;
esac
echo "total: $(( $(date +%s) - start ))s -- $([ $fail -eq 0 ] && echo OK || echo FAILED)"
exit $fail
