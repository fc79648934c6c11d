# gslb — the two commands a new user needs are `make run` and `make test`.
GO      ?= go
BIN     := bin/gslb
EXAMPLE := testdata/example/gslb.toml
FUZZTIME ?= 10s
# make test fuzzes by execution count: no wall-clock deadline (see .ci/fuzz.sh)
TESTFUZZ ?= 30000x

.PHONY: build run test lint bench bench-compare bench-dnssec bench-protect bench-scale bench-targets bench-geoip bench-restart interop fuzz geoip

# The version `gslb version` reports: git describe when this is a git work tree.
VERSION ?= $(shell git describe --always --dirty 2>/dev/null)

build:
	$(GO) build -trimpath -ldflags "-X main.version=$(VERSION)" -o $(BIN) ./cmd/gslb

# Serve the example zones on 127.0.0.1:5353 with the sample GeoIP database.
run: build
	@mkdir -p run
	@echo
	@echo "gslb serves testdata/example on 127.0.0.1:5353 (Ctrl-C stops it). Try:"
	@echo "  dig @127.0.0.1 -p 5353 www.example.com A +subnet=192.0.2.1/24       # Amsterdam client -> ams"
	@echo "  dig @127.0.0.1 -p 5353 www.example.com A +subnet=203.0.113.1/24     # Singapore client -> sin"
	@echo "  dig @127.0.0.1 -p 5353 www.example.com AAAA +subnet=2001:db8:7::/48 # San Jose client -> sjc"
	@echo "  dig @127.0.0.1 -p 5353 api.example.com A +subnet=198.51.100.1/24    # Ashburn client, iad down -> ams"
	@echo "  $(BIN) explain -config $(EXAMPLE) www.example.com 203.0.113.1/24"
	@echo "  $(BIN) status"
	@echo
	./$(BIN) serve -config $(EXAMPLE) -state run/gslb.db

# Unit, golden, end-to-end and race tests, then a short run of every fuzz target.
test:
	bash .ci/deps.sh
	$(GO) vet ./...
	$(GO) test -race -count=1 ./...
	FUZZTIME=$(TESTFUZZ) FUZZTIME_FuzzTable=3000x bash .ci/fuzz.sh ./dns ./zones ./pick ./config ./internal/tomlcheck

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) tool staticcheck ./...
	@# the benchmark and interop tools are modules of their own: keep them building
	cd bench/interop && $(GO) vet ./...
	cd bench/tools && $(GO) vet ./...

# Go benchmarks of the query path and the selection step.
bench:
	$(GO) test -run='^$$' -bench=. -benchmem ./dns ./zones/... ./pick ./route ./geo/...

# Loopback load test against gdnsd with dnsperf (installs both if missing).
bench-compare: build
	bash bench/compare.sh

# Scale against NSD and Knot on the same generated data (installs them and
# dnsperf if missing): a 1,000,000-record zone and 10,000 small zones, load
# time, memory, a one-line edit under load (bench/results/scale-DATE.md).
bench-scale: build
	bash bench/scale.sh

# 5,000 health targets on 127.1.x.y at a 5 s interval, one listener on
# 0.0.0.0 answering for all: CPU share, memory, probes per second, probe
# lateness and slots, then with 10% of http targets hanging
# (bench/results/targets-DATE.md).
bench-targets: build
	bash bench/targets.sh

# gslb and gdnsd on a generated GeoLite2-size GeoIP database (3.8M
# networks) with ten pools and two maps (installs gdnsd and dnsperf if
# missing): start time, ranking table build, memory, the database replaced
# under 10k ECS queries/s (bench/results/geoip-DATE.md).
bench-geoip: build
	bash bench/geoip.sh

# Loopback load test of online signing: CPU per query with DO on half of
# the queries of a signed zone, beside the same zone unsigned (dnsperf).
bench-dnssec: build
	bash bench/dnssec.sh

# Loopback load test of RRL and DNS Cookies: CPU per query with RRL off,
# accounting but never limiting, limiting at 10/s, and cookies on every query.
bench-protect: build
	bash bench/protect.sh

# Differential test against NSD and Knot on loopback (installs them if missing):
# the same zones and queries, replies compared field by field.
interop: build
	bash bench/interop/run.sh

# Every native fuzz target for FUZZTIME each (make fuzz FUZZTIME=10m for a long run).
fuzz:
	FUZZTIME=$(FUZZTIME) bash .ci/fuzz.sh ./dns ./zones ./pick ./config ./internal/tomlcheck

# Regenerate the sample GeoIP databases in testdata/geoip.
geoip:
	cd testdata/geoipgen && $(GO) run . -out ..

# Queries lost across a restart under dnsperf load (installs dnsperf if
# missing): -replace, SIGUSR2 and a plain restart; see README, Protection.
bench-restart: build
	bash bench/restart.sh
