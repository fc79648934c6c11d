module github.com/gslb/gslb/bench/tools

go 1.26.8

require (
	github.com/miekg/dns v1.1.73
	github.com/oschwald/maxminddb-golang/v2 v2.8.0
)

require (
	golang.org/x/net v0.57.0 // indirect
	golang.org/x/sys v0.48.0 // indirect
)
