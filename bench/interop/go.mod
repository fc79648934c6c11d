module github.com/gslb/gslb/bench/interop

go 1.26.0

toolchain go1.26.8

require (
	github.com/BurntSushi/toml v1.6.0
	github.com/gslb/gslb v0.0.0
	github.com/miekg/dns v1.1.73
)

require (
	github.com/dchest/siphash v1.2.3 // indirect
	github.com/dnstap/golang-dnstap v0.4.0 // indirect
	github.com/farsightsec/golang-framestream v0.3.0 // indirect
	github.com/fsnotify/fsnotify v1.10.1 // indirect
	golang.org/x/net v0.59.0 // indirect
	golang.org/x/sync v0.23.0 // indirect
	golang.org/x/sys v0.49.0 // indirect
	google.golang.org/protobuf v1.36.12 // indirect
)

replace github.com/gslb/gslb => ../..
