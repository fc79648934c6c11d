package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/gslb/gslb/control"
	"github.com/gslb/gslb/health"
)

// statusCmd prints the health of every target and pool of a running server.
func statusCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("status", flag.ContinueOnError)
	fs.SetOutput(stderr)
	client := clientFlags(fs)
	asJSON := fs.Bool("json", false, "print the raw JSON document")
	usage := func(w io.Writer) {
		fmt.Fprintln(w, "usage: gslb status [-json] [-control ADDR] [-token-file FILE] [-config FILE]")
		fs.SetOutput(w)
		fs.PrintDefaults()
	}
	fs.Usage = func() {} // printed below, to stdout for -h
	pos, err := parseInterspersed(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		usage(stdout)
		return 0
	}
	if err != nil {
		usage(stderr)
		return 2
	}
	if len(pos) > 0 {
		fmt.Fprintf(stderr, "gslb status: unexpected arguments: %s\n", strings.Join(pos, " "))
		usage(stderr)
		return 2
	}
	c, err := client()
	if err != nil {
		fmt.Fprintf(stderr, "gslb status: %v\n", err)
		return 1
	}
	raw, err := c.StatusJSON(context.Background())
	if err != nil {
		fmt.Fprintf(stderr, "gslb status: %v\n", err)
		return 1
	}
	if *asJSON {
		stdout.Write(raw)
		return 0
	}
	var doc control.Status
	if err := json.Unmarshal(raw, &doc); err != nil {
		fmt.Fprintf(stderr, "gslb status: %v\n", err)
		return 1
	}
	printStatus(stdout, doc)
	return 0
}

func printStatus(w io.Writer, doc control.Status) {
	fmt.Fprintf(w, "ready: %v\n\nzones:\n", doc.Ready)
	for _, z := range doc.Zones {
		if z.Serial != 0 {
			fmt.Fprintf(w, "  %s serial %d (%s, loaded %s)\n", z.Origin, z.Serial, z.File, z.Loaded.Format(time.RFC3339))
		} else {
			fmt.Fprintf(w, "  NOT SERVED (%s)\n", z.File)
		}
		if len(z.Errors) > 0 {
			note := "the file has errors: the serial above keeps serving"
			if z.Serial == 0 {
				note = "the file has errors: nothing is served from it"
			}
			fmt.Fprintf(w, "    %s\n", note)
			for _, e := range z.Errors {
				fmt.Fprintf(w, "      %s\n", e)
			}
		}
	}
	fmt.Fprintln(w, "\ntargets:")
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  TARGET\tSTATUS\tSINCE\tLAST RESULT")
	for _, t := range doc.Targets {
		since := "-"
		if !t.State.Since.IsZero() {
			since = t.State.Since.Format(time.RFC3339)
		}
		last := "-"
		if !t.State.Last.At.IsZero() {
			last = "ok"
			if t.State.Last.Error != "" {
				last = t.State.Last.Error
			}
		}
		status := t.State.Status.String()
		if d := t.State.Detail(); d.Status != t.State.Status {
			status = d.Status.String() + " (undecided: last probe)"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", t.Target, status, since, last)
	}
	tw.Flush()
	fmt.Fprintln(w, "\npools:")
	for _, p := range doc.Pools {
		check := p.Check
		if check == "" {
			check = "none"
		}
		fmt.Fprintf(w, "  %s %s (check %s)\n", p.Zone, p.Pool, check)
		for _, dc := range p.Datacenters {
			var parts []string
			if dc.CNAME != "" {
				parts = append(parts, "cname "+dc.CNAME)
			}
			for _, f := range []struct {
				name string
				s    *control.FamilyStatus
			}{{"ipv4", dc.IPv4}, {"ipv6", dc.IPv6}} {
				if f.s == nil {
					continue
				}
				state := "down"
				if f.s.Up {
					state = "up"
				}
				if f.s.Drained {
					state = "drained"
				}
				parts = append(parts, fmt.Sprintf("%s %s %d/%d", f.name, state, f.s.AddrsUp, len(f.s.Addrs)))
			}
			if dc.Override != "" {
				parts = append(parts, "override: "+dc.Override)
			}
			fmt.Fprintf(w, "    %-6s %s\n", dc.Datacenter, strings.Join(parts, "; "))
		}
	}
	if len(doc.Overrides) > 0 {
		fmt.Fprintln(w, "\noverrides:")
		for _, o := range doc.Overrides {
			fmt.Fprintf(w, "  %s\n", describeOverride(o))
		}
	}
	printCluster(w, doc.Cluster)
}

func describeOverride(o health.Override) string {
	s := fmt.Sprintf("%s %s", o.Action, o.Key())
	if !o.Until.IsZero() {
		s += " until " + o.Until.Format(time.RFC3339)
	}
	if o.Reason != "" {
		s += ": " + o.Reason
	}
	return s
}
