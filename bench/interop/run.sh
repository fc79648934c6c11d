#!/usr/bin/env bash
# bench/interop/run.sh: differential test of gslb against NSD and Knot
# (`make interop`).
#
# The zones of testdata/dns/zones, testdata/example/zones (without their
# geo-routed names) and bench/interop/zones/rich are served by gslb, NSD and
# Knot on free loopback ports; every server gets the same queries (every
# name × many types, 0x20 case, with and without EDNS, UDP and TCP, EDNS
# options and versions, classes, opcodes, zone transfers, malformed
# packets) and the replies are compared field by field. The report groups
# the differences by kind and says which peer agrees with gslb:
#   (a) gslb differs from both NSD and Knot, which agree: most likely a bug;
#   (b) gslb matches one of them;
#   (c) all three differ.
# It ends with the zone constructs each loader accepts.
#
# Environment: WORK keeps the servers' files and the report there (default: a
# temporary directory, removed unless KEEP=1); SCENARIO runs one of dns,
# example, rich; SEED changes the 0x20 case; GSLB is the binary (default
# bin/gslb, built by make build).
#
# Nothing is sent anywhere but 127.0.0.1; apt-get is the only network use
# (to install nsd, knot and knot-dnsutils when missing).
set -Eeuo pipefail
trap 'printf "[interop] error: line %s: %s failed\n" "$LINENO" "$BASH_COMMAND" >&2' ERR

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
GSLB=${GSLB:-$ROOT/bin/gslb}
PATH=$PATH:/usr/sbin:/sbin

log() { printf '[interop] %s\n' "$*" >&2; }
die() { printf '[interop] error: %s\n' "$*" >&2; exit 1; }

command -v go >/dev/null || die "go is required"
[ -x "$GSLB" ] || die "$GSLB is missing: run make build (or make interop)"

# --- NSD and Knot from Debian packages, started by nobody but us -------------
install_packages() {
	local need=() sudo=() created_policy=0 rc=0
	command -v nsd >/dev/null || need+=(nsd)
	command -v knotd >/dev/null || need+=(knot)
	command -v kdig >/dev/null || need+=(knot-dnsutils)
	[ ${#need[@]} -eq 0 ] && return 0
	command -v apt-get >/dev/null || die "missing ${need[*]} and no apt-get to install them"
	[ "$(id -u)" -eq 0 ] || sudo=(sudo -n)
	log "installing ${need[*]} (apt-get)"
	# The packages enable services that would listen on port 53: a
	# policy-rc.d that exits 101 forbids invoke-rc.d to start them (ours
	# only when there is none, removed afterwards).
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\n# bench/interop/run.sh: no service starts during this install\nexit 101\n' |
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
for cmd in nsd nsd-checkzone knotd knotc; do
	command -v "$cmd" >/dev/null || die "$cmd is missing"
done

# --- the comparison ------------------------------------------------------------
KEEP=${KEEP:-0}
if [ -n "${WORK:-}" ]; then
	mkdir -p "$WORK"
	KEEP=1
else
	WORK=$(mktemp -d /tmp/gslb-interop.XXXXXX)
fi
PIDS=$WORK/servers.pid
cleanup() {
	# Servers the Go program could not stop (it was killed): end their
	# process groups, by the IDs it recorded, and nothing else.
	if [ -s "$PIDS" ]; then
		while read -r pid; do
			[ -n "$pid" ] && kill -TERM -- "-$pid" 2>/dev/null || true
		done <"$PIDS"
	fi
	if [ "$KEEP" = 1 ]; then
		log "files kept in $WORK"
	else
		rm -rf "$WORK"
	fi
}
trap cleanup EXIT

log "building the comparison (bench/interop, its own module)"
(cd bench/interop && go build -o "$WORK/interop" .)

args=(-root "$ROOT" -gslb "$GSLB" -work "$WORK" -pidfile "$PIDS" -out "$WORK/report.txt"
	-nsd "$(command -v nsd)" -knotd "$(command -v knotd)")
[ -n "${SCENARIO:-}" ] && args+=(-scenario "$SCENARIO")
[ -n "${SEED:-}" ] && args+=(-seed "$SEED")
"$WORK/interop" "${args[@]}"
