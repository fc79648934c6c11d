#!/usr/bin/env bash
# bench/geoip.sh: gslb and gdnsd on a GeoLite2-size GeoIP database with ten
# pools and two maps (`make bench-geoip`, which builds bin/gslb first).
#
# testdata/geoipgen -large writes two databases into a temporary directory
# (NETWORKS networks, a quarter of them IPv6; the second a later build of
# the first with about 3% of the networks moved); nothing generated is
# committed. Each server in turn is started on a free 127.0.0.1 port with
# the first one and measured: the time to the first answer and to the
# ranking tables (gslb_ranking_tables_current; gdnsd answers only once its
# trees are built), the CPU time until then, VmRSS and VmHWM, and gslb's
# table bytes (gslb_ranking_table_bytes); then under a steady load of ECS
# queries (dnsperf at RATE queries/s) the database file is replaced by the
# second: how long until the new data is answered, until gslb's tables are
# rebuilt, the queries lost, SERVFAIL, and the latency percentiles before
# and during the rebuild.
#
# Environment (defaults in brackets): NETWORKS [4500000]; about 3.56 million remain after the
# generator merges neighbours with the same record, as GeoLite2 City has, RATE [10000],
# BEFORE [10s] of baseline load, AFTER [40s] of load after the replacement
# (gdnsd waits 7 s for the file to settle before it reloads), SERVERS
# [gslb,gdnsd], OUT (the Markdown report) [bench/results/geoip-DATE.md],
# KEEP=1 keeps the working directory (about 200 MB), DBDIR a directory
# holding City-0.mmdb and City-1.mmdb from an earlier run (kept with
# KEEP=1) to use instead of generating them.
#
# Generating the databases takes about a minute each and 1.5 GB of memory.
# Nothing is sent anywhere but 127.0.0.1; apt-get is the only network use
# (to install gdnsd and dnsperf when missing).
set -Eeuo pipefail
trap 'printf "[geoip] error: line %s: %s failed\n" "$LINENO" "$BASH_COMMAND" >&2' ERR

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
GSLB=${GSLB:-$ROOT/bin/gslb}

log() { printf '[geoip] %s\n' "$*" >&2; }
die() { printf '[geoip] error: %s\n' "$*" >&2; exit 1; }
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

require bench-geoip go
install_packages dnsperf=dnsperf gdnsd=gdnsd

make_work gslb-geoip
PIDFILE=$WORK/servers.pid

NETWORKS=${NETWORKS:-4500000}
mkdir -p bench/results
OUT=${OUT:-bench/results/geoip-$(date -u +%F).md}
log "building geoipgen (testdata/geoipgen, its own module)"
(cd testdata/geoipgen && go build -o "$WORK/geoipgen" .)
build_bench_tools
for v in 0 1; do
	if [ -n "${DBDIR:-}" ]; then
		[ -r "$DBDIR/City-$v.mmdb" ] || die "DBDIR=$DBDIR has no City-$v.mmdb"
		ln "$DBDIR/City-$v.mmdb" "$WORK/City-$v.mmdb" 2>/dev/null || cp "$DBDIR/City-$v.mmdb" "$WORK/City-$v.mmdb"
		[ -r "$DBDIR/gen-$v.log" ] && cp "$DBDIR/gen-$v.log" "$WORK/gen-$v.log" || echo "$DBDIR/City-$v.mmdb: from DBDIR" >"$WORK/gen-$v.log"
		continue
	fi
	log "generating database variant $v ($NETWORKS networks)"
	start=$(date +%s.%N)
	"$WORK/geoipgen" -large "$WORK/City-$v.mmdb" -networks "$NETWORKS" -variant "$v" >"$WORK/gen-$v.log"
	log "$(cat "$WORK/gen-$v.log") in $(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN {printf "%.0f s", e - s}')"
done
INFO="$(sed 's|^[^:]*: ||; s|, variant 0||' "$WORK/gen-0.log"), $(($(stat -c %s "$WORK/City-0.mmdb") / 1048576)) MiB (\`testdata/geoipgen -large -networks $NETWORKS\`; the replacement is \`-variant 1\`)"
"$BB" geoip -work "$WORK" -pidfile "$PIDFILE" -out "$OUT" -dbinfo "$INFO" \
	-gslb "$GSLB" -gdnsd "$(command -v gdnsd)" -dnsperf "$(command -v dnsperf)" \
	-db "$WORK/City-0.mmdb" -db2 "$WORK/City-1.mmdb" \
	-rate "${RATE:-10000}" -before "${BEFORE:-10s}" -after "${AFTER:-40s}" -servers "${SERVERS:-gslb,gdnsd}"
log "report: $OUT"
