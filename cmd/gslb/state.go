package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"text/tabwriter"
	"time"

	"github.com/gslb/gslb/health/store"
)

// stateCmd prints the state file of a stopped server.
func stateCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("state", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", "gslb.db", "state `file`")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	c, err := store.Read(*db, store.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		fmt.Fprintf(stderr, "gslb state: %v\n", err)
		return 1
	}
	if *asJSON {
		c.Targets, c.Overrides, c.Lifted = orEmpty(c.Targets), orEmpty(c.Overrides), orEmpty(c.Lifted)
		return printJSON(stdout, c)
	}
	tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TARGET\tSTATUS\tSINCE\tLAST PROBE\tLAST ERROR\tWRITTEN")
	for _, t := range c.Targets {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", t.Target, t.State.Status, stamp(t.State.Since), stamp(t.State.Last.At), dash(t.State.Last.Error), stamp(t.Updated))
	}
	tw.Flush()
	if len(c.Overrides) > 0 {
		fmt.Fprintln(stdout, "\noverrides:")
		for _, o := range c.Overrides {
			fmt.Fprintf(stdout, "  %s\n", describeOverride(o))
		}
	}
	if len(c.OverrideLog) > 0 {
		fmt.Fprintln(stdout, "\ncluster override log:")
		for _, e := range c.OverrideLog {
			what := "set"
			if e.Cleared {
				what = "cleared"
			}
			fmt.Fprintf(stdout, "  %s %s %s at %s by %s\n", e.Key(), e.Override.Action, what, e.At.Format(time.RFC3339Nano), e.Node)
		}
	}
	return 0
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Format(time.RFC3339)
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
