// Command gslbbench is the helper of bench/compare.sh, the loopback load test
// of gslb against gdnsd. It is its own module so that the main module's
// go.mod stays untouched; it talks to servers on loopback addresses only.
//
// Subcommands:
//
//	gslbbench queries -mmdb FILE -zone ZONE -n N -seed S -out FILE
//	    write a dnsperf -B query file: www.ZONE A with an ECS option per query
//	    (subnets drawn from the database's networks), a few static names and
//	    NXDOMAINs
//	gslbbench wait -server ADDR -name NAME [-tries N]
//	    poll a DNS server until it answers NAME A (bounded)
//	gslbbench latency FILE
//	    percentiles of the per-query latencies in dnsperf -v output
//	gslbbench agree -a NAME=ADDR -b NAME=ADDR -dcmap FILE -mmdb FILE ...
//	    ask both servers for the same ECS subnets; compare datacenters and scopes
//	gslbbench freeport [-n N]
//	    print N ports free for UDP and TCP on 127.0.0.1
//	gslbbench scale -work DIR [-records N] [-zones N] [-rate QPS] ...
//	    gslb, NSD and Knot on the same generated data: load time, memory,
//	    a one-line edit served under load (bench/scale.sh)
//	gslbbench targets -work DIR [-targets N] [-interval D] [-scenarios tcp,http-hang,http-hang:256] ...
//	    gslb probing N health targets on 127.1.x.y: CPU share, memory,
//	    probes per second, probe lateness, probe slots (bench/targets.sh)
//	gslbbench mmdbcopy -in FILE -out FILE [-epoch-add S]
//	    copy a database with its build time moved (the reload runs swap them)
//	gslbbench geoip -work DIR -db FILE -db2 FILE [-rate QPS] ...
//	    gslb and gdnsd on a GeoLite2-size database with ten pools and maps:
//	    start time, table build, memory, the database replaced under load
//	    (bench/geoip.sh)
//	gslbbench report -runs FILE -meta FILE -agree FILE -out FILE
//	    medians over rounds and gslb/gdnsd ratios as a Markdown table
//	gslbbench reloadreport -runs FILE -meta FILE -notes FILE -out FILE
//	    the fixed-rate ladder and the reload runs as a Markdown report
package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	args := os.Args[2:]
	switch os.Args[1] {
	case "queries":
		err = queriesCmd(args)
	case "wait":
		err = waitCmd(args)
	case "latency":
		err = latencyCmd(args)
	case "agree":
		err = agreeCmd(args)
	case "freeport":
		err = freeportCmd(args)
	case "mmdbcopy":
		err = mmdbcopyCmd(args)
	case "report":
		err = reportCmd(args)
	case "reloadreport":
		err = reloadreportCmd(args)
	case "scale":
		err = scaleCmd(args)
	case "targets":
		err = targetsCmd(args)
	case "geoip":
		err = geoipCmd(args)
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "gslbbench %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: gslbbench queries|wait|latency|agree|freeport|mmdbcopy|report|reloadreport|scale|targets|geoip [flags]")
	os.Exit(2)
}
