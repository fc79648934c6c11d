#!/usr/bin/env bash
# bench/protect.sh: what response rate limiting and DNS Cookies cost under
# load (`make bench-protect`, which builds bin/gslb first).
#
# Four gslb servers (the same binary) answer the bench zone of
# bench/compare.sh (the geo-routed www.example.com over seven datacenters,
# ECS on every query, a few static and NXDOMAIN names) on 127.0.0.1, each
# pinned to CPU 0, dnsperf on CPU 1:
#
#   off      no [rrl] (RRL off, the default); queries without a cookie
#   rrl      [rrl] responses_per_second = 1000000 (the maximum): every
#            response is accounted, the single loopback client is never
#            limited, so this is the cost of the accounting alone
#   cookies  no [rrl]; every query carries a client cookie, so every reply
#            gets a server cookie (a SipHash-2-4 over the client cookie and
#            address)
#   limit    [rrl] responses_per_second = 10, slip = 2 (the README's
#            recommended setting): the loopback client is limited almost
#            at once; every second limited response is sent truncated, the
#            others are dropped (dnsperf counts them lost; it keeps
#            LIMIT_OUTSTANDING queries outstanding, a flood)
#
# They are measured alternately, side by side in one run, for ROUNDS rounds
# of DURATION seconds at full load, after a short warm-up. The figure is the
# server's CPU time (utime+stime from /proc/PID/stat) per query it handled:
# the replies it sent (gslb_dns_responses_total from /metrics, for limit
# including the truncated slips) plus the responses RRL dropped
# (gslb_rrl_dropped_total). dnsperf's own count would miss, for limit,
# slips its overloaded socket did not read. The report gives each round, the
# medians, the ratios to off, and limit's slipped and dropped counts.
#
# Environment (defaults in brackets): ROUNDS [3], DURATION [5], NQUERIES
# [100000], DNSPERF_CLIENTS [2], DNSPERF_OUTSTANDING [200] (LIMIT_OUTSTANDING
# [40000] and a 1 s timeout for limit: half its queries get no answer, and
# with 200 outstanding dnsperf would wait on timeouts, not load the server),
# SERVER_CPU [0], CLIENT_CPU [1], KEEP=1 keeps the temporary directory,
# OUT (the Markdown report) [bench/results/protect-DATE.md].
#
# Nothing here sends a packet anywhere but 127.0.0.1; apt-get is the only
# network use (to install dnsperf when missing).
set -Eeuo pipefail
trap 'printf "[protect-bench] error: line %s: %s failed\n" "$LINENO" "$BASH_COMMAND" >&2' ERR

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-5}
NQUERIES=${NQUERIES:-100000}
DNSPERF_CLIENTS=${DNSPERF_CLIENTS:-2}
DNSPERF_OUTSTANDING=${DNSPERF_OUTSTANDING:-200}
LIMIT_OUTSTANDING=${LIMIT_OUTSTANDING:-40000}
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
GSLB=${GSLB:-$ROOT/bin/gslb}
MMDB=$ROOT/testdata/geoip/GeoIP2-City-Test.mmdb
ZONE=example.com.
VARIANTS=(off rrl cookies limit)

log() { printf '[protect-bench] %s\n' "$*" >&2; }
die() { printf '[protect-bench] error: %s\n' "$*" >&2; exit 1; }
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

require bench-protect go git taskset awk curl
require_bench_zone

install_packages dnsperf=dnsperf

make_work gslb-protect-bench
build_bench_tools
{
	for v in "${VARIANTS[@]}"; do read -r "PORT_$v"; read -r "CTL_$v"; done
} < <("$BB" freeport -n $((2 * ${#VARIANTS[@]})))

# --- configurations: one zone, four [rrl] settings -------------------------------

write_config() { # variant
	local dir=$WORK/$1 port=PORT_$1 ctl=CTL_$1 rrl=
	case $1 in
	rrl) rrl=$'[rrl]\nresponses_per_second = 1000000' ;;
	limit) rrl=$'[rrl]\nresponses_per_second = 10\nslip = 2' ;;
	esac
	mkdir -p "$dir/zones"
	write_gslb_config "$dir/gslb.toml" "127.0.0.1:${!port}" "127.0.0.1:${!ctl}" "$MMDB" zones "$rrl"
	write_bench_zone "$dir/zones/example.com.toml" "$ZONE" "$BENCH_SERIAL"
	"$GSLB" check -config "$dir/gslb.toml" >"$WORK/$1-check.log" 2>&1 ||
		{ cat "$WORK/$1-check.log" >&2; die "gslb check of the $1 configuration failed"; }
}
for v in "${VARIANTS[@]}"; do write_config "$v"; done

# The same queries twice: without cookies, and with a client cookie on each.
"$BB" queries -mmdb "$MMDB" -zone "$ZONE" -n "$NQUERIES" -seed 1 -out "$WORK/q-plain.bin" >"$WORK/q-plain.log"
"$BB" queries -mmdb "$MMDB" -zone "$ZONE" -n "$NQUERIES" -seed 1 -cookie 100 -out "$WORK/q-cookie.bin" >"$WORK/q-cookie.log"
log "$(cat "$WORK/q-cookie.log")"
qfile() { if [ "$1" = cookies ]; then echo "$WORK/q-cookie.bin"; else echo "$WORK/q-plain.bin"; fi; }

# --- servers and runs ----------------------------------------------------------

start() { # variant
	local port=PORT_$1
	start_server "$1" "${!port}" "$GSLB" serve -config "$WORK/$1/gslb.toml" -state "$WORK/$1/state.db"
}
metrics() { # variant: replies sent (all rcodes), slipped, dropped, from /metrics
	local ctl=CTL_$1
	curl -fsS "http://127.0.0.1:${!ctl}/metrics" | awk '
		{name = $1; sub(/\{.*/, "", name)}
		name == "gslb_dns_responses_total" {r += $NF}
		name == "gslb_rrl_slipped_total" {s += $NF}
		name == "gslb_rrl_dropped_total" {d += $NF}
		END {printf "%d %d %d\n", r, s, d}'
}
DNSPERF=(taskset -c "$CLIENT_CPU" dnsperf -B -s 127.0.0.1 -c "$DNSPERF_CLIENTS")
dnsperf_load() { # variant: the load options; limit drops half its answers, so it needs a flood
	if [ "$1" = limit ]; then echo "-t 1 -q $LIMIT_OUTSTANDING"; else echo "-t 2 -q $DNSPERF_OUTSTANDING"; fi
}

RUNS=$WORK/runs.tsv
: >"$RUNS"
measure() { # variant round
	local port=PORT_$1 pid=PID_$1 out=$WORK/$1-r$2 t0 t1 answered qps r0 r1 s0 s1 d0 d1
	pid=${!pid}
	read -r r0 s0 d0 < <(metrics "$1")
	t0=$(cpu_ticks "$pid")
	# shellcheck disable=SC2046 # the load options are words
	"${DNSPERF[@]}" $(dnsperf_load "$1") -d "$(qfile "$1")" -p "${!port}" -l "$DURATION" >"$out" 2>&1 || { tail -20 "$out" >&2; die "dnsperf failed"; }
	server_alive "$pid"
	t1=$(cpu_ticks "$pid")
	read -r r1 s1 d1 < <(metrics "$1")
	answered=$(dnsperf_field "$out" "Queries completed:")
	qps=$(dnsperf_field "$out" "Queries per second:")
	[ "${answered:-0}" -gt 0 ] || { cat "$out" >&2; die "no answers from $1"; }
	awk -v v="$1" -v r="$2" -v t="$((t1 - t0))" -v hz="$CLK_TCK" -v qps="$qps" -v n="$((r1 - r0))" -v s="$((s1 - s0))" -v d="$((d1 - d0))" \
		'BEGIN {printf "%s\t%d\t%.3f\t%.0f\t%d\t%d\t%d\n", v, r, t / hz * 1e6 / (n + d), qps, n, s, d}' >>"$RUNS"
	log "$(tail -1 "$RUNS" | awk -F'\t' '{printf "round %s %-8s %s µs CPU/query, dnsperf %s answers/s, replies %s (slipped %s), dropped %s", $2, $1, $3, $4, $5, $6, $7}')"
}

LOADAVG=$(cut -d' ' -f1-3 /proc/loadavg)
log "starting the servers (load average $LOADAVG)"
for v in "${VARIANTS[@]}"; do start "$v"; done
log "warm-up (2 s each)"
for v in "${VARIANTS[@]}"; do
	port=PORT_$v
	# shellcheck disable=SC2046 # the load options are words
	"${DNSPERF[@]}" $(dnsperf_load "$v") -d "$(qfile "$v")" -p "${!port}" -l 2 >"$WORK/$v-warmup" 2>&1
done
for round in $(seq "$ROUNDS"); do
	# rotate the order so that no variant always runs first or last
	order=()
	for i in "${!VARIANTS[@]}"; do order+=("${VARIANTS[$(((i + round - 1) % ${#VARIANTS[@]}))]}"); done
	for v in "${order[@]}"; do measure "$v" "$round"; done
done
LOADAVG_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# --- report --------------------------------------------------------------------

REPORT=${OUT:-bench/results/protect-$(date -u +%Y-%m-%d).md}
mkdir -p "$(dirname "$REPORT")"
col() { column_median "$RUNS" "$1" "$2"; }
ratios() { # variant: its CPU per query / off's, round by round
	awk -F'\t' -v v="$1" '{c[$2, $1] = $3; r[$2] = 1} END {for (i = 1; i in r; i++) printf "%s%.2f", (i > 1 ? ", " : ""), c[i, v] / c[i, "off"]}' "$RUNS"
}
OFF=$(col off 3)
{
	echo "# RRL and DNS Cookies under load, $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo
	echo "\`bench/protect.sh\` (\`make bench-protect\`): gslb $(git describe --always --dirty --abbrev=10 2>/dev/null), $(go env GOVERSION),"
	echo "$(nproc) CPUs ($(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)), shared and busy: load average $LOADAVG before the runs, $LOADAVG_AFTER after."
	echo "All servers pinned to CPU $SERVER_CPU, dnsperf (\`-B -c $DNSPERF_CLIENTS -q $DNSPERF_OUTSTANDING -t 2 -l $DURATION\`; for \`limit\` \`-q $LIMIT_OUTSTANDING -t 1\`) to CPU $CLIENT_CPU,"
	echo "$ROUNDS rounds, the order rotated each round. Queries: $(sed 's/^[^:]*: //' "$WORK/q-cookie.log") (without the cookies for all but \`cookies\`)."
	echo "\`off\`: no \`[rrl]\`; \`rrl\`: \`responses_per_second = 1000000\` (never limits one client: the accounting alone);"
	echo "\`cookies\`: no \`[rrl]\`, a client cookie in every query (a server cookie in every reply);"
	echo "\`limit\`: \`responses_per_second = 10\`, \`slip = 2\`. CPU per query = server CPU time / (replies + dropped), counted by the server (\`/metrics\`); answers/s is dnsperf's."
	echo
	echo "| round | variant | CPU µs per query | answers/s | replies | of which slipped (TC) | dropped |"
	echo "|---:|---|---:|---:|---:|---:|---:|"
	awk -F'\t' '{printf "| %s | %s | %s | %s | %s | %s | %s |\n", $2, $1, $3, $4, $5, $6, $7}' "$RUNS"
	echo
	printf 'Median CPU per query: off %s µs' "$OFF"
	for v in rrl cookies limit; do printf ', %s %s µs (ratio %s)' "$v" "$(col "$v" 3)" "$(awk -v a="$(col "$v" 3)" -v b="$OFF" 'BEGIN {printf "%.2f", a / b}')"; done
	echo "."
	echo "Ratio to off in each round (the runs of a round are adjacent in time):"
	for v in rrl cookies limit; do echo "- $v: $(ratios "$v")"; done
} >"$REPORT"
cat "$REPORT"
log "written $REPORT"
