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
PATH=$PATH:/usr/sbin:/sbin

log() { printf '[scale] %s\n' "$*" >&2; }
die() { printf '[scale] error: %s\n' "$*" >&2; exit 1; }
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

command -v go >/dev/null || die "go is required"
[ -x "$GSLB" ] || die "$GSLB is missing: run make build (or make bench-scale)"

install_packages() {
	local need=() sudo=() created_policy=0 rc=0
	command -v nsd >/dev/null || need+=(nsd)
	command -v knotd >/dev/null || need+=(knot)
	command -v dnsperf >/dev/null || need+=(dnsperf)
	[ ${#need[@]} -eq 0 ] && return 0
	command -v apt-get >/dev/null || die "missing ${need[*]} and no apt-get to install them"
	[ "$(id -u)" -eq 0 ] || sudo=(sudo -n)
	log "installing ${need[*]} (apt-get)"
	# The packages enable services that would listen on port 53: a
	# policy-rc.d that exits 101 forbids invoke-rc.d to start them (ours
	# only when there is none, removed afterwards).
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\n# bench/scale.sh: no service starts during this install\nexit 101\n' |
			"${sudo[@]}" tee /usr/sbin/policy-rc.d >/dev/null
		"${sudo[@]}" chmod 755 /usr/sbin/policy-rc.d
		created_policy=1
	fi
	{
		"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
			"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
				-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${need[@]}"
	} </dev/null >&2 || rc=$?
	[ "$created_policy" -eq 1 ] && "${sudo[@]}" rm -f /usr/sbin/policy-rc.d
	[ "$rc" -eq 0 ] || die "apt-get install ${need[*]} failed"
}
install_packages
for cmd in nsd knotd knotc dnsperf; do
	command -v "$cmd" >/dev/null || die "$cmd is missing"
done

KEEP=${KEEP:-0}
WORK=$(mktemp -d /tmp/gslb-scale.XXXXXX)
PIDS=$WORK/servers.pid
cleanup() {
	stop_recorded "$PIDS"
	remove_work "$WORK"
}
trap cleanup EXIT

mkdir -p bench/results
OUT=${OUT:-bench/results/scale-$(date -u +%F).md}
log "building gslbbench (bench/tools, its own module)"
(cd bench/tools && go build -o "$WORK/gslbbench" .)
"$WORK/gslbbench" scale -work "$WORK" -pidfile "$PIDS" -out "$OUT" \
	-gslb "$GSLB" -nsd "$(command -v nsd)" -knotd "$(command -v knotd)" -knotc "$(command -v knotc)" \
	-dnsperf "$(command -v dnsperf)" \
	-records "${RECORDS:-1000000}" -zones "${ZONES:-10000}" -rate "${RATE:-20000}" \
	-servers "${SERVERS:-gslb,nsd,knot}" -scenarios "${SCENARIOS:-big,many}"
log "report: $OUT"
