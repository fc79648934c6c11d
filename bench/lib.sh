# shellcheck shell=bash
# bench/lib.sh: shell functions the bench scripts share. Source it after
# defining log and die (each script names itself in its messages).
#
# Sections: Debian packages; the working directory and the servers a script
# starts; figures from /proc and from dnsperf's output; the bench zone that
# compare.sh, dnssec.sh and protect.sh serve.

# --- Debian packages -------------------------------------------------------------

PATH=$PATH:/usr/sbin:/sbin # Debian's gdnsd, nsd and knotd are there

# install_packages COMMAND=PACKAGE...: installs with apt-get (as root or
# through sudo -n) the packages of the commands that are missing, and dies
# unless every command is there afterwards: the only network use of the
# bench scripts. The packages may not start their services (gdnsd, nsd and
# knot enable one that would listen on port 53): a policy-rc.d that exits
# 101 forbids invoke-rc.d to (ours only when there is none, removed
# afterwards); one of those daemons, missing before, that runs all the same
# after the install was started by it, and is stopped, by process ID.
install_packages() {
	local pair cmd pkg need=() daemons=() cmds=() sudo=() created_policy=0 rc=0 before after pid
	for pair in "$@"; do
		cmd=${pair%%=*} pkg=${pair#*=}
		cmds+=("$cmd")
		command -v "$cmd" >/dev/null && continue
		case $cmd in gdnsd | nsd | knotd) daemons+=("$cmd") ;; esac
		[[ " ${need[*]} " == *" $pkg "* ]] || need+=("$pkg")
	done
	[ ${#need[@]} -eq 0 ] && return 0
	command -v apt-get >/dev/null || die "missing ${need[*]} and no apt-get to install them"
	[ "$(id -u)" -eq 0 ] || sudo=(sudo -n)
	log "installing ${need[*]} (apt-get)"
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\n# bench/lib.sh: no service starts during this install\nexit 101\n' |
			"${sudo[@]}" tee /usr/sbin/policy-rc.d >/dev/null
		"${sudo[@]}" chmod 755 /usr/sbin/policy-rc.d
		created_policy=1
	fi
	before=$(running "${daemons[@]}")
	{
		"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
			"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
				-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${need[@]}"
	} </dev/null >&2 || rc=$?
	if [ "$created_policy" -eq 1 ]; then "${sudo[@]}" rm -f /usr/sbin/policy-rc.d; fi
	[ "$rc" -eq 0 ] || die "apt-get install ${need[*]} failed ($rc)"
	after=$(running "${daemons[@]}")
	for pid in $after; do
		if ! grep -qx "$pid" <<<"$before"; then
			log "stopping $(cat "/proc/$pid/comm" 2>/dev/null) pid $pid, started by the package install"
			"${sudo[@]}" kill "$pid" 2>/dev/null || true
		fi
	done
	for cmd in "${cmds[@]}"; do
		command -v "$cmd" >/dev/null || die "$cmd still missing"
	done
}
# running NAME...: the IDs of the processes of these names, one a line.
running() {
	[ $# -gt 0 ] || return 0
	local IFS='|'
	pgrep -x -- "$*" || true
}

# --- what a script needs ----------------------------------------------------------

# require TARGET COMMAND...: dies unless every COMMAND is on PATH and GSLB
# is built (`make TARGET` builds it first).
require() {
	local target=$1 cmd
	shift
	for cmd in "$@"; do
		command -v "$cmd" >/dev/null || die "$cmd is required"
	done
	[ -x "$GSLB" ] || die "$GSLB is missing: run make build (or make $target)"
}

# require_bench_zone: dies unless the sample City database MMDB is there
# and the machine has two CPUs, SERVER_CPU for the servers and CLIENT_CPU
# for dnsperf.
require_bench_zone() {
	[ -r "$MMDB" ] || die "$MMDB is missing"
	[ "$(nproc)" -ge 2 ] || die "needs at least 2 CPUs (servers on CPU $SERVER_CPU, dnsperf on CPU $CLIENT_CPU)"
}

# --- the working directory and the servers -----------------------------------------

# SERVER_PIDS: the servers a script started itself (start_server); NAME_OF
# their names. PIDFILE, when set: a file where a bench program records the
# process groups of the servers it starts.
SERVER_PIDS=()
declare -A NAME_OF=()
PIDFILE=

# make_work NAME: a new working directory in WORK (under TMPDIR, /tmp by
# default), cleaned up at exit (cleanup_at_exit).
make_work() {
	WORK=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")
	cleanup_at_exit
}

# cleanup_at_exit: at exit, and on SIGINT and SIGTERM, the servers are
# stopped (SERVER_PIDS, then the process groups of PIDFILE) and WORK is
# removed (kept with KEEP=1); the exit status stays the script's.
cleanup_at_exit() {
	trap cleanup_work EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
}
cleanup_work() {
	local rc=$?
	stop_servers
	[ -z "$PIDFILE" ] || stop_recorded "$PIDFILE"
	remove_work "$WORK"
	exit "$rc"
}

# build_bench_tools: builds bench/tools (a module of its own) into
# WORK/gslbbench, which BB names.
build_bench_tools() {
	log "building gslbbench (bench/tools, its own module)"
	(cd bench/tools && go build -o "$WORK/gslbbench" .) || die "building bench/tools failed"
	BB=$WORK/gslbbench
}

# alive PID: the process is running (not exited, not a zombie). Read with
# builtins only (no fork), so that waiting loops see an exit soon.
alive() {
	local stat st
	{ read -r stat <"/proc/$1/stat"; } 2>/dev/null || return 1
	stat=${stat##*) } # the fields after the ") " that ends the command name
	st=${stat%% *}
	[ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

# wait_gone PID [SECONDS]: waits until the process has exited, SECONDS at
# most (5), looking every 50 ms; false when it is still running.
wait_gone() {
	for _ in $(seq $((${2:-5} * 20))); do
		alive "$1" || return 0
		sleep 0.05
	done
	! alive "$1"
}

# start_server NAME PORT COMMAND...: starts COMMAND in the background,
# pinned to SERVER_CPU, its output in WORK/NAME.log, its ID in PID_NAME and
# SERVER_PIDS, and waits (BB wait, 30 s at most) until it answers
# www.$ZONE on 127.0.0.1:PORT; dies with the end of its log when it does not.
start_server() {
	local name=$1 port=$2 pid
	shift 2
	taskset -c "$SERVER_CPU" "$@" >"$WORK/$name.log" 2>&1 &
	pid=$!
	SERVER_PIDS+=("$pid")
	NAME_OF[$pid]=$name
	printf -v "PID_$name" '%s' "$pid"
	if ! "$BB" wait -server "127.0.0.1:$port" -name "www.$ZONE" -tries 300 -interval 100ms; then
		tail -20 "$WORK/$name.log" >&2 || true
		die "$name did not start"
	fi
	server_alive "$pid"
}

# server_alive PID: dies, with the exit status and the end of the log of
# the server (start_server), when it has exited.
server_alive() {
	local name=${NAME_OF[$1]:-pid $1} rc
	alive "$1" && return 0
	wait "$1" && rc=0 || rc=$?
	log "$name (pid $1) exited with status $rc; the end of its log:"
	tail -40 "$WORK/$name.log" >&2 || true
	die "$name exited during the benchmark"
}

# stop_servers: SIGTERM to every server of SERVER_PIDS, then, after 5 s
# at most for each, SIGKILL.
stop_servers() {
	local pid
	for pid in "${SERVER_PIDS[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	for pid in "${SERVER_PIDS[@]}"; do
		wait_gone "$pid" || kill -9 "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	SERVER_PIDS=()
}

# stop_recorded PIDFILE: ends the process groups whose IDs a bench program
# recorded in PIDFILE (servers it could not stop itself because it was
# killed), and nothing else.
stop_recorded() {
	[ -s "$1" ] || return 0
	local pid
	while read -r pid; do
		if [ -n "$pid" ]; then kill -TERM -- "-$pid" 2>/dev/null || true; fi
	done <"$1"
}

# remove_work DIR: removes the working directory DIR, or keeps it (and
# says where) with KEEP=1.
remove_work() {
	if [ "${KEEP:-0}" = 1 ]; then
		log "files kept in $1"
	else
		rm -rf "$1"
	fi
}

# --- figures -------------------------------------------------------------------

# shellcheck disable=SC2034 # for the scripts: clock ticks a second
CLK_TCK=$(getconf CLK_TCK)

# cpu_ticks PID: utime+stime of a process (all threads), in clock ticks
# (CLK_TCK a second): fields 12 and 13 after the ") " that ends its name.
cpu_ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; }

# dnsperf_field FILE LABEL: the first number after LABEL in dnsperf's output.
dnsperf_field() {
	awk -v label="$2" 'index($0, label) {sub(".*" label "[ \t]*", ""); print $1 + 0; exit}' "$1"
}

# dnsperf_response_bytes FILE: the mean size of a response, from dnsperf's output.
dnsperf_response_bytes() {
	awk '/Average packet size/ {for (i = 1; i <= NF; i++) if ($i == "response") {print $(i + 1) + 0; exit}}' "$1"
}

# median: the median of the numbers on standard input, one a line.
median() { sort -n | awk '{a[NR] = $1} END {print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2)}'; }

# column_median FILE VARIANT COLUMN: the median of COLUMN over the lines of
# the tab-separated FILE whose first field is VARIANT.
column_median() { awk -F'\t' -v v="$2" -v c="$3" '$1 == v {print $c}' "$1" | median; }

# --- the bench zone --------------------------------------------------------------

# The zone that compare.sh, dnssec.sh and protect.sh serve: the example's
# seven datacenters (testdata/example/gslb.toml) and the addresses of its
# pool "web" (zones/example.com.toml), except that syd has addresses
# instead of a CNAME so that every datacenter answers A records; a
# geo-routed www (policy nearest, TTL BENCH_TTL) and a few static records.
# A datacenter: name lat lon IPv4-addresses IPv6-addresses (- for none).
BENCH_DATACENTERS=(
	"ams 52.37 4.90 192.0.2.10,192.0.2.11 2001:db8:10::10"
	"fra 50.11 8.68 192.0.2.20 2001:db8:20::10"
	"iad 38.95 -77.45 198.51.100.10,198.51.100.11 2001:db8:30::10"
	"sjc 37.34 -121.89 198.51.100.20 2001:db8:40::10"
	"gru -23.55 -46.63 198.51.100.30 -"
	"sin 1.35 103.82 203.0.113.10 2001:db8:60::10"
	"syd -33.87 151.21 203.0.113.20,203.0.113.21 2001:db8:70::10"
)
# The static records, in both gslb's and gdnsd's syntax (relative to the origin).
BENCH_RECORDS=(
	"@ NS ns1"
	"@ NS ns2.example.net."
	"@ MX 10 mail"
	'@ TXT "v=spf1 -all"'
	"ns1 A 192.0.2.53"
	"ns1 AAAA 2001:db8::53"
	"mail A 192.0.2.25"
)
BENCH_TTL=30         # TTL of www
BENCH_STATIC_TTL=300 # TTL of the static records and the SOA, and its negative TTL
# shellcheck disable=SC2034 # for the scripts
BENCH_SERIAL=2026112501

# bench_max_answers: the most IPv4 addresses of one datacenter (2). gdnsd
# answers every address of the chosen datacenter; gslb's max_answers is set
# to this so that both do.
bench_max_answers() {
	local dc v4 n most=0
	for dc in "${BENCH_DATACENTERS[@]}"; do
		read -r _ _ _ v4 _ <<<"$dc"
		n=$(tr ',' '\n' <<<"$v4" | grep -c .)
		if [ "$n" -gt "$most" ]; then most=$n; fi
	done
	echo "$most"
}

quoted_list() { printf '"%s"' "${1//,/\", \"}"; } # a,b,c -> "a", "b", "c"

# write_gslb_config FILE LISTEN CONTROL CITY ZONES [EXTRA]: a gslb server
# configuration for the bench zone: one listen address, the control API on
# CONTROL ("" for off), the GeoIP City database CITY, the zones directory
# ZONES, the seven datacenters; EXTRA is more TOML (tables) put after [control].
write_gslb_config() {
	local dc name lat lon
	{
		echo "# gslb bench configuration, written by bench/lib.sh"
		echo "listen = [\"$2\"]"
		echo "zones = \"$5\""
		echo 'state = "gslb.db"'
		printf '\n[geoip]\ncity = "%s"\n\n[control]\nlisten = "%s"\n' "$4" "$3"
		if [ -n "${6:-}" ]; then printf '\n%s\n' "$6"; fi
		for dc in "${BENCH_DATACENTERS[@]}"; do
			read -r name lat lon _ _ <<<"$dc"
			printf '\n[datacenters.%s]\nlat = %s\nlon = %s\n' "$name" "$lat" "$lon"
		done
	} >"$1"
}

# write_bench_zone FILE ORIGIN SERIAL [EXTRA [RECORD...]]: the bench zone
# in gslb's zone file format, with SOA serial SERIAL; EXTRA is more TOML
# (tables, e.g. [dnssec]) put before [gslb.www], each RECORD one more
# static record.
write_bench_zone() {
	local file=$1 origin=$2 serial=$3 extra=${4:-} r dc name v4 v6 addrs
	shift 3
	[ $# -eq 0 ] || shift
	{
		echo "origin = \"$origin\""
		echo "ttl = $BENCH_STATIC_TTL"
		echo 'records = ['
		for r in "$@" "${BENCH_RECORDS[@]}"; do
			printf "  '%s',\n" "$r"
		done
		echo ']'
		echo
		echo '[soa]'
		echo "primary = \"ns1.$origin\""
		echo "contact = \"hostmaster.$origin\""
		echo "serial = $serial"
		echo 'refresh = 3600'
		echo 'retry = 900'
		echo 'expire = 1209600'
		echo "negative_ttl = $BENCH_STATIC_TTL"
		if [ -n "$extra" ]; then printf '\n%s\n' "$extra"; fi
		echo
		echo '[gslb.www]'
		echo 'pool = "web"'
		echo "ttl = $BENCH_TTL"
		echo
		echo '[pools.web]'
		echo 'policy = "nearest"'
		echo "max_answers = $(bench_max_answers)             # every IPv4 address of the chosen datacenter (as gdnsd answers)"
		echo 'members = ['
		for dc in "${BENCH_DATACENTERS[@]}"; do
			read -r name _ _ v4 v6 <<<"$dc"
			addrs=$v4
			[ "$v6" != - ] && addrs=$addrs,$v6
			echo "  { datacenter = \"$name\", addresses = [$(quoted_list "$addrs")] },"
		done
		echo ']'
	} >"$file"
}
