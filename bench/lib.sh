# bench/lib.sh: shell functions the bench scripts share. Source it after
# defining log and die (each script names itself in its messages).

# install_dnsperf installs Debian's dnsperf when it is missing (apt-get, as
# root or through sudo -n): the only network use of the bench scripts.
install_dnsperf() {
	PATH=$PATH:/usr/sbin:/sbin
	command -v dnsperf >/dev/null && return 0
	command -v apt-get >/dev/null || die "dnsperf is missing and there is no apt-get to install it"
	local sudo=()
	[ "$(id -u)" -eq 0 ] || sudo=(sudo -n)
	log "installing dnsperf (apt-get)"
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq </dev/null >&2
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends dnsperf </dev/null >&2
	command -v dnsperf >/dev/null || die "dnsperf still missing"
}

# alive PID: the process is running (not exited, not a zombie).
alive() {
	local st
	st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) || return 1
	[ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

# stop_recorded PIDFILE: ends the process groups whose IDs a bench program
# recorded in PIDFILE (servers it could not stop itself because it was
# killed), and nothing else.
stop_recorded() {
	[ -s "$1" ] || return 0
	local pid
	while read -r pid; do
		[ -n "$pid" ] && kill -TERM -- "-$pid" 2>/dev/null || true
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

# install_gdnsd installs Debian's gdnsd when it is missing, without letting
# the package start its service (a policy-rc.d that exits 101, ours only
# when there is none, removed afterwards).
install_gdnsd() {
	PATH=$PATH:/usr/sbin:/sbin
	command -v gdnsd >/dev/null && return 0
	command -v apt-get >/dev/null || die "gdnsd is missing and there is no apt-get to install it"
	local sudo=() created_policy=0 rc=0
	[ "$(id -u)" -eq 0 ] || sudo=(sudo -n)
	log "installing gdnsd (apt-get)"
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\n# bench/lib.sh: no service starts during this install\nexit 101\n' |
			"${sudo[@]}" tee /usr/sbin/policy-rc.d >/dev/null
		"${sudo[@]}" chmod 755 /usr/sbin/policy-rc.d
		created_policy=1
	fi
	{
		"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
			"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
				-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold gdnsd
	} </dev/null >&2 || rc=$?
	if [ "$created_policy" -eq 1 ]; then "${sudo[@]}" rm -f /usr/sbin/policy-rc.d; fi
	[ "$rc" -eq 0 ] || die "apt-get install gdnsd failed ($rc)"
	command -v gdnsd >/dev/null || die "gdnsd still missing"
}
