#!/usr/bin/env bash
# Installs the Debian packages that `make test` needs and a fresh Debian
# machine lacks: chromium (the status page's browser tests), fstrm-bin and
# dnstap-ldns (the query log's reference collector and reader), systemd
# (systemd-analyze verifies the unit in dist/), prometheus (its promtool
# checks the metrics: `promtool check metrics`), unbound (the validating
# resolver that checks gslb's DNSSEC signatures), bind9-dnsutils (dig, whose
# +cookie checks gslb's DNS Cookies). Go modules come
# from the Go module proxy by themselves. Needs root, or sudo without a
# password; it says what to run when it has neither.
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v fstrm_capture >/dev/null 2>&1 || missing+=(fstrm-bin)
command -v dnstap-ldns >/dev/null 2>&1 || missing+=(dnstap-ldns)
command -v systemd-analyze >/dev/null 2>&1 || missing+=(systemd)
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
command -v unbound >/dev/null 2>&1 || [ -x /usr/sbin/unbound ] || missing+=(unbound)
command -v dig >/dev/null 2>&1 || missing+=(bind9-dnsutils)
if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
		sudo="sudo"
	else
		echo "make test needs these Debian packages: ${missing[*]}" >&2
		echo "install them as root: apt-get install -y --no-install-recommends ${missing[*]}" >&2
		exit 1
	fi
fi
echo "installing ${missing[*]} (Debian packages the tests use)"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
