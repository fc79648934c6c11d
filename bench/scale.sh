#!/usr/bin/env bash
# bench/scale.sh: gslb, NSD and Knot on the same generated data
# (`make bench-scale`, which builds bin/gslb first).
#
# Two scenarios, each server in turn on a free 127.0.0.1 port:
#   big   one zone of RECORDS records (default 1,000,000)
#   many  ZONES zones of ten records (default 10,000)
# For each: the time from start to the first answer of the last name, the
# CPU time and memory of loading, then a one-line edit of a zone file while
# dnsperf sends RATE queries/s: the time until the new answer is served,
# the queries lost meanwhile and the memory peak. gslb notices the edit by
# itself; NSD is sent SIGHUP, Knot `knotc zone-reload`.
#
# Environment (defaults in brackets): RECORDS [1000000], ZONES [10000],
# RATE [20000], SERVERS [gslb,nsd,knot], SCENARIOS [big,many], OUT (the
# Markdown report) [bench/results/scale-DATE.md], KEEP=1 keeps the working
# directory.
#
# Nothing is sent anywhere but 127.0.0.1; apt-get is the only network use
# (to install nsd, knot and dnsperf when missing).
set -Eeuo pipefail
trap 'printf "[scale] error: line %s: %s failed\n" "$LINENO" "$BASH_COMMAND" >&2' ERR

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
GSLB=${GSLB:-$ROOT/bin/gslb}

log() { printf '[scale] %s\n' "$*" >&2; }
die() { printf '[scale] error: %s\n' "$*" >&2; exit 1; }
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

require bench-scale go

install_packages nsd=nsd knotd=knot knotc=knot dnsperf=dnsperf

make_work gslb-scale
PIDFILE=$WORK/servers.pid

mkdir -p bench/results
OUT=${OUT:-bench/results/scale-$(date -u +%F).md}
build_bench_tools
"$BB" scale -work "$WORK" -pidfile "$PIDFILE" -out "$OUT" \
	-gslb "$GSLB" -nsd "$(command -v nsd)" -knotd "$(command -v knotd)" -knotc "$(command -v knotc)" \
	-dnsperf "$(command -v dnsperf)" \
	-records "${RECORDS:-1000000}" -zones "${ZONES:-10000}" -rate "${RATE:-20000}" \
	-servers "${SERVERS:-gslb,nsd,knot}" -scenarios "${SCENARIOS:-big,many}"
log "report: $OUT"
