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
#   a change, then while the zone file is rewritten every ZONE_EVERY [1]
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
TTL=30                 # TTL of www in both servers
STATIC_TTL=300         # TTL of the static records and the SOA in both

log() { printf '[bench] %s\n' "$*" >&2; }
die() { printf '[bench] error: %s\n' "$*" >&2; exit 1; }
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

for cmd in go git taskset awk; do
	command -v "$cmd" >/dev/null || die "$cmd is required"
done
[ -x "$GSLB" ] || die "$GSLB is missing: run make build (or make bench-compare)"
[ -r "$MMDB" ] || die "$MMDB is missing"
[ "$(nproc)" -ge 2 ] || die "needs at least 2 CPUs (server on CPU $SERVER_CPU, dnsperf on CPU $CLIENT_CPU)"

# --- 1. dnsperf and gdnsd from Debian packages --------------------------------

PATH=$PATH:/usr/sbin:/sbin
install_packages() {
	local need=() sudo=() before after pid created_policy=0
	command -v dnsperf >/dev/null || need+=(dnsperf)
	command -v gdnsd >/dev/null || need+=(gdnsd)
	command -v dig >/dev/null || need+=(bind9-dnsutils) # the reload runs ask for the edited name
	command -v curl >/dev/null || need+=(curl)          # and read gslb's /metrics
	[ ${#need[@]} -eq 0 ] && return 0
	command -v apt-get >/dev/null || die "missing ${need[*]} and no apt-get to install them"
	[ "$(id -u)" -eq 0 ] || sudo=(sudo -n)
	log "installing ${need[*]} (apt-get)"
	# The gdnsd package enables a service that would listen on port 53. A
	# policy-rc.d that exits 101 forbids invoke-rc.d from starting it; ours
	# only if there is none, removed again afterwards.
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\n# bench/compare.sh: no service starts during this install\nexit 101\n' |
			"${sudo[@]}" tee /usr/sbin/policy-rc.d >/dev/null
		"${sudo[@]}" chmod 755 /usr/sbin/policy-rc.d
		created_policy=1
	fi
	before=$(pgrep -x gdnsd || true)
	local rc=0
	{
		"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
			"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
				-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${need[@]}"
	} </dev/null >&2 || rc=$?
	if [ "$created_policy" -eq 1 ]; then "${sudo[@]}" rm -f /usr/sbin/policy-rc.d; fi
	[ "$rc" -eq 0 ] || die "apt-get install ${need[*]} failed ($rc)"
	# Belt and braces: a gdnsd that appeared during the install was started
	# by it; stop exactly those processes, by id.
	after=$(pgrep -x gdnsd || true)
	for pid in $after; do
		if ! grep -qx "$pid" <<<"$before"; then
			log "stopping gdnsd pid $pid started by the package install"
			"${sudo[@]}" kill "$pid" 2>/dev/null || true
		fi
	done
	for cmd in dnsperf gdnsd dig curl; do
		command -v "$cmd" >/dev/null || die "$cmd still missing"
	done
}
install_packages

# --- working directory, servers, cleanup -------------------------------------

WORK=$(mktemp -d "${TMPDIR:-/tmp}/gslb-bench.XXXXXX")
SERVER_PIDS=()
cleanup() {
	local rc=$? pid
	for pid in "${SERVER_PIDS[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	for pid in "${SERVER_PIDS[@]}"; do
		# bounded wait, then force
		for _ in $(seq 50); do alive "$pid" || break; sleep 0.1; done
		kill -9 "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	if [ "${KEEP:-0}" = 1 ]; then
		log "kept $WORK"
	else
		rm -rf "$WORK"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

log "building bench/tools"
(cd bench/tools && go build -o "$WORK/gslbbench" .) || die "building bench/tools failed"
BB=$WORK/gslbbench

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
PORT_gslb=$GSLB_PORT PORT_gdnsd=$GDNSD_PORT
log "gslb on 127.0.0.1:$GSLB_PORT, gdnsd on 127.0.0.1:$GDNSD_PORT (both on CPU $SERVER_CPU), dnsperf on CPU $CLIENT_CPU"
for i in "${!WILD_BINS[@]}"; do
	p=PORT_${WILD_NAMES[$i]}
	log "${WILD_NAMES[$i]}: ${WILD_BINS[$i]} on 0.0.0.0:${!p} (CPU $SERVER_CPU)"
done

# --- 2. equivalent configurations ---------------------------------------------

# The example's seven datacenters (testdata/example/gslb.toml) and the
# addresses of its pool "web" (zones/example.com.toml), except that syd has
# addresses instead of a CNAME so that every datacenter answers A records.
# name lat lon IPv4-addresses IPv6-addresses
DATACENTERS=(
	"ams 52.37 4.90 192.0.2.10,192.0.2.11 2001:db8:10::10"
	"fra 50.11 8.68 192.0.2.20 2001:db8:20::10"
	"iad 38.95 -77.45 198.51.100.10,198.51.100.11 2001:db8:30::10"
	"sjc 37.34 -121.89 198.51.100.20 2001:db8:40::10"
	"gru -23.55 -46.63 198.51.100.30 -"
	"sin 1.35 103.82 203.0.113.10 2001:db8:60::10"
	"syd -33.87 151.21 203.0.113.20,203.0.113.21 2001:db8:70::10"
)
# Most IPv4 addresses of one datacenter: gdnsd answers all addresses of the
# chosen datacenter, so gslb's max_answers is set to this (2) and both answer
# every address of the chosen datacenter.
MAX_ANSWERS=0
for dc in "${DATACENTERS[@]}"; do
	read -r _ _ _ v4 _ <<<"$dc"
	n=$(tr ',' '\n' <<<"$v4" | grep -c .)
	if [ "$n" -gt "$MAX_ANSWERS" ]; then MAX_ANSWERS=$n; fi
done

# Static records, in both servers' syntax (relative to the origin).
STATIC_RECORDS=(
	"@ NS ns1"
	"@ NS ns2.example.net."
	"@ MX 10 mail"
	'@ TXT "v=spf1 -all"'
	"ns1 A 192.0.2.53"
	"ns1 AAAA 2001:db8::53"
	"mail A 192.0.2.25"
)
SOA_SERIAL=2026112501

quoted_list() { printf '"%s"' "${1//,/\", \"}"; } # a,b,c -> "a", "b", "c"

mkdir -p "$WORK/gslb/zones" "$WORK/gdnsd/zones" "$WORK/gdnsd/run" "$WORK/gdnsd/state"
{
	echo "# gslb bench configuration, written by bench/compare.sh"
	echo "listen = [\"127.0.0.1:$GSLB_PORT\"]"
	echo 'zones = "zones"'
	echo 'state = "gslb.db"'
	echo
	echo '[geoip]'
	echo "city = \"$MMDB\""
	echo
	echo '[control]'
	echo 'listen = ""                 # off: no clash with a dev server on 8053'
	for dc in "${DATACENTERS[@]}"; do
		read -r name lat lon _ _ <<<"$dc"
		printf '\n[datacenters.%s]\nlat = %s\nlon = %s\n' "$name" "$lat" "$lon"
	done
} >"$WORK/gslb/gslb.toml"
for name in "${WILD_NAMES[@]}"; do
	p=PORT_$name
	mkdir -p "$WORK/$name"
	sed "s/^listen = \[\"127.0.0.1:$GSLB_PORT\"\]/listen = [\"0.0.0.0:${!p}\"]/; s|^zones = \"zones\"|zones = \"$WORK/gslb/zones\"|" \
		"$WORK/gslb/gslb.toml" >"$WORK/$name/gslb.toml"
	grep -q "0.0.0.0:${!p}" "$WORK/$name/gslb.toml" || die "no wildcard listen address in $WORK/$name/gslb.toml"
done
{
	echo "origin = \"$ZONE\""
	echo "ttl = $STATIC_TTL"
	echo 'records = ['
	for r in "${STATIC_RECORDS[@]}"; do
		printf "  '%s',\n" "$r"
	done
	echo ']'
	echo
	echo '[soa]'
	echo "primary = \"ns1.$ZONE\""
	echo "contact = \"hostmaster.$ZONE\""
	echo "serial = $SOA_SERIAL"
	echo 'refresh = 3600'
	echo 'retry = 900'
	echo 'expire = 1209600'
	echo "negative_ttl = $STATIC_TTL"
	echo
	echo '[gslb.www]'
	echo 'pool = "web"'
	echo "ttl = $TTL"
	echo
	echo '[pools.web]'
	echo 'policy = "nearest"'
	echo "max_answers = $MAX_ANSWERS             # gdnsd answers every address of the chosen datacenter"
	echo 'members = ['
	for dc in "${DATACENTERS[@]}"; do
		read -r name _ _ v4 v6 <<<"$dc"
		addrs=$v4
		[ "$v6" != - ] && addrs=$addrs,$v6
		echo "  { datacenter = \"$name\", addresses = [$(quoted_list "$addrs")] },"
	done
	echo ']'
} >"$WORK/gslb/zones/example.com.toml"

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
	printf '        datacenters => [ %s ]\n' "$(for dc in "${DATACENTERS[@]}"; do read -r n _ <<<"$dc"; printf '%s ' "$n"; done)"
	echo "        auto_dc_limit => ${#DATACENTERS[@]}   # rank every datacenter, as gslb does (default 3)"
	echo '        auto_dc_coords => {'
	for dc in "${DATACENTERS[@]}"; do
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
	for dc in "${DATACENTERS[@]}"; do
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
	echo "\$TTL $STATIC_TTL"
	echo "@ SOA ns1 hostmaster $SOA_SERIAL 3600 900 1209600 $STATIC_TTL"
	for r in "${STATIC_RECORDS[@]}"; do
		echo "$r"
	done
	echo "www $TTL DYNA geoip!www"
} >"$WORK/gdnsd/zones/${ZONE%.}"

for dc in "${DATACENTERS[@]}"; do
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
EPOCH_0=$((EPOCH_1 - 86400)) # build times, as gslb_geoip_build_timestamp_seconds has them
cp "$WORK/geoip/0.mmdb" "$WORK/rgslb/geoip/city.mmdb"
cp "$WORK/geoip/0.mmdb" "$WORK/rgdnsd/geoip/city.mmdb"
sed "s|^listen = \[\"127.0.0.1:$GSLB_PORT\"\]|listen = [\"127.0.0.1:$PORT_rgslb\"]|
	s|^city = .*|city = \"$WORK/rgslb/geoip/city.mmdb\"|
	s|^listen = \"\" .*|listen = \"127.0.0.1:$CONTROL_PORT\"|" "$WORK/gslb/gslb.toml" >"$WORK/rgslb/gslb.toml"
for want in "127.0.0.1:$PORT_rgslb" "$WORK/rgslb/geoip/city.mmdb" "127.0.0.1:$CONTROL_PORT"; do
	grep -qF "$want" "$WORK/rgslb/gslb.toml" || die "$want is not in $WORK/rgslb/gslb.toml"
done
sed "s|^records = \[|records = [\n  'reload TXT \"edit 0\"',|; s|^serial = .*|serial = $RELOAD_SERIAL0|" \
	"$WORK/gslb/zones/example.com.toml" >"$WORK/rgslb/zones/example.com.toml"
sed "s|127.0.0.1:$GDNSD_PORT|127.0.0.1:$PORT_rgdnsd|; s|$WORK/gdnsd/|$WORK/rgdnsd/|
	s|geoip2_db => .*|geoip2_db => $WORK/rgdnsd/geoip/city.mmdb|" "$WORK/gdnsd/config" >"$WORK/rgdnsd/config"
for want in "127.0.0.1:$PORT_rgdnsd" "$WORK/rgdnsd/run" "$WORK/rgdnsd/state" "$WORK/rgdnsd/geoip/city.mmdb"; do
	grep -qF "$want" "$WORK/rgdnsd/config" || die "$want is not in $WORK/rgdnsd/config"
done
{
	sed "s|hostmaster $SOA_SERIAL |hostmaster $RELOAD_SERIAL0 |" "$WORK/gdnsd/zones/${ZONE%.}"
	echo 'reload TXT "edit 0"'
} >"$WORK/rgdnsd/zones/${ZONE%.}"

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

start_server() { # name -> sets PID_<name>
	local name=$1 pid port
	case $name in
	gdnsd)
		taskset -c "$SERVER_CPU" gdnsd -c "$WORK/gdnsd" start >"$WORK/gdnsd.log" 2>&1 &
		pid=$! port=$GDNSD_PORT
		;;
	gslb)
		taskset -c "$SERVER_CPU" "$GSLB" serve -config "$WORK/gslb/gslb.toml" -state "$WORK/gslb/state.db" \
			>"$WORK/gslb.log" 2>&1 &
		pid=$! port=$GSLB_PORT
		;;
	rgdnsd)
		taskset -c "$SERVER_CPU" gdnsd -c "$WORK/rgdnsd" start >"$WORK/rgdnsd.log" 2>&1 &
		pid=$! port=$PORT_rgdnsd
		;;
	rgslb)
		taskset -c "$SERVER_CPU" "$GSLB" serve -config "$WORK/rgslb/gslb.toml" -state "$WORK/rgslb/state.db" \
			>"$WORK/rgslb.log" 2>&1 &
		pid=$! port=$PORT_rgslb
		;;
	wild*)
		local i=$((${name#wild} - 1)) p=PORT_$name
		taskset -c "$SERVER_CPU" "${WILD_BINS[$i]}" serve -config "$WORK/$name/gslb.toml" -state "$WORK/$name/state.db" \
			>"$WORK/$name.log" 2>&1 &
		pid=$! port=${!p}
		;;
	esac
	SERVER_PIDS+=("$pid")
	printf -v "PID_$name" '%s' "$pid"
	if ! "$BB" wait -server "127.0.0.1:$port" -name "www.$ZONE" -tries 300 -interval 100ms; then
		tail -20 "$WORK/$name.log" >&2 || true
		die "$name did not start"
	fi
	server_alive "$pid"
}

server_alive() { # pid: dies, with the end of the server's log, when it has exited
	local name rc
	alive "$1" && return 0
	for name in gdnsd gslb "${WILD_NAMES[@]}" rgdnsd rgslb; do
		local p=PID_$name
		if [ "${!p:-}" = "$1" ]; then
			wait "$1" && rc=0 || rc=$?
			log "$name (pid $1) exited with status $rc; the end of its log:"
			tail -40 "$WORK/$name.log" >&2 || true
			die "$name exited during the benchmark"
		fi
	done
	die "pid $1 exited"
}
cpu_ticks() { # utime+stime of a process (all threads), in clock ticks
	# fields after the ") " that ends the command name: 12 and 13 are utime and stime
	sed 's/.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'
}
child_ticks() { # cutime+cstime of this shell: CPU time of the children it has waited for
	sed 's/.*) //' "/proc/$$/stat" | awk '{print $14 + $15}'
}
cpu_busy() { # ticks of CPU $1 since boot: "PROCESSES IRQ": user+nice+system+steal, irq+softirq
	awk -v cpu="cpu$1" '$1 == cpu {print $2 + $3 + $4 + $9, $7 + $8}' /proc/stat
}
status_kb() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }
dnsperf_field() { # file, label -> first number after the label
	awk -v label="$2" 'index($0, label) {sub(".*" label "[ \t]*", ""); print $1 + 0; exit}' "$1"
}

CLK_TCK=$(getconf CLK_TCK)
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
	resp=$(awk '/Average packet size/ {for (i = 1; i <= NF; i++) if ($i == "response") {print $(i + 1) + 0; exit}}' "$out.max")
	[ "${completed:-0}" -gt 0 ] || { cat "$out.max" >&2; die "no answers from $name"; }

	# fixed rate, for latency percentiles from dnsperf -v per-query lines
	attempt=0
	while :; do
		timed_dnsperf "$pid" "$out.lat" -p "$port" -l "$LAT_DURATION" -c 1 -q 100 -Q "$LAT_RATE" -v
		contended "$attempt" || break
		attempt=$((attempt + 1))
		log "round $round $name: other load during the fixed-rate run (CPU $SERVER_CPU ${T_OTHER0}%, CPU $CLIENT_CPU ${T_OTHER1}%), again"
	done
	local count timeouts p50 p99 p999 maxlat
	read -r count timeouts p50 p99 p999 maxlat < <("$BB" latency "$out.lat")

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
	local sent completed lost qps servfail count timeouts p50=- p99=- p999=- maxlat=-
	pid=PID_$name pid=${!pid}
	sent=$(dnsperf_field "$out" "Queries sent:")
	completed=$(dnsperf_field "$out" "Queries completed:")
	lost=$(dnsperf_field "$out" "Queries lost:")
	qps=$(dnsperf_field "$out" "Queries per second:")
	servfail=$(rcode_count "$out" SERVFAIL)
	if grep -q '^> ' "$out"; then
		read -r count timeouts p50 p99 p999 maxlat < <("$BB" latency "$out")
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
EDIT_rgslb=0 EDIT_rgdnsd=0 GEOIP_rgslb=0 GEOIP_rgdnsd=0

edit_zone() { # server n: the zone file with TXT "edit n" and serial RELOAD_SERIAL0+n, renamed into place
	local name=$1 n=$2 serial=$((RELOAD_SERIAL0 + $2))
	case $name in
	rgslb)
		sed "s|^serial = .*|serial = $serial|; s|'reload TXT \"edit [0-9]*\"'|'reload TXT \"edit $n\"'|" \
			"$WORK/rgslb/zones/example.com.toml" >"$WORK/rgslb/zone.tmp"
		mv "$WORK/rgslb/zone.tmp" "$WORK/rgslb/zones/example.com.toml"
		;;
	rgdnsd)
		sed "s|hostmaster [0-9]* |hostmaster $serial |; s|^reload TXT \"edit [0-9]*\"|reload TXT \"edit $n\"|" \
			"$WORK/rgdnsd/zones/${ZONE%.}" >"$WORK/rgdnsd/zone.tmp"
		mv "$WORK/rgdnsd/zone.tmp" "$WORK/rgdnsd/zones/${ZONE%.}"
		gdnsdctl -c "$WORK/rgdnsd" reload-zones >>"$WORK/rgdnsd-ctl.log" 2>&1 || echo "reload-zones failed" >&2
		;;
	esac
}
swap_geoip() { # server k: database k (0 or 1) renamed into place
	cp "$WORK/geoip/$2.mmdb" "$WORK/$1/geoip.tmp"
	mv "$WORK/$1/geoip.tmp" "$WORK/$1/geoip/city.mmdb"
}

# reloader SERVER EDIT GEOIP: in the background, at every whole second t
# from 1 to RELOAD_DURATION-1 after its start, edits the zone when t is a
# multiple of ZONE_EVERY and swaps the database when it is one of
# GEOIP_EVERY; pinned to dnsperf's core, off the server's. Prints "edits
# swaps last_edit last_geoip".
reloader() {
	local name=$1 edit=$2 geoip=$3 t0 t edits=0 swaps=0
	taskset -cp "$CLIENT_CPU" "$BASHPID" >/dev/null
	t0=$(date +%s%N)
	for ((t = 1; t < RELOAD_DURATION; t++)); do
		sleep "$(awk -v t0="$t0" -v now="$(date +%s%N)" -v t="$t" 'BEGIN {d = (t0 + t * 1e9 - now) / 1e9; printf "%.3f", (d > 0 ? d : 0)}')"
		if [ $((t % ZONE_EVERY)) -eq 0 ]; then
			edit=$((edit + 1)) edits=$((edits + 1))
			edit_zone "$name" "$edit"
		fi
		if [ $((t % GEOIP_EVERY)) -eq 0 ]; then
			geoip=$((1 - geoip)) swaps=$((swaps + 1))
			swap_geoip "$name" "$geoip"
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
	fixed_dnsperf "$pid" "$port" "$out.steady" -l "$RELOAD_DURATION" -c 1 -b "$FIXED_BUF" -q "$q" -Q "$RELOAD_RATE" -v
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
start_server gdnsd
start_server gslb
for name in "${WILD_NAMES[@]}"; do
	start_server "$name"
done
RELOAD_NAMES=()
if [ "$RELOAD" = 1 ]; then RELOAD_NAMES=(rgdnsd rgslb); fi
for name in "${RELOAD_NAMES[@]}"; do
	start_server "$name"
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
	printf 'gdnsd\t%s (Debian package; `udp_threads => 1`%s)\n' "$GDNSD_VERSION" "$([ "$GDNSD_UDP_RCVBUF" = 0 ] || echo ", \`udp_rcvbuf => $GDNSD_UDP_RCVBUF\`")"
	printf 'gslb\t%s (%s; GOMAXPROCS %s)\n' "$GSLB_REV" "$GO_VERSION" "${GOMAXPROCS:-default, 1 from the CPU affinity}"
	printf 'dnsperf\t%s\n' "$DNSPERF_VERSION"
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
TTL $TTL for \`www\` and $STATIC_TTL for the static records. gslb: policy
\`nearest\`, \`max_answers = $MAX_ANSWERS\` (the most IPv4 addresses of one
datacenter), control API off. gdnsd: plugin geoip in city-auto mode
(\`auto_dc_coords\`) with \`auto_dc_limit => ${#DATACENTERS[@]}\` so that it ranks
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
  by a shell loop pinned to dnsperf's core. "Loaded (log)" counts what each
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

