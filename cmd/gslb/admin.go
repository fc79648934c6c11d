package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/netip"

	"github.com/gslb/gslb/control"
	"github.com/gslb/gslb/health"
)

// adminCmd changes a running server: overrides and reload.
func adminCmd(args []string, stdout, stderr io.Writer) int {
	usage := func() int {
		fmt.Fprint(stderr, `usage:
  gslb admin [flags] drain      DATACENTER|ADDRESS [-pool P] [-for 2h | -until TIME] [-reason TEXT]
  gslb admin [flags] force-down DATACENTER|ADDRESS [-pool P] [-for 2h | -until TIME] [-reason TEXT]
  gslb admin [flags] force-up   DATACENTER|ADDRESS [-pool P] [-for 2h | -until TIME] [-reason TEXT]
  gslb admin [flags] clear      DATACENTER|ADDRESS [-pool P]
  gslb admin [flags] overrides
  gslb admin [flags] reload
flags: -control ADDR, -token-file FILE, -config FILE
`)
		return 2
	}
	fs := flag.NewFlagSet("admin", flag.ContinueOnError)
	fs.SetOutput(stderr)
	client := clientFlags(fs)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() == 0 {
		return usage()
	}
	c, err := client()
	if err != nil {
		fmt.Fprintf(stderr, "gslb admin: %v\n", err)
		return 1
	}
	ctx := context.Background()
	verb, rest := fs.Arg(0), fs.Args()[1:]
	fail := func(err error) int {
		fmt.Fprintf(stderr, "gslb admin %s: %v\n", verb, err)
		return 1
	}
	switch verb {
	case "overrides":
		list, err := c.Overrides(ctx)
		if err != nil {
			return fail(err)
		}
		for _, o := range list {
			fmt.Fprintln(stdout, describeOverride(o))
		}
		return 0
	case "reload":
		if err := c.Reload(ctx); err != nil {
			return fail(err)
		}
		fmt.Fprintln(stdout, "reloaded")
		return 0
	case "drain", "force-down", "force-up", "clear":
	default:
		return usage()
	}
	vfs := flag.NewFlagSet(verb, flag.ContinueOnError)
	vfs.SetOutput(stderr)
	pool := vfs.String("pool", "", "only in this `pool` (default: every pool)")
	forD := vfs.String("for", "", "lapse after this `duration` (e.g. 2h)")
	until := vfs.String("until", "", "lapse at this RFC 3339 `time`")
	reason := vfs.String("reason", "", "why, for the record")
	if len(rest) == 0 {
		return usage()
	}
	what := rest[0]
	if err := vfs.Parse(rest[1:]); err != nil {
		return 2
	}
	addr, err := netip.ParseAddr(what)
	isAddr := err == nil
	if verb == "clear" {
		k := health.OverrideKey{Pool: *pool, Datacenter: what}
		if isAddr {
			k = health.OverrideKey{Pool: *pool, Addr: addr}
		}
		if err := c.ClearOverride(ctx, k); err != nil {
			return fail(err)
		}
		fmt.Fprintf(stdout, "cleared %s\n", what)
		return 0
	}
	req := control.OverrideRequest{Pool: *pool, Action: verb, For: *forD, Until: *until, Reason: *reason}
	if isAddr {
		req.Addr = what
	} else {
		req.Datacenter = what
	}
	o, err := c.SetOverride(ctx, req)
	if err != nil {
		return fail(err)
	}
	fmt.Fprintln(stdout, describeOverride(o))
	return 0
}
