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

log() { printf '[interop] %s\n' "$*" >&2; }
die() { printf '[interop] error: %s\n' "$*" >&2; exit 1; }
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

require interop go

# --- NSD and Knot from Debian packages, started by nobody but us -------------
install_packages nsd=nsd nsd-checkzone=nsd knotd=knot knotc=knot kdig=knot-dnsutils

# --- the comparison ------------------------------------------------------------
if [ -n "${WORK:-}" ]; then
	mkdir -p "$WORK"
	KEEP=1
	cleanup_at_exit
else
	make_work gslb-interop
fi
PIDFILE=$WORK/servers.pid

log "building the comparison (bench/interop, its own module)"
(cd bench/interop && go build -o "$WORK/interop" .)

args=(-root "$ROOT" -gslb "$GSLB" -work "$WORK" -pidfile "$PIDFILE" -out "$WORK/report.txt"
	-nsd "$(command -v nsd)" -knotd "$(command -v knotd)")
[ -n "${SCENARIO:-}" ] && args+=(-scenario "$SCENARIO")
[ -n "${SEED:-}" ] && args+=(-seed "$SEED")
"$WORK/interop" "${args[@]}"
