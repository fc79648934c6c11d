#!/usr/bin/env bash
# bench/compare.sh: loopback load test of gslb against gdnsd with dnsperf
# (`make bench-compare`, which builds bin/gslb first).
#
# Both servers answer the same geo-routed name (www.example.com, policy
# nearest over the example's seven datacenters, the sample GeoIP2 City
# database, no health checks, TTL 30) on 127.0.0.1 only, each pinned to CPU 0;
# dnsperf is pinned to CPU 1. They are measured alternately for ROUNDS rounds
# (gdnsd first in odd rounds, gslb first in even ones) and the report gives
# the median of every figure, the ratio gslb/gdnsd, and how often both chose
# the same datacenter for the same client subnets.
#
# Environment (defaults in brackets): ROUNDS [3], DURATION seconds of a
# max-throughput run [12], LAT_DURATION seconds of a fixed-rate run [10],
# LAT_RATE queries/s of the fixed-rate run [10000], DNSPERF_CLIENTS [2],
# DNSPERF_OUTSTANDING [200], NQUERIES in the query file [100000], NCLIENTS
# for the agreement check [500], SERVER_CPU [0], CLIENT_CPU [1], KEEP=1 keeps
# the temporary directory, WILDCARD_BINS [bin/gslb]: gslb binaries that are
# also measured, in every round, listening on the wildcard address
# 0.0.0.0:PORT (asked on 127.0.0.1 like the others; a list separated by
# spaces, e.g. "bin/gslb-before bin/gslb" to put two builds side by side;
# empty for none). The report gains a table of them against gslb on
# 127.0.0.1. OUT [bench/results]: the directory the reports are written to.
#
# A second report, OUT/compare-DATE-reload.md, has two more measurements of
# every round:
# - a ladder of fixed rates, LADDER_RATES ["10000 50000 100000 150000"]
#   queries/s, LADDER_DURATION [6] seconds each, for gdnsd and gslb on 127.0.0.1:
#   queries lost (unanswered within 2 s) at each rate, and latency
#   percentiles (dnsperf -v) at the rates of PCT_RATES ["10000 50000"]
#   (per-query lines cost dnsperf's core too much above that), with the
#   datagrams the kernel dropped at the server's socket and at others;
# - reload under load (RELOAD=0 skips it): a gslb and a gdnsd of their own,
#   with their own zone file and GeoIP database, each answer RELOAD_RATE
#   [50000] queries/s for RELOAD_DURATION [30] seconds twice: first without
#   a change (the same edits are made to a copy of its files that it does
#   not watch, so that both runs load dnsperf's core alike), then while
#   the zone file is rewritten every ZONE_EVERY [1]
#   seconds (a TXT record and the SOA serial; written aside and renamed into
#   place; gslb sees it by itself, gdnsd is told with `gdnsdctl
#   reload-zones`) and the GeoIP database is replaced every GEOIP_EVERY [5]
#   seconds (the sample database and a copy with another build time,
#   renamed into place; both servers watch the file). Lost queries,
#   SERVFAILs, latency percentiles, the reloads each server applied (from
#   its log) and the served edit (asked at the end) are reported.
# These runs give dnsperf a receive buffer of FIXED_BUF [4096] KiB.
# GDNSD_UDP_RCVBUF [0: the system's default]: gdnsd's udp_rcvbuf (at most
# 1048576), the receive buffer of its UDP sockets, for every gdnsd of the
# run. (gslb asks for 4 MiB by default: udp_receive_buffer.)
#
# Nothing here sends a packet anywhere but 127.0.0.1; apt-get is the only
# network use (to install dnsperf and gdnsd when missing).
set -Eeuo pipefail
trap 'printf "[bench] error: line %s: %s failed\n" "$LINENO" "$BASH_COMMAND" >&2' ERR

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-12}
LAT_DURATION=${LAT_DURATION:-10}
LAT_RATE=${LAT_RATE:-10000}
DNSPERF_CLIENTS=${DNSPERF_CLIENTS:-2}
DNSPERF_OUTSTANDING=${DNSPERF_OUTSTANDING:-200}
NQUERIES=${NQUERIES:-100000}
NCLIENTS=${NCLIENTS:-500}
LADDER_RATES=${LADDER_RATES:-10000 50000 100000 150000}
LADDER_DURATION=${LADDER_DURATION:-6}
PCT_RATES=${PCT_RATES:-10000 50000}
RELOAD=${RELOAD:-1}
RELOAD_RATE=${RELOAD_RATE:-50000}
RELOAD_DURATION=${RELOAD_DURATION:-30}
ZONE_EVERY=${ZONE_EVERY:-1}
GEOIP_EVERY=${GEOIP_EVERY:-5}
OUT=${OUT:-bench/results}
GDNSD_UDP_RCVBUF=${GDNSD_UDP_RCVBUF:-0}
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
GSLB=${GSLB:-$ROOT/bin/gslb}
MMDB=$ROOT/testdata/geoip/GeoIP2-City-Test.mmdb
ZONE=example.com.

log() { printf '[bench] %s\n' "$*" >&2; }
die() { printf '[bench] error: %s\n' "$*" >&2; exit 1; }
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

require bench-compare go git taskset awk
require_bench_zone

# --- 1. dnsperf and gdnsd from Debian packages --------------------------------

# dig: the reload runs ask for the edited name; curl: and read gslb's /metrics
install_packages dnsperf=dnsperf gdnsd=gdnsd dig=bind9-dnsutils curl=curl

# --- working directory, servers, cleanup -------------------------------------

make_work gslb-bench
build_bench_tools

read -r -a WILD_BINS <<<"${WILDCARD_BINS-$GSLB}"
WILD_NAMES=()
{
	read -r GSLB_PORT
	read -r GDNSD_PORT
	for i in "${!WILD_BINS[@]}"; do
		[ -x "${WILD_BINS[$i]}" ] || die "${WILD_BINS[$i]} (WILDCARD_BINS) is not an executable"
		WILD_NAMES+=("wild$((i + 1))")
		read -r "PORT_wild$((i + 1))"
	done
	read -r PORT_rgdnsd # the reload runs' servers and gslb's control API
	read -r PORT_rgslb
	read -r CONTROL_PORT
} < <("$BB" freeport -n $((5 + ${#WILD_BINS[@]})))
# shellcheck disable=SC2034 # read as ${!port}, port=PORT_<name>
PORT_gslb=$GSLB_PORT PORT_gdnsd=$GDNSD_PORT
log "gslb on 127.0.0.1:$GSLB_PORT, gdnsd on 127.0.0.1:$GDNSD_PORT (both on CPU $SERVER_CPU), dnsperf on CPU $CLIENT_CPU"
for i in "${!WILD_BINS[@]}"; do
	p=PORT_${WILD_NAMES[$i]}
	log "${WILD_NAMES[$i]}: ${WILD_BINS[$i]} on 0.0.0.0:${!p} (CPU $SERVER_CPU)"
done

# --- 2. equivalent configurations ---------------------------------------------

# The bench zone of bench/lib.sh (BENCH_DATACENTERS, BENCH_RECORDS), in
# both servers' formats. Both answer every IPv4 address of the chosen
# datacenter: gdnsd answers all of them, gslb's max_answers is the most
# that one datacenter has (2).
MAX_ANSWERS=$(bench_max_answers)
TTL=$BENCH_TTL SOA_SERIAL=$BENCH_SERIAL

mkdir -p "$WORK/gslb/zones" "$WORK/gdnsd/zones" "$WORK/gdnsd/run" "$WORK/gdnsd/state"
# the control API off: no clash with a dev server on 8053
write_gslb_config "$WORK/gslb/gslb.toml" "127.0.0.1:$GSLB_PORT" "" "$MMDB" zones
for name in "${WILD_NAMES[@]}"; do
	p=PORT_$name
	mkdir -p "$WORK/$name"
	write_gslb_config "$WORK/$name/gslb.toml" "0.0.0.0:${!p}" "" "$MMDB" "$WORK/gslb/zones"
done
write_bench_zone "$WORK/gslb/zones/example.com.toml" "$ZONE" "$SOA_SERIAL"

{
	echo "# gdnsd 3 bench configuration, written by bench/compare.sh"
	echo 'options => {'
	echo "  listen => [ 127.0.0.1:$GDNSD_PORT ]"
	echo "  run_dir => $WORK/gdnsd/run"
	echo "  state_dir => $WORK/gdnsd/state"
	echo '  udp_threads => 1      # one listener thread per protocol: the server has one core'
	if [ "$GDNSD_UDP_RCVBUF" != 0 ]; then echo "  udp_rcvbuf => $GDNSD_UDP_RCVBUF"; fi
	echo '  tcp_threads => 1'
	echo '}'
	echo 'plugins => {'
	echo '  geoip => {'
	echo '    maps => {'
	echo '      bench => {'
	echo "        geoip2_db => $MMDB"
	printf '        datacenters => [ %s ]\n' "$(for dc in "${BENCH_DATACENTERS[@]}"; do read -r n _ <<<"$dc"; printf '%s ' "$n"; done)"
	echo "        auto_dc_limit => ${#BENCH_DATACENTERS[@]}   # rank every datacenter, as gslb does (default 3)"
	echo '        auto_dc_coords => {'
	for dc in "${BENCH_DATACENTERS[@]}"; do
		read -r name lat lon _ _ <<<"$dc"
		echo "          $name => [ $lat, $lon ]"
	done
	echo '        }'
	echo '      }'
	echo '    }'
	echo '    resources => {'
	echo '      www => {'
	echo '        map => bench'
	echo '        # no service_types: every address is statically up (no monitoring)'
	echo '        dcmap => {'
	for dc in "${BENCH_DATACENTERS[@]}"; do
		read -r name _ _ v4 v6 <<<"$dc"
		line="          $name => { addrs_v4 => [ ${v4//,/, } ]"
		[ "$v6" != - ] && line="$line, addrs_v6 => [ ${v6//,/, } ]"
		echo "$line }"
	done
	echo '        }'
	echo '      }'
	echo '    }'
	echo '  }'
	echo '}'
} >"$WORK/gdnsd/config"
{
	echo "\$ORIGIN $ZONE"
	echo "\$TTL $BENCH_STATIC_TTL"
	echo "@ SOA ns1 hostmaster $SOA_SERIAL 3600 900 1209600 $BENCH_STATIC_TTL"
	for r in "${BENCH_RECORDS[@]}"; do
		echo "$r"
	done
	echo "www $TTL DYNA geoip!www"
} >"$WORK/gdnsd/zones/${ZONE%.}"

for dc in "${BENCH_DATACENTERS[@]}"; do
	read -r name _ _ v4 _ <<<"$dc"
	echo "$name ${v4//,/ }"
done >"$WORK/dcmap"

# The reload runs' servers: the same configurations with a zone file and a
# GeoIP database of their own (which the runs replace), and gslb's control
# API on (for /metrics). Two databases to alternate: the sample and a copy
# whose build time is a day later (same networks and records, so the answers
# stay the same; the build time tells which one is served).
RELOAD_SERIAL0=$((SOA_SERIAL + 1000))
mkdir -p "$WORK/geoip" "$WORK/rgslb/zones" "$WORK/rgslb/geoip" \
	"$WORK/rgdnsd/zones" "$WORK/rgdnsd/run" "$WORK/rgdnsd/state" "$WORK/rgdnsd/geoip"
cp "$MMDB" "$WORK/geoip/0.mmdb"
EPOCH_1=$("$BB" mmdbcopy -in "$MMDB" -out "$WORK/geoip/1.mmdb" -epoch-add 86400)
# shellcheck disable=SC2034 # read as ${!epoch}, epoch=EPOCH_<0 or 1>
EPOCH_0=$((EPOCH_1 - 86400)) # build times, as gslb_geoip_build_timestamp_seconds has them
cp "$WORK/geoip/0.mmdb" "$WORK/rgslb/geoip/city.mmdb"
cp "$WORK/geoip/0.mmdb" "$WORK/rgdnsd/geoip/city.mmdb"
write_gslb_config "$WORK/rgslb/gslb.toml" "127.0.0.1:$PORT_rgslb" "127.0.0.1:$CONTROL_PORT" "$WORK/rgslb/geoip/city.mmdb" zones
write_bench_zone "$WORK/rgslb/zones/example.com.toml" "$ZONE" "$RELOAD_SERIAL0" "" 'reload TXT "edit 0"'
sed "s|127.0.0.1:$GDNSD_PORT|127.0.0.1:$PORT_rgdnsd|; s|$WORK/gdnsd/|$WORK/rgdnsd/|
	s|geoip2_db => .*|geoip2_db => $WORK/rgdnsd/geoip/city.mmdb|" "$WORK/gdnsd/config" >"$WORK/rgdnsd/config"
for want in "127.0.0.1:$PORT_rgdnsd" "$WORK/rgdnsd/run" "$WORK/rgdnsd/state" "$WORK/rgdnsd/geoip/city.mmdb"; do
	grep -qF "$want" "$WORK/rgdnsd/config" || die "$want is not in $WORK/rgdnsd/config"
done
{
	sed "s|hostmaster $SOA_SERIAL |hostmaster $RELOAD_SERIAL0 |" "$WORK/gdnsd/zones/${ZONE%.}"
	echo 'reload TXT "edit 0"'
} >"$WORK/rgdnsd/zones/${ZONE%.}"
# the shadow copies, edited during the runs without a change (see reloader)
for name in rgslb rgdnsd; do
	mkdir -p "$WORK/$name-shadow/zones" "$WORK/$name-shadow/geoip"
	cp "$WORK/$name/zones/"* "$WORK/$name-shadow/zones/"
	cp "$WORK/geoip/0.mmdb" "$WORK/$name-shadow/geoip/city.mmdb"
done

log "checking both configurations"
for dir in gdnsd rgdnsd; do
	gdnsd -c "$WORK/$dir" checkconf >"$WORK/$dir-checkconf.log" 2>&1 ||
		{ cat "$WORK/$dir-checkconf.log" >&2; die "gdnsd checkconf ($dir) failed"; }
done
for dir in gslb rgslb; do
	"$GSLB" check -config "$WORK/$dir/gslb.toml" >"$WORK/$dir-check.log" 2>&1 ||
		{ cat "$WORK/$dir-check.log" >&2; die "gslb check ($dir) failed"; }
done

# --- 3. the query file ---------------------------------------------------------

"$BB" queries -mmdb "$MMDB" -zone "$ZONE" -n "$NQUERIES" -seed 1 -out "$WORK/queries.bin" >"$WORK/queries.log"
log "$(cat "$WORK/queries.log")"

# --- 4. the load runs ----------------------------------------------------------

start() { # name: starts that server (start_server), which sets PID_<name>
	local name=$1 port=PORT_$1
	case $name in
	gdnsd | rgdnsd)
		start_server "$name" "${!port}" gdnsd -c "$WORK/$name" start
		;;
	gslb | rgslb)
		start_server "$name" "${!port}" "$GSLB" serve -config "$WORK/$name/gslb.toml" -state "$WORK/$name/state.db"
		;;
	wild*)
		start_server "$name" "${!port}" "${WILD_BINS[$((${name#wild} - 1))]}" serve \
			-config "$WORK/$name/gslb.toml" -state "$WORK/$name/state.db"
		;;
	esac
}
child_ticks() { # cutime+cstime of this shell: CPU time of the children it has waited for
	sed 's/.*) //' "/proc/$$/stat" | awk '{print $14 + $15}'
}
cpu_busy() { # ticks of CPU $1 since boot: "PROCESSES IRQ": user+nice+system+steal, irq+softirq
	awk -v cpu="cpu$1" '$1 == cpu {print $2 + $3 + $4 + $9, $7 + $8}' /proc/stat
}
status_kb() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }

RUNS=$WORK/runs.tsv
printf 'server\tround\tqps\tcompleted\tlost_pct\tcpu_us_per_q\tqps_per_core\tcpu_util\tcpu0_irq\tcpu0_other\tcpu1_other\tattempts\tresp_bytes\tp50_us\tp99_us\tp999_us\tlat_timeouts\tlat_cpu0_other\tlat_attempts\trss_kb\thwm_kb\n' >"$RUNS"

DNSPERF=(taskset -c "$CLIENT_CPU" dnsperf -B -d "$WORK/queries.bin" -s 127.0.0.1 -t 2)
# The machine may be shared (other builds and tests): a run during which
# something else kept CPU 0 or CPU 1 busy for more than BUSY_LIMIT percent of
# the run is repeated, at most RETRIES times, and only while the script has
# run for less than RETRY_BUDGET seconds, so that it stays bounded.
BUSY_LIMIT=${BUSY_LIMIT:-15}
RETRIES=${RETRIES:-2}
RETRY_BUDGET=${RETRY_BUDGET:-180}

# timed_dnsperf PID OUT ARGS...: runs dnsperf, sets T_SERVER (server ticks),
# T_SECS (wall seconds), T_OTHER0 and T_OTHER1 (percent of CPU 0 and CPU 1
# used by processes other than the server and dnsperf, or stolen by the
# hypervisor) and T_IRQ0 (percent of CPU 0 in irq and softirq: mostly the
# loopback delivery of the server's answers, which the kernel does on the
# sender's core and charges to no process).
timed_dnsperf() {
	local pid=$1 out=$2 t0 t1 c0 c1 a0 a1 i0 i1 b0 b1 s0 s1 _
	shift 2
	t0=$(cpu_ticks "$pid") c0=$(child_ticks) s0=$(date +%s%N)
	read -r a0 i0 < <(cpu_busy "$SERVER_CPU")
	read -r b0 _ < <(cpu_busy "$CLIENT_CPU")
	"${DNSPERF[@]}" "$@" >"$out" 2>&1 || { tail -20 "$out" >&2; die "dnsperf $* failed"; }
	server_alive "$pid"
	t1=$(cpu_ticks "$pid") c1=$(child_ticks) s1=$(date +%s%N)
	read -r a1 i1 < <(cpu_busy "$SERVER_CPU")
	read -r b1 _ < <(cpu_busy "$CLIENT_CPU")
	T_SERVER=$((t1 - t0))
	read -r T_SECS T_OTHER0 T_OTHER1 T_IRQ0 < <(awk -v ns="$((s1 - s0))" -v hz="$CLK_TCK" -v srv="$T_SERVER" \
		-v cli="$((c1 - c0))" -v a="$((a1 - a0))" -v b="$((b1 - b0))" -v irq="$((i1 - i0))" 'BEGIN {
		secs = ns / 1e9
		o0 = 100 * (a - srv) / hz / secs; if (o0 < 0) o0 = 0
		o1 = 100 * (b - cli) / hz / secs; if (o1 < 0) o1 = 0
		printf "%.3f %.1f %.1f %.1f\n", secs, o0, o1, 100 * irq / hz / secs
	}')
}
contended() { # true when the last timed_dnsperf saw other load and a retry is allowed
	[ "$1" -lt "$RETRIES" ] && [ "$SECONDS" -lt "$RETRY_BUDGET" ] &&
		awk -v a="$T_OTHER0" -v b="$T_OTHER1" -v l="$BUSY_LIMIT" 'BEGIN {exit !(a > l || b > l)}'
}

measure() { # server round
	local name=$1 round=$2 pid port out attempt
	pid=PID_$name pid=${!pid}
	port=PORT_$name port=${!port}
	server_alive "$pid"
	out=$WORK/$name-r$round

	# maximum throughput, with the server's CPU time around it
	attempt=0
	while :; do
		timed_dnsperf "$pid" "$out.max" -p "$port" -l "$DURATION" -c "$DNSPERF_CLIENTS" -q "$DNSPERF_OUTSTANDING"
		contended "$attempt" || break
		attempt=$((attempt + 1))
		log "round $round $name: other load during the throughput run (CPU $SERVER_CPU ${T_OTHER0}%, CPU $CLIENT_CPU ${T_OTHER1}%), again"
	done
	local qps completed sent resp ticks=$T_SERVER secs=$T_SECS other0=$T_OTHER0 other1=$T_OTHER1 irq0=$T_IRQ0 tries=$((attempt + 1))
	qps=$(dnsperf_field "$out.max" "Queries per second:")
	completed=$(dnsperf_field "$out.max" "Queries completed:")
	sent=$(dnsperf_field "$out.max" "Queries sent:")
	resp=$(dnsperf_response_bytes "$out.max")
	[ "${completed:-0}" -gt 0 ] || { cat "$out.max" >&2; die "no answers from $name"; }

	# fixed rate, for latency percentiles from dnsperf -v per-query lines
	attempt=0
	while :; do
		timed_dnsperf "$pid" "$out.lat" -p "$port" -l "$LAT_DURATION" -c 1 -q 100 -Q "$LAT_RATE" -v
		contended "$attempt" || break
		attempt=$((attempt + 1))
		log "round $round $name: other load during the fixed-rate run (CPU $SERVER_CPU ${T_OTHER0}%, CPU $CLIENT_CPU ${T_OTHER1}%), again"
	done
	local timeouts p50 p99 p999 maxlat
	read -r _ timeouts p50 p99 p999 maxlat < <("$BB" latency "$out.lat")

	awk -v n="$name" -v r="$round" -v qps="$qps" -v done="$completed" -v sent="$sent" \
		-v ticks="$ticks" -v hz="$CLK_TCK" -v secs="$secs" -v irq0="$irq0" -v o0="$other0" -v o1="$other1" -v tries="$tries" \
		-v resp="$resp" -v p50="$p50" -v p99="$p99" -v p999="$p999" -v to="$timeouts" \
		-v lo0="$T_OTHER0" -v ltries="$((attempt + 1))" \
		-v rss="$(status_kb "$pid" VmRSS)" -v hwm="$(status_kb "$pid" VmHWM)" 'BEGIN {
		printf "%s\t%d\t%.0f\t%d\t%.3f\t%.3f\t%.0f\t%.1f\t%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\n", n, r, qps, done,
			(sent > 0 ? 100 * (sent - done) / sent : 0), ticks / hz * 1e6 / done,
			(ticks > 0 ? done / (ticks / hz) : 0), 100 * ticks / hz / secs,
			irq0, o0, o1, tries, resp, p50, p99, p999, to, lo0, ltries, rss, hwm
	}' >>"$RUNS"
	log "$(tail -1 "$RUNS" | awk -F'\t' '{printf "round %s %-5s %7s qps, %s µs CPU/query, CPU %s%%, p99 %s µs at '"$LAT_RATE"' qps, RSS %s kB (other load %s%%/%s%%)", $2, $1, $3, $6, $8, $15, $20, $10, $11}')"
}

# --- fixed-rate ladder and reload under load ----------------------------------

FIXED=$WORK/fixed.tsv
printf 'server\tround\tphase\trate\tsecs\tsent\tcompleted\tlost\tserver_drops\tother_drops\tservfail\tqps\tp50_us\tp99_us\tp999_us\tmax_us\tcpu_pct\tcpu0_other\tcpu1_other\ttries\tzone_edits\tzone_applied\tgeoip_swaps\tgeoip_applied\ttables\terrors\tserved\trss_kb\thwm_kb\n' >"$FIXED"

udp_drops() { # port -> datagrams the kernel dropped at the sockets bound to it (full receive buffer)
	awk -v port="$(printf '%04X' "$1")" 'FNR > 1 {split($2, a, ":"); if (a[2] == port) n += $NF} END {print n + 0}' /proc/net/udp /proc/net/udp6
}
rcvbuf_errors() { # datagrams dropped at a full receive buffer, every socket of the host
	awk '$1 == "Udp:" && $2 ~ /^[0-9]/ {print $6; exit}' /proc/net/snmp
}
# fixed_dnsperf PID PORT OUT ARGS...: timed_dnsperf, and sets D_SERVER (UDP
# datagrams dropped at the server's sockets meanwhile) and D_OTHER (dropped
# at other sockets of the host: dnsperf's, or other processes').
fixed_dnsperf() {
	local pid=$1 port=$2 out=$3 d0 e0
	shift 3
	d0=$(udp_drops "$port") e0=$(rcvbuf_errors)
	timed_dnsperf "$pid" "$out" -p "$port" "$@"
	D_SERVER=$(($(udp_drops "$port") - d0))
	D_OTHER=$(($(rcvbuf_errors) - e0 - D_SERVER))
}

# The fixed-rate runs give dnsperf's socket a 4 MiB receive buffer (-b;
# the system's default of 208 KiB holds ~5 ms of answers at 50k q/s, less
# than a scheduling stall of dnsperf on a busy machine, and the answers it
# cannot take would count as lost to the server), within net.core.rmem_max.
FIXED_BUF=${FIXED_BUF:-4096}

outstanding() { # rate -> dnsperf -q: 10 ms of queries, at least 100
	local q=$(($1 / 100))
	echo $((q > 100 ? q : 100))
}
rcode_count() { # dnsperf output, rcode -> how many answers had it
	awk -v rc="$2" '/Response codes:/ {for (i = 1; i < NF; i++) if ($i == rc) {print $(i + 1) + 0; exit}}' "$1"
}

# record_fixed SERVER ROUND PHASE RATE OUT TRIES [REST]: one line of
# $FIXED from a fixed-rate dnsperf run just made by timed_dnsperf (OUT its
# output, with per-query lines when run with -v); REST is the reload
# columns (zone_edits ... served), "-" for each when absent.
record_fixed() {
	local name=$1 round=$2 phase=$3 rate=$4 out=$5 tries=$6 rest=${7:--	-	-	-	-	-	-} pid
	local sent completed lost qps servfail timeouts p50=- p99=- p999=- maxlat=-
	pid=PID_$name pid=${!pid}
	sent=$(dnsperf_field "$out" "Queries sent:")
	completed=$(dnsperf_field "$out" "Queries completed:")
	lost=$(dnsperf_field "$out" "Queries lost:")
	qps=$(dnsperf_field "$out" "Queries per second:")
	servfail=$(rcode_count "$out" SERVFAIL)
	if grep -q '^> ' "$out"; then
		read -r _ timeouts p50 p99 p999 maxlat < <("$BB" latency "$out")
		if [ "${KEEP:-0}" != 1 ]; then # the per-query lines are big (~50 bytes a query): keep the summary only
			grep -v '^> ' "$out" >"$out.summary" || true
			mv "$out.summary" "$out"
		fi
	fi
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%.0f\t%s\t%s\t%s\t%s\t%.1f\t%s\t%s\t%s\t%s\t%s\t%s\n' \
		"$name" "$round" "$phase" "$rate" "$T_SECS" "$sent" "$completed" "${lost:-0}" "$D_SERVER" "$D_OTHER" "${servfail:-0}" "$qps" \
		"$p50" "$p99" "$p999" "$maxlat" "$(awk -v t="$T_SERVER" -v hz="$CLK_TCK" -v s="$T_SECS" 'BEGIN {print 100 * t / hz / s}')" \
		"$T_OTHER0" "$T_OTHER1" "$tries" "$rest" "$(status_kb "$pid" VmRSS)" "$(status_kb "$pid" VmHWM)" >>"$FIXED"
	log "$(tail -1 "$FIXED" | awk -F'\t' '{printf "round %s %-6s %-6s %6s q/s: %s q/s answered, %s lost (dropped at the server socket %s, elsewhere %s), %s SERVFAIL, p99 %s µs, server CPU %s%% (other load %s%%/%s%%)", $2, $1, $3, $4, $12, $8, $9, $10, $11, $14, $17, $18, $19}')"
}

ladder() { # server round: every rate of LADDER_RATES for LADDER_DURATION seconds
	local name=$1 round=$2 pid port rate out attempt v
	pid=PID_$name pid=${!pid}
	port=PORT_$name port=${!port}
	for rate in $LADDER_RATES; do
		out=$WORK/$name-r$round.q$rate
		v=()
		if grep -qw -- "$rate" <<<"$PCT_RATES"; then v=(-v); fi
		attempt=0
		while :; do
			fixed_dnsperf "$pid" "$port" "$out" -l "$LADDER_DURATION" -c 1 -b "$FIXED_BUF" -q "$(outstanding "$rate")" -Q "$rate" "${v[@]}"
			contended "$attempt" || break
			attempt=$((attempt + 1))
			log "round $round $name: other load during the $rate q/s run (CPU $SERVER_CPU ${T_OTHER0}%, CPU $CLIENT_CPU ${T_OTHER1}%), again"
		done
		record_fixed "$name" "$round" ladder "$rate" "$out" "$((attempt + 1))"
	done
}

# The reload runs' state, kept across rounds: the last edit number and the
# database in place (0 or 1).
# shellcheck disable=SC2034 # read as ${!e} and ${!g}
EDIT_rgslb=0 EDIT_rgdnsd=0 GEOIP_rgslb=0 GEOIP_rgdnsd=0

# edit_zone SERVER N [DIR]: the zone file with TXT "edit N" and serial
# RELOAD_SERIAL0+N, renamed into place. DIR is the server's directory,
# $WORK/SERVER; another one (the shadow copy) makes the same edit where the
# server does not look, and gdnsd is not told.
edit_zone() {
	local name=$1 n=$2 dir=${3:-$WORK/$1} serial=$((RELOAD_SERIAL0 + $2))
	case $name in
	rgslb)
		sed "s|^serial = .*|serial = $serial|; s|'reload TXT \"edit [0-9]*\"'|'reload TXT \"edit $n\"'|" \
			"$dir/zones/example.com.toml" >"$dir/zone.tmp"
		mv "$dir/zone.tmp" "$dir/zones/example.com.toml"
		;;
	rgdnsd)
		sed "s|hostmaster [0-9]* |hostmaster $serial |; s|^reload TXT \"edit [0-9]*\"|reload TXT \"edit $n\"|" \
			"$dir/zones/${ZONE%.}" >"$dir/zone.tmp"
		mv "$dir/zone.tmp" "$dir/zones/${ZONE%.}"
		if [ "$dir" = "$WORK/$name" ]; then
			gdnsdctl -c "$WORK/rgdnsd" reload-zones >>"$WORK/rgdnsd-ctl.log" 2>&1 || echo "reload-zones failed" >&2
		fi
		;;
	esac
}
swap_geoip() { # server k [DIR]: database k (0 or 1) renamed into place in DIR ($WORK/SERVER)
	local dir=${3:-$WORK/$1}
	cp "$WORK/geoip/$2.mmdb" "$dir/geoip.tmp"
	mv "$dir/geoip.tmp" "$dir/geoip/city.mmdb"
}

# reloader SERVER EDIT GEOIP: in the background, at every whole second t
# from 1 to RELOAD_DURATION-1 after its start, edits the zone when t is a
# multiple of ZONE_EVERY and swaps the database when it is one of
# GEOIP_EVERY; pinned to dnsperf's core, off the server's. Prints "edits
# swaps last_edit last_geoip". With DIR (reloader SERVER EDIT GEOIP DIR),
# the same work on a copy of the server's files that it does not watch:
# the run without a change has it too, so that the two runs differ by the
# server's reloads only, not by the editing's load on dnsperf's core.
reloader() {
	local name=$1 edit=$2 geoip=$3 dir=${4:-} t0 t edits=0 swaps=0
	taskset -cp "$CLIENT_CPU" "$BASHPID" >/dev/null
	t0=$(date +%s%N)
	for ((t = 1; t < RELOAD_DURATION; t++)); do
		sleep "$(awk -v t0="$t0" -v now="$(date +%s%N)" -v t="$t" 'BEGIN {d = (t0 + t * 1e9 - now) / 1e9; printf "%.3f", (d > 0 ? d : 0)}')"
		if [ $((t % ZONE_EVERY)) -eq 0 ]; then
			edit=$((edit + 1)) edits=$((edits + 1))
			edit_zone "$name" "$edit" "$dir"
		fi
		if [ $((t % GEOIP_EVERY)) -eq 0 ]; then
			geoip=$((1 - geoip)) swaps=$((swaps + 1))
			swap_geoip "$name" "$geoip" "$dir"
		fi
	done
	echo "$edits $swaps $edit $geoip"
}

metric() { # name with labels -> value from gslb's /metrics (reload runs' gslb)
	{ curl -sf --max-time 5 "http://127.0.0.1:$CONTROL_PORT/metrics" || true; } | awk -v m="$1" '$1 == m {print $2; exit}'
}
served_edit() { # server n: the zone's TXT and serial are edit n's
	local port=PORT_$1
	dig +short +norec +time=1 +tries=1 -p "${!port}" @127.0.0.1 "reload.$ZONE" TXT | grep -qx "\"edit $2\"" &&
		dig +short +norec +time=1 +tries=1 -p "${!port}" @127.0.0.1 "$ZONE" SOA | awk '{print $3}' | grep -qx "$((RELOAD_SERIAL0 + $2))"
}
log_count() { # file, from line, pattern -> matching lines after that line
	tail -n +"$(($2 + 1))" "$1" | grep -c -- "$3" || true
}

# reload_runs SERVER ROUND: RELOAD_RATE q/s for RELOAD_DURATION s without a
# change, then the same with the reloader running.
reload_runs() {
	local name=$1 round=$2 pid port out q rpid from edits swaps edit geoip served=0 zone_applied geoip_applied tables errors
	pid=PID_$name pid=${!pid}
	port=PORT_$name port=${!port}
	out=$WORK/$name-r$round
	q=$(outstanding "$RELOAD_RATE")
	reloader "$name" 0 0 "$WORK/$name-shadow" >/dev/null 2>"$out.shadow-errors" &
	rpid=$!
	fixed_dnsperf "$pid" "$port" "$out.steady" -l "$RELOAD_DURATION" -c 1 -b "$FIXED_BUF" -q "$q" -Q "$RELOAD_RATE" -v
	wait "$rpid" || die "the shadow reloader of $name failed: $(cat "$out.shadow-errors")"
	record_fixed "$name" "$round" steady "$RELOAD_RATE" "$out.steady" 1

	from=$(wc -l <"$WORK/$name.log")
	local e=EDIT_$name g=GEOIP_$name
	reloader "$name" "${!e}" "${!g}" >"$out.reloader" 2>"$out.reloader-errors" &
	rpid=$!
	fixed_dnsperf "$pid" "$port" "$out.reload" -l "$RELOAD_DURATION" -c 1 -b "$FIXED_BUF" -q "$q" -Q "$RELOAD_RATE" -v
	wait "$rpid" || die "the reloader of $name failed: $(cat "$out.reloader-errors")"
	read -r edits swaps edit geoip <"$out.reloader"
	printf -v "EDIT_$name" '%s' "$edit"
	printf -v "GEOIP_$name" '%s' "$geoip"
	# the last edit served? (gslb waits 200 ms for quiet in the directory)
	for _ in $(seq 50); do
		if served_edit "$name" "$edit"; then served=1; break; fi
		sleep 0.1
	done
	case $name in
	rgslb)
		zone_applied=$(log_count "$WORK/$name.log" "$from" "msg=\"zone serving\".* zone=$ZONE ")
		geoip_applied=$(log_count "$WORK/$name.log" "$from" 'msg="geoip databases loaded"')
		tables=$(log_count "$WORK/$name.log" "$from" 'msg="ranking tables ready"')
		errors=$(log_count "$WORK/$name.log" "$from" 'level=ERROR')
		local epoch=EPOCH_$geoip want have
		want=${!epoch}
		for _ in $(seq 50); do
			have=$(metric 'gslb_geoip_build_timestamp_seconds{database="city"}')
			awk -v a="$have" -v b="$want" 'BEGIN {exit !(a + 0 == b + 0)}' && break
			sleep 0.1
		done
		awk -v a="$have" -v b="$want" 'BEGIN {exit !(a + 0 == b + 0)}' ||
			{ served=0; log "gslb serves the database built at ${have:-?}, not the last one placed ($want)"; }
		;;
	rgdnsd)
		zone_applied=$(log_count "$WORK/$name.log" "$from" "Zone $ZONE with serial .* loaded")
		geoip_applied=$(log_count "$WORK/$name.log" "$from" "runtime db updated")
		tables=-
		errors=$(log_count "$WORK/$name.log" "$from" '^error:')
		;;
	esac
	[ -s "$out.reloader-errors" ] && log "$name reloader: $(sort "$out.reloader-errors" | uniq -c | tr '\n' ' ')"
	[ "$served" = 1 ] || log "$name does not serve edit $edit"
	record_fixed "$name" "$round" reload "$RELOAD_RATE" "$out.reload" 1 \
		"$edits	$zone_applied	$swaps	$geoip_applied	$tables	$errors	$served"
}

LOADAVG_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
log "starting both servers (load average $LOADAVG_BEFORE)"
start gdnsd
start gslb
for name in "${WILD_NAMES[@]}"; do
	start "$name"
done
RELOAD_NAMES=()
if [ "$RELOAD" = 1 ]; then RELOAD_NAMES=(rgdnsd rgslb); fi
for name in "${RELOAD_NAMES[@]}"; do
	start "$name"
done
log "warm-up (3 s each)"
for name in gdnsd gslb "${WILD_NAMES[@]}" "${RELOAD_NAMES[@]}"; do
	port=PORT_$name
	"${DNSPERF[@]}" -p "${!port}" -l 3 -c "$DNSPERF_CLIENTS" -q "$DNSPERF_OUTSTANDING" >"$WORK/$name-warmup" 2>&1
done

for round in $(seq "$ROUNDS"); do
	if [ $((round % 2)) -eq 1 ]; then order="gdnsd gslb"; else order="gslb gdnsd"; fi
	wild=("${WILD_NAMES[@]}")
	if [ $((round % 2)) -eq 0 ] && [ ${#wild[@]} -gt 1 ]; then # the wildcard runs alternate too
		mapfile -t wild < <(printf '%s\n' "${WILD_NAMES[@]}" | tac)
	fi
	for name in $order "${wild[@]}"; do
		measure "$name" "$round"
	done
	for name in $order; do
		ladder "$name" "$round"
	done
	if [ "$RELOAD" = 1 ]; then
		for name in $order; do
			reload_runs "r$name" "$round"
		done
	fi
done

# --- 5. same datacenter, same scope? -----------------------------------------------

log "agreement check: $NCLIENTS client subnets"
"$BB" agree -gslb "127.0.0.1:$GSLB_PORT" -gdnsd "127.0.0.1:$GDNSD_PORT" -zone "$ZONE" -dcmap "$WORK/dcmap" \
	-mmdb "$MMDB" -n "$NCLIENTS" -seed 2 -out "$WORK/agree.md" >/dev/null

# --- 6. report -----------------------------------------------------------------

DATE=$(date -u +%Y-%m-%d)
GDNSD_VERSION=$(gdnsd -V 2>&1 | grep -o 'version [0-9][^ ]*' | head -1 | cut -d' ' -f2 || true)
DNSPERF_VERSION=$(dnsperf -h 2>&1 | awk '/^Version/ {print $2; exit}' || true)
GSLB_REV=$(git describe --always --dirty --abbrev=10 2>/dev/null || echo unknown)
GO_VERSION=$(go env GOVERSION)
CPU_MODEL=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
{
	printf 'date\t%s\n' "$(date -u '+%Y-%m-%d %H:%M UTC')"
	printf 'machine\t%s CPUs (nproc), %s, Linux %s, load average before the runs %s\n' "$(nproc)" "$CPU_MODEL" "$(uname -r)" "$LOADAVG_BEFORE"
	# shellcheck disable=SC2016 # the backquotes are Markdown
	printf 'gdnsd\t%s (Debian package; `udp_threads => 1`%s)\n' "$GDNSD_VERSION" "$([ "$GDNSD_UDP_RCVBUF" = 0 ] || echo ", \`udp_rcvbuf => $GDNSD_UDP_RCVBUF\`")"
	printf 'gslb\t%s (%s; GOMAXPROCS %s)\n' "$GSLB_REV" "$GO_VERSION" "${GOMAXPROCS:-default, 1 from the CPU affinity}"
	printf 'dnsperf\t%s\n' "$DNSPERF_VERSION"
	# shellcheck disable=SC2016 # the backquotes are Markdown
	printf 'pinning\tserver on CPU %s (`taskset -c %s`), dnsperf on CPU %s\n' "$SERVER_CPU" "$SERVER_CPU" "$CLIENT_CPU"
	printf 'queries\t%s\n' "$(sed 's/^[^:]*: //' "$WORK/queries.log")"
	printf 'throughput load\tdnsperf -B -c %s -q %s -l %s\n' "$DNSPERF_CLIENTS" "$DNSPERF_OUTSTANDING" "$DURATION"
	printf 'latency rate\t%s\n' "$LAT_RATE"
	printf 'latency load\tdnsperf -B -Q %s -c 1 -q 100 -l %s -v (percentiles of the per-query latencies dnsperf prints)\n' "$LAT_RATE" "$LAT_DURATION"
	printf 'rounds\t%s\n' "$ROUNDS"
	for name in gdnsd gslb; do
		printf 'response codes, %s\t%s\n' "$name" "$(sed -n 's/^ *Response codes: *//p' "$WORK/$name-r1.max")"
	done
	printf 'gdnsd label\tgdnsd %s\n' "$GDNSD_VERSION"
	printf 'gslb label\tgslb %s\n' "${GSLB_REV:0:10}"
} >"$WORK/meta.tsv"
cat >"$WORK/notes.md" <<EOF
Configurations (written by \`bench/compare.sh\`): the example's seven datacenters
with the same coordinates and addresses (syd with addresses instead of a CNAME),
the same database (\`testdata/geoip/GeoIP2-City-Test.mmdb\`), no health checks,
TTL $TTL for \`www\` and $BENCH_STATIC_TTL for the static records. gslb: policy
\`nearest\`, \`max_answers = $MAX_ANSWERS\` (the most IPv4 addresses of one
datacenter), control API off. gdnsd: plugin geoip in city-auto mode
(\`auto_dc_coords\`) with \`auto_dc_limit => ${#BENCH_DATACENTERS[@]}\` so that it ranks
every datacenter as gslb does (with its default of 3 the chosen datacenters are
the same but about 8% of the ECS scopes differ), resources through multifo
without \`service_types\` (all up), \`udp_threads => 1\` and \`tcp_threads => 1\`
(one core). Both answer every IPv4 address of the chosen datacenter.

Every query carries an ECS option; dnsperf reads them in its binary format
(\`-B\`) from a file made by \`bench/tools\` (\`gslbbench queries\`). CPU per
query is the server's utime+stime (\`/proc/PID/stat\`, all threads) over the
throughput run divided by the answered queries; it is the figure least
disturbed by the client and by neighbours. The irq and softirq time of the
server's core (mostly the kernel's loopback delivery of the answers) is shown
on its own line; with tick-based accounting the part of it that ran while the
server was on the core is counted in the server's CPU time too. "Other load" is the time the
core spent in processes other than the server (or dnsperf), or stolen by the
hypervisor. A run with more than $BUSY_LIMIT% other load on either core is
repeated (at most $RETRIES times, within a time budget). When the server's own
CPU use in the throughput run stays well below 100%, the throughput is bound
by dnsperf on its single core, not by the server. Latency percentiles come
from dnsperf's \`-v\` per-query lines (microsecond resolution) at a fixed
rate; on a shared or virtual machine the tail (p99, p99.9) is dominated by
scheduling stalls of either process and varies a lot between rounds.
EOF
mkdir -p "$OUT"
"$BB" report -runs "$RUNS" -meta "$WORK/meta.tsv" -agree "$WORK/agree.md" -notes "$WORK/notes.md" \
	-out "$OUT/compare-$DATE.md"
if [ ${#WILD_NAMES[@]} -gt 0 ]; then
	{
		echo
		echo '## Wildcard sockets'
		echo
		echo "The same configuration listening on \`0.0.0.0:PORT\` instead of \`127.0.0.1:PORT\`"
		echo "(dnsperf still asks 127.0.0.1), measured in every round after gslb and gdnsd (in"
		echo "alternating order when there are several); medians over the rounds, ratios to gslb"
		echo "on 127.0.0.1 in the same run."
		echo
		echo '| server | binary | queries/s | ratio | CPU µs/query | ratio | p99 µs at '"$LAT_RATE"' q/s |'
		echo '|---|---|---:|---:|---:|---:|---:|'
		for i in "${!WILD_NAMES[@]}"; do
			rev=$("${WILD_BINS[$i]}" version 2>/dev/null | head -1 | cut -d" " -f2 || true)
			awk -F'\t' -v w="${WILD_NAMES[$i]}" -v bin="${WILD_BINS[$i]##*/} ${rev:-}" '
				function med(a, n,   i, j, t) {
					for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
					return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
				}
				NR > 1 && $1 == "gslb" { gq[++g] = $3; gc[g] = $6 }
				NR > 1 && $1 == w { wq[++n] = $3; wc[n] = $6; wp[n] = $15 }
				END {
					if (!n || !g) exit
					q = med(wq, n); c = med(wc, n); mq = med(gq, g); mc = med(gc, g)
					printf "| %s (0.0.0.0) | %s | %.0f | %.2f | %.3f | %.2f | %.0f |\n", w, bin, q, q / mq, c, c / mc, med(wp, n)
				}' "$RUNS"
		done
	} >>"$OUT/compare-$DATE.md"
fi
log "written $OUT/compare-$DATE.md"

# --- 7. report of the fixed rates and the reload runs -----------------------------

LOADAVG_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
{
	grep -v -e '^latency ' -e '^throughput load' -e '^response codes' -e ' label' "$WORK/meta.tsv"
	printf 'load average after the runs\t%s\n' "$LOADAVG_AFTER"
	printf 'ladder\tdnsperf -B -c 1 -Q RATE -q RATE/100 (at least 100) -b %s -l %s, RATE in %s; per-query latencies (-v) at %s\n' \
		"$FIXED_BUF" "$LADDER_DURATION" "$LADDER_RATES" "$PCT_RATES"
	if [ "$RELOAD" = 1 ]; then
		printf 'reload runs\tdnsperf -B -c 1 -Q %s -q %s -b '"$FIXED_BUF"' -l %s -v, without a change then with the zone file rewritten every %s s and the GeoIP database replaced every %s s\n' \
			"$RELOAD_RATE" "$(outstanding "$RELOAD_RATE")" "$RELOAD_DURATION" "$ZONE_EVERY" "$GEOIP_EVERY"
	fi
} >"$WORK/meta-reload.tsv"
cat >"$WORK/notes-reload.md" <<EOF
How these were measured (\`bench/compare.sh\`, in every round after the
throughput and fixed-rate runs of the main report, in the same alternating
order):

- **Fixed rates.** gdnsd and gslb of the main report, each asked at every rate
  of the ladder for $LADDER_DURATION s by one dnsperf socket pacing its queries
  (\`-Q\`), with at most 10 ms of queries outstanding and a receive buffer of
  $FIXED_BUF KiB. A query without an answer within 2 s is lost; dnsperf counts
  it whether the server dropped it or the client's socket did (at the top of
  the ladder dnsperf's own core may be the limit: compare "answered" with the
  rate asked). The kernel's counters tell them apart: the datagrams dropped at
  the server's sockets because their receive buffer was full (the \`drops\` of
  \`/proc/net/udp\` for its port), and those dropped at every other socket of
  the host meanwhile (\`RcvbufErrors\` of \`/proc/net/snmp\` minus the
  server's: dnsperf's socket, or another process's). Latency percentiles come from
  dnsperf's per-query lines, at the rates where printing them does not load
  its core too much. Runs with more than $BUSY_LIMIT% other load on a core are
  repeated as in the main report.
- **Reload under load.** A gslb and a gdnsd of their own (same configuration,
  gslb with its control API on, for \`/metrics\`), each with a zone file and a
  GeoIP database that only it uses. Each answers $RELOAD_RATE q/s for
  $RELOAD_DURATION s without a change, then for $RELOAD_DURATION s while, every
  $ZONE_EVERY s, the zone file is rewritten (the TXT record \`reload.$ZONE\` and
  the SOA serial change; written aside, renamed into place) and, every
  $GEOIP_EVERY s, the GeoIP database is replaced by the other of two files
  (the sample database and a copy whose build time is a day later: same
  networks and records, so the answers do not change, but the file does and
  each server loads it again; renamed into place). gslb watches both by
  itself (its zones directory and its database files, 200 ms debounce);
  gdnsd is told of every zone edit with \`gdnsdctl reload-zones\`
  (synchronous) and watches its GeoIP database itself. The edits are made
  by a shell loop pinned to dnsperf's core; in the run without a change the
  same loop makes the same edits to a copy of the server's files that it
  does not watch (and does not run \`gdnsdctl\`), so that the two runs differ
  by the server's reloads, not by the editing's load on dnsperf's core
  (measured alone, that load raised gslb's p99 at 50,000 q/s about 2x).
  "Loaded (log)" counts what each
  server logged during the run: gslb's \`zone serving\` (one per new version of
  the zone), \`geoip databases loaded\` and \`ranking tables ready\`; gdnsd's
  \`Zone ... with serial ... loaded\` and \`runtime db updated\`. After the run
  the last edit is asked for (\`dig\` of the TXT and the SOA serial, within
  5 s), and for gslb the build time of the database it serves
  (\`gslb_geoip_build_timestamp_seconds\`) is compared with the last one placed.
  The reload runs are not repeated under other load: read their "other load"
  lines.
EOF
"$BB" reloadreport -runs "$FIXED" -meta "$WORK/meta-reload.tsv" -notes "$WORK/notes-reload.md" \
	-out "$OUT/compare-$DATE-reload.md" >/dev/null
log "written $OUT/compare-$DATE-reload.md (load average after the runs $LOADAVG_AFTER)"

