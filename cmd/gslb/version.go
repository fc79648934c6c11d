package main

import (
	"flag"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

// version is stamped by `make build`:
// -ldflags "-X main.version=$(git describe --always --dirty)". Empty
// otherwise: the module version of the build information is used (a
// tagged version with `go install …@vX`, "(devel)" in a work tree).
var version string

// versionCmd prints the version, the VCS revision and time of the build
// and the Go version.
func versionCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "gslb version: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	bi, _ := debug.ReadBuildInfo()
	fmt.Fprint(stdout, formatVersion(version, bi, runtime.Version(), runtime.GOOS+"/"+runtime.GOARCH))
	return 0
}

// buildVersion is the version gslb reports (`gslb version`, and the
// version label of gslb_build_info): the -X stamp, else the main module's
// version, else "unknown".
func buildVersion(stamp string, bi *debug.BuildInfo) string {
	switch {
	case stamp != "":
		return stamp
	case bi != nil && bi.Main.Version != "":
		return bi.Main.Version
	}
	return "unknown"
}

// formatVersion is the text of `gslb version`. bi may be nil (a binary
// built without module support).
func formatVersion(stamp string, bi *debug.BuildInfo, goVersion, platform string) string {
	revision, at, modified := "unknown", "unknown", false
	if bi != nil {
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				revision = s.Value
			case "vcs.time":
				at = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
	}
	if modified {
		revision += " (modified)"
	}
	return fmt.Sprintf("gslb %s\nrevision: %s\ntime:     %s\ngo:       %s %s\n", buildVersion(stamp, bi), revision, at, goVersion, platform)
}
