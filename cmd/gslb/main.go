// Command gslb is a geo-routing authoritative DNS server.
//
// Usage:
//
//	gslb serve   -config FILE [-state FILE] [-replace]  serve DNS, probe datacenters, reload on change; -replace takes over from a running gslb
//	gslb check   -config FILE                  validate the configuration and every zone file
//	gslb explain -config FILE NAME CLIENT[/PREFIX] [TYPE]   show how a query is answered
//	gslb status  [-control ADDR] [-json]       health of every target and pool, from the server
//	gslb admin   SUBCOMMAND ... [-control ADDR] set, list and clear overrides; reload
//	gslb state   -db FILE                      read the state file of a stopped server
//	gslb diff    -config OLD -new NEW [-pool P] [-json]   preview which clients a change moves
//	gslb dnssec ds -config FILE [-state FILE] ZONE   the DS records of a signed zone, for its parent
//	gslb version                               version, VCS revision and Go version of the build
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run dispatches a subcommand and returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	cmds := map[string]func([]string, io.Writer, io.Writer) int{
		"serve":   serveCmd,
		"check":   checkCmd,
		"explain": explainCmd,
		"status":  statusCmd,
		"admin":   adminCmd,
		"state":   stateCmd,
		"diff":    diffCmd,
		"dnssec":  dnssecCmd,
		"version": versionCmd,
	}
	cmd, ok := cmds[args[0]]
	if !ok {
		if args[0] != "help" && args[0] != "-h" && args[0] != "--help" {
			fmt.Fprintf(stderr, "gslb: unknown command %q\n", args[0])
		}
		usage(stderr)
		return 2
	}
	return cmd(args[1:], stdout, stderr)
}

func usage(w io.Writer) {
	fmt.Fprint(w, `usage: gslb COMMAND [flags]

commands:
  serve   -config FILE [-state FILE] [-replace]
                                           serve DNS, probe datacenters, reload on change;
                                           -replace takes over from the running gslb
  check   -config FILE                     validate the configuration and every zone file
  explain -config FILE NAME CLIENT[/PREFIX] [A|AAAA]
                                           show how a query from CLIENT is answered
  status  [-control ADDR] [-json]          health of every target and pool (running server)
  admin   SUBCOMMAND ... [-control ADDR]   overrides and reload (running server; admin -h)
  state   -db FILE                         read the state file of a stopped server
  diff    -config OLD (-new NEW | -new-geoip FILE) [-pool NAME] [-json]
                                           preview which share of clients a change moves
  dnssec ds -config FILE [-state FILE] ZONE
                                           the DS records (SHA-256) of a signed zone, for its parent
  version                                  version, VCS revision and Go version of the build
`)
}

// parseInterspersed parses flags that may come before, between or after the
// positional arguments, which it returns.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos, args = append(pos, args[0]), args[1:]
	}
}
