#!/usr/bin/env bash
# bench/targets.sh: gslb probing many health targets (`make bench-targets`,
# which builds bin/gslb first).
#
# TARGETS distinct addresses 127.1.x.y (all of 127/8 is local on Linux),
# grouped in pools of 100 under one zone, all checked by one check every
# INTERVAL; one listener of the harness on 0.0.0.0:PORT answers for all of
# them and records when each address was probed. Scenarios, in turn:
#
#   tcp        a tcp check: connect, close
#   http       an http check, every target answers 200
#   http-hang  the same, but HANG percent of the targets accept the
#              connection and never answer (the probe ends at TIMEOUT)
#
# After the first probe round (/readyz 200), over WINDOW: gslb's CPU share
# of one core (utime+stime from /proc/PID/stat), VmRSS and VmHWM, the
# probes per second the listener saw, how late probes started (gap to the
# previous probe of the same address minus the interval), and from gslb's
# /metrics gslb_probes_delayed_total, gslb_probes_in_flight (sampled every
# 1.1 s, which costs gslb CPU too), gslb_probe_slots and the targets up and down.
#
# Environment (defaults in brackets): TARGETS [5000], INTERVAL [5s],
# TIMEOUT [2s], WINDOW [60s], HANG [10], MAX_IN_FLIGHT [gslb's default],
# SCENARIOS [tcp,http-hang,http-hang:256; KIND:N sets max_in_flight N], OUT (the Markdown report)
# [bench/results/targets-DATE.md], KEEP=1 keeps the working directory.
#
# Nothing is sent anywhere but 127.0.0.0/8; there is no network use.
set -Eeuo pipefail
trap 'printf "[targets] error: line %s: %s failed\n" "$LINENO" "$BASH_COMMAND" >&2' ERR

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
GSLB=${GSLB:-$ROOT/bin/gslb}

log() { printf '[targets] %s\n' "$*" >&2; }
die() { printf '[targets] error: %s\n' "$*" >&2; exit 1; }
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

require bench-targets go
[ "$(uname -s)" = Linux ] || die "needs Linux (every 127.x.y.z address is local there)"

make_work gslb-targets
PIDFILE=$WORK/servers.pid

mkdir -p bench/results
OUT=${OUT:-bench/results/targets-$(date -u +%F).md}
build_bench_tools
"$BB" targets -work "$WORK" -pidfile "$PIDFILE" -out "$OUT" -gslb "$GSLB" \
	-targets "${TARGETS:-5000}" -interval "${INTERVAL:-5s}" -timeout "${TIMEOUT:-2s}" \
	-window "${WINDOW:-60s}" -hang "${HANG:-10}" -max-in-flight "${MAX_IN_FLIGHT:-0}" \
	-scenarios "${SCENARIOS:-tcp,http-hang,http-hang:256}"
log "report: $OUT"
