#!/usr/bin/env bash
# bench/dnssec.sh: what online signing costs under load (`make bench-dnssec`,
# which builds bin/gslb first).
#
# Two gslb servers answer the bench zone of bench/compare.sh (the geo-routed
# www.example.com over seven datacenters, ECS on every query, a few static
# and NXDOMAIN names) on 127.0.0.1, each pinned to CPU 0, dnsperf on CPU 1:
#
#   unsigned     the zone without [dnssec]; queries without DO
#   signed-half  the same zone with [dnssec] (a generated ECDSA P-256 key);
#                the same queries, half of them with DO (drawn at random)
#
# They are measured alternately, side by side in one run, for ROUNDS
# rounds of DURATION seconds at full load, after a warm-up that also fills
# the signature cache (a hot answer is signed once a day). The figure is
# the server's CPU time (utime+stime) per answered query; the report gives
# each round, the medians and the ratio signed-half / unsigned.
#
# Environment (defaults in brackets): ROUNDS [3], DURATION [8], NQUERIES
# [100000], DO_PERCENT [50], DNSPERF_CLIENTS [2], DNSPERF_OUTSTANDING [200],
# SERVER_CPU [0], CLIENT_CPU [1], KEEP=1 keeps the temporary directory,
# OUT (the Markdown report) [bench/results/dnssec-DATE.md].
#
# Nothing here sends a packet anywhere but 127.0.0.1; apt-get is the only
# network use (to install dnsperf when missing).
set -Eeuo pipefail
trap 'printf "[dnssec-bench] error: line %s: %s failed\n" "$LINENO" "$BASH_COMMAND" >&2' ERR

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-8}
NQUERIES=${NQUERIES:-100000}
DO_PERCENT=${DO_PERCENT:-50}
DNSPERF_CLIENTS=${DNSPERF_CLIENTS:-2}
DNSPERF_OUTSTANDING=${DNSPERF_OUTSTANDING:-200}
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
GSLB=${GSLB:-$ROOT/bin/gslb}
MMDB=$ROOT/testdata/geoip/GeoIP2-City-Test.mmdb
ZONE=example.com.

log() { printf '[dnssec-bench] %s\n' "$*" >&2; }
die() { printf '[dnssec-bench] error: %s\n' "$*" >&2; exit 1; }
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

require bench-dnssec go git taskset awk
require_bench_zone

install_packages dnsperf=dnsperf

make_work gslb-dnssec-bench
build_bench_tools
{ read -r PORT_unsigned; read -r PORT_signed; } < <("$BB" freeport -n 2)

# --- configurations: one zone, signed or not -----------------------------------

write_config() { # variant port signed(0/1)
	local dir=$WORK/$1 dnssec=
	[ "$3" = 1 ] && dnssec='[dnssec]                 # a generated ECDSA P-256 key'
	mkdir -p "$dir/zones"
	write_gslb_config "$dir/gslb.toml" "127.0.0.1:$2" "" "$MMDB" zones
	write_bench_zone "$dir/zones/example.com.toml" "$ZONE" "$BENCH_SERIAL" "$dnssec"
	"$GSLB" check -config "$dir/gslb.toml" >"$WORK/$1-check.log" 2>&1 ||
		{ cat "$WORK/$1-check.log" >&2; die "gslb check of the $1 configuration failed"; }
}
write_config unsigned "$PORT_unsigned" 0
write_config signed "$PORT_signed" 1

# The same queries twice: without DO, and with DO on DO_PERCENT of them.
"$BB" queries -mmdb "$MMDB" -zone "$ZONE" -n "$NQUERIES" -seed 1 -out "$WORK/q-unsigned.bin" >"$WORK/q-unsigned.log"
"$BB" queries -mmdb "$MMDB" -zone "$ZONE" -n "$NQUERIES" -seed 1 -do "$DO_PERCENT" -out "$WORK/q-signed.bin" >"$WORK/q-signed.log"
log "$(cat "$WORK/q-signed.log")"

# --- servers and runs ----------------------------------------------------------

start() { # variant
	local port=PORT_$1
	start_server "$1" "${!port}" "$GSLB" serve -config "$WORK/$1/gslb.toml" -state "$WORK/$1/state.db"
}
DNSPERF=(taskset -c "$CLIENT_CPU" dnsperf -B -s 127.0.0.1 -t 2 -c "$DNSPERF_CLIENTS" -q "$DNSPERF_OUTSTANDING")

RUNS=$WORK/runs.tsv
: >"$RUNS"
measure() { # variant round
	local port=PORT_$1 pid=PID_$1 out=$WORK/$1-r$2 t0 t1 answered qps resp
	pid=${!pid}
	t0=$(cpu_ticks "$pid")
	"${DNSPERF[@]}" -d "$WORK/q-$1.bin" -p "${!port}" -l "$DURATION" >"$out" 2>&1 || { tail -20 "$out" >&2; die "dnsperf failed"; }
	server_alive "$pid"
	t1=$(cpu_ticks "$pid")
	answered=$(dnsperf_field "$out" "Queries completed:")
	qps=$(dnsperf_field "$out" "Queries per second:")
	resp=$(dnsperf_response_bytes "$out")
	[ "${answered:-0}" -gt 0 ] || { cat "$out" >&2; die "no answers from $1"; }
	awk -v v="$1" -v r="$2" -v t="$((t1 - t0))" -v hz="$CLK_TCK" -v n="$answered" -v qps="$qps" -v resp="$resp" \
		'BEGIN {printf "%s\t%d\t%.3f\t%.0f\t%s\n", v, r, t / hz * 1e6 / n, qps, resp}' >>"$RUNS"
	log "$(tail -1 "$RUNS" | awk -F'\t' '{printf "round %s %-11s %s µs CPU/query, %s qps, response %s bytes", $2, $1, $3, $4, $5}')"
}

LOADAVG=$(cut -d' ' -f1-3 /proc/loadavg)
log "starting both servers (load average $LOADAVG)"
start unsigned
start signed
log "warm-up (3 s each; fills the signature cache)"
for v in unsigned signed; do
	port=PORT_$v
	"${DNSPERF[@]}" -d "$WORK/q-$v.bin" -p "${!port}" -l 3 >"$WORK/$v-warmup" 2>&1
done
for round in $(seq "$ROUNDS"); do
	if [ $((round % 2)) -eq 1 ]; then order="unsigned signed"; else order="signed unsigned"; fi
	for v in $order; do measure "$v" "$round"; done
done

# --- report --------------------------------------------------------------------

REPORT=${OUT:-bench/results/dnssec-$(date -u +%Y-%m-%d).md}
mkdir -p "$(dirname "$REPORT")"
U=$(column_median "$RUNS" unsigned 3) S=$(column_median "$RUNS" signed 3)
{
	echo "# Online signing under load, $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo
	echo "\`bench/dnssec.sh\` (\`make bench-dnssec\`): gslb $(git describe --always --dirty --abbrev=10 2>/dev/null), $(go env GOVERSION),"
	echo "$(nproc) CPUs ($(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)), load average before the runs $LOADAVG."
	echo "Both servers pinned to CPU $SERVER_CPU, dnsperf (\`-B -c $DNSPERF_CLIENTS -q $DNSPERF_OUTSTANDING -l $DURATION\`) to CPU $CLIENT_CPU,"
	echo "$ROUNDS rounds, alternating. Queries: $(sed 's/^[^:]*: //' "$WORK/q-signed.log")."
	echo "\`unsigned\`: the zone without \`[dnssec]\`, the same queries without DO."
	echo
	echo "| round | variant | CPU µs per query | queries/s | response bytes (mean) |"
	echo "|---:|---|---:|---:|---:|"
	awk -F'\t' '{printf "| %s | %s | %s | %s | %s |\n", $2, ($1 == "signed" ? "signed-half" : $1), $3, $4, $5}' "$RUNS"
	echo
	echo "Median CPU per query: unsigned $U µs, signed-half $S µs, ratio $(awk -v s="$S" -v u="$U" 'BEGIN {printf "%.2f", s / u}')."
	echo "Ratio signed-half / unsigned in each round (the two runs of a round are adjacent in time):"
	echo "$(awk -F'\t' '{c[$2, $1] = $3; r[$2] = 1} END {for (i = 1; i in r; i++) printf "%s%.2f", (i > 1 ? ", " : ""), c[i, "signed"] / c[i, "unsigned"]}' "$RUNS")."
} >"$REPORT"
cat "$REPORT"
log "written $REPORT"
