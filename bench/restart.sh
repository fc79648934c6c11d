#!/usr/bin/env bash
# bench/restart.sh: queries lost across a restart under load (`make
# bench-restart`, which builds bin/gslb first).
#
# dnsperf sends RATE queries/s over UDP to a gslb on 127.0.0.1 for
# DURATION seconds; RESTART_AT seconds in, the server is restarted the
# way MODE says, and dnsperf's count of lost queries (no answer within
# its 2 s timeout) is reported, with the kernel's count of UDP datagrams
# dropped for a full receive buffer meanwhile (RcvbufErrors, machine-wide:
# an overloaded machine drops queries with or without a restart) and the
# difference, the queries lost to the restart itself:
#   replace  a new `gslb serve -replace` takes over and stops the old one
#   usr2     SIGUSR2 to the running gslb: it starts its successor itself
#   restart  SIGTERM, wait for the exit, start again (a plain restart, for comparison)
#   none     no restart (the baseline: what the machine loses anyway)
# MODES runs several in turn (default "replace usr2 restart").
#
# Environment (defaults in brackets): RATE [20000], DURATION [12],
# RESTART_AT [5], MODES ["replace usr2 restart"], KEEP=1 keeps the
# temporary directory. Nothing here sends a packet anywhere but
# 127.0.0.1; apt-get is the only network use (dnsperf when missing).
set -Eeuo pipefail
trap 'printf "[restart] error: line %s: %s failed\n" "$LINENO" "$BASH_COMMAND" >&2' ERR

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
RATE=${RATE:-20000}
DURATION=${DURATION:-12}
RESTART_AT=${RESTART_AT:-5}
MODES=${MODES:-replace usr2 restart}
GSLB=${GSLB:-$ROOT/bin/gslb}
MMDB=$ROOT/testdata/geoip/GeoIP2-City-Test.mmdb

log() { printf '[restart] %s\n' "$*" >&2; }
die() { printf '[restart] error: %s\n' "$*" >&2; exit 1; }
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

require bench-restart go
install_packages dnsperf=dnsperf

make_work gslb-restart
build_bench_tools
{ read -r DNS_PORT; read -r CTL_PORT; } < <("$BB" freeport -n 2)

mkdir -p "$WORK/zones"
cat >"$WORK/gslb.toml" <<TOML
listen = ["127.0.0.1:$DNS_PORT"]
zones = "zones"
state = "gslb.db"
[geoip]
city = "$MMDB"
[control]
listen = "127.0.0.1:$CTL_PORT"
[datacenters.ams]
lat = 52.37
lon = 4.90
[datacenters.iad]
lat = 38.95
lon = -77.45
TOML
cat >"$WORK/zones/example.com.toml" <<'TOML'
origin = "example.com."
ttl = "1h"
records = ["@ NS ns1", "ns1 A 192.0.2.53", "static A 192.0.2.80"]
[gslb.www]
pool = "web"
ttl = "30s"
[pools.web]
members = [
  { datacenter = "ams", addresses = ["192.0.2.10"] },
  { datacenter = "iad", addresses = ["198.51.100.10"] },
]
TOML
printf 'www.example.com A\nstatic.example.com A\nexample.com SOA\nnope.example.com A\n' >"$WORK/queries"

# start_gslb LOG [ARGS...]: starts gslb serve in the background; its PID is
# in STARTED.
start_gslb() {
	local logf=$1
	shift
	"$GSLB" serve -config "$WORK/gslb.toml" "$@" 2>>"$logf" &
	STARTED=$!
	SERVER_PIDS+=("$STARTED")
}

# wait_log FILE TEXT: until FILE contains TEXT (10 s at most).
wait_log() {
	for _ in $(seq 200); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	die "$1 never said \"$2\": $(tail -5 "$1")"
}

# wait_exit PID: until the process has exited (10 s at most).
wait_exit() { wait_gone "$1" 10 || die "process $1 did not exit"; }

# udp_drops: the kernel's count of UDP datagrams dropped for a full
# receive buffer, machine-wide (RcvbufErrors).
udp_drops() { awk '/^Udp:/ { if (!h) { for (i = 1; i <= NF; i++) if ($i == "RcvbufErrors") c = i; h = 1 } else print $c }' /proc/net/snmp; }

results=()
for mode in $MODES; do
	rm -f "$WORK"/gslb.db "$WORK"/*.log
	start_gslb "$WORK/old.log"
	old=$STARTED
	wait_log "$WORK/old.log" "gslb serving"
	log "$mode: dnsperf at $RATE queries/s for ${DURATION}s, restart after ${RESTART_AT}s"
	dnsperf -s 127.0.0.1 -p "$DNS_PORT" -d "$WORK/queries" -l "$DURATION" -Q "$RATE" -c 16 -q 2000 -t 2 -S 1 \
		>"$WORK/dnsperf.out" 2>&1 &
	perf=$!
	drops0=$(udp_drops)
	sleep "$RESTART_AT"
	t0=$(date +%s.%N)
	case $mode in
	replace)
		start_gslb "$WORK/new.log" -replace
		wait_exit "$old"
		;;
	usr2)
		kill -USR2 "$old"
		wait_log "$WORK/old.log" "started a new gslb"
		SERVER_PIDS+=("$(sed -n 's/.*started a new gslb.* pid=\([0-9]*\).*/\1/p' "$WORK/old.log" | tail -1)")
		wait_exit "$old"
		;;
	none) ;; # no restart: the baseline
	restart)
		kill -TERM "$old"
		wait_exit "$old"
		start_gslb "$WORK/new.log"
		wait_log "$WORK/new.log" "gslb serving"
		;;
	*) die "unknown mode $mode" ;;
	esac
	t1=$(date +%s.%N)
	wait "$perf" || true
	drops=$(($(udp_drops) - drops0))
	sent=$(awk '/Queries sent:/ {print $3}' "$WORK/dnsperf.out")
	completed=$(awk '/Queries completed:/ {print $3}' "$WORK/dnsperf.out")
	lost=$(awk '/Queries lost:/ {print $3}' "$WORK/dnsperf.out")
	qps=$(awk '/Queries per second:/ {print $4}' "$WORK/dnsperf.out")
	[ -n "$sent" ] || die "dnsperf said: $(cat "$WORK/dnsperf.out")"
	took=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
	log "$mode: sent $sent, completed $completed, lost $lost, $qps queries/s; old server gone ${took}s after the restart began; $drops UDP receive-buffer drops"
	results+=("| $mode | $sent | $completed | $lost | $drops | $((lost > drops ? lost - drops : 0)) | $took |")
	grep -h "level=ERROR" "$WORK"/*.log >&2 || true
	# stop whatever serves now
	for p in "${SERVER_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	for p in "${SERVER_PIDS[@]}"; do wait_exit "$p"; done
	SERVER_PIDS=()
done

printf '\n| mode | queries sent | answered | lost | of which kernel receive-buffer drops | lost to the restart | old server gone after (s) |\n|---|---|---|---|---|---|---|\n'
printf '%s\n' "${results[@]}"
printf '\n%s, %s CPUs, dnsperf %s, RATE=%s DURATION=%s RESTART_AT=%s\n' "$(uname -sr)" "$(nproc)" \
	"$(dnsperf -h 2>&1 | awk '/^Version/ {print $2; exit}')" "$RATE" "$DURATION" "$RESTART_AT"
