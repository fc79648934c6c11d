package main

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/gslb/gslb/config"
	"github.com/gslb/gslb/control"
	"github.com/gslb/gslb/health"
)

// defaultConfig is the server configuration that serve, check, status and
// admin read when -config is not given.
const defaultConfig = "gslb.toml"

// clientFlags adds -control, -token-file and -config to a command's flags.
// The function it returns makes the client: the address and token file of
// the flags, else those of the server configuration (-config, or
// gslb.toml in the working directory when it exists, as serve reads it),
// else 127.0.0.1:8053 without a token.
func clientFlags(fs *flag.FlagSet) func() (*control.Client, error) {
	ctl := fs.String("control", "", "control API `address` (default: the config's control.listen, else 127.0.0.1:8053)")
	tokenFile := fs.String("token-file", "", "bearer token `file` (default: the config's control.token_file)")
	configFile := fs.String("config", "", "server configuration `file` to take the control address and token from (default: "+defaultConfig+" when it exists)")
	return func() (*control.Client, error) {
		addr, tf := *ctl, *tokenFile
		path := *configFile
		if path == "" && (addr == "" || tf == "") {
			if _, err := os.Stat(defaultConfig); err == nil {
				path = defaultConfig
			}
		}
		if path != "" {
			cfg, err := config.Load(path)
			if err != nil {
				return nil, err
			}
			if addr == "" {
				addr = cfg.Control.Listen
				if addr == "" {
					return nil, fmt.Errorf("%s: the control API is disabled (control.listen is \"\"): give -control", path)
				}
			}
			if tf == "" {
				tf = cfg.Control.TokenFile
			}
		}
		if addr == "" {
			addr = "127.0.0.1:8053"
		}
		return newClient(addr, tf)
	}
}

// newClient returns a control API client for addr with the token read from
// tokenFile ("" for none).
func newClient(addr, tokenFile string) (*control.Client, error) {
	c := &control.Client{Addr: addr}
	if tokenFile != "" {
		b, err := os.ReadFile(tokenFile)
		if err != nil {
			return nil, fmt.Errorf("read token: %w", err)
		}
		c.Token = strings.TrimSpace(string(b))
	}
	return c, nil
}

// staticHealth serves one fixed snapshot.
type staticHealth struct{ s *health.Snapshot }

func (h staticHealth) Snapshot() *health.Snapshot { return h.s }

// fetchHealth builds a health snapshot from a running server's status.
func fetchHealth(addr, tokenFile string) (*health.Snapshot, error) {
	c, err := newClient(addr, tokenFile)
	if err != nil {
		return nil, err
	}
	c.HTTP = &http.Client{Timeout: time.Second}
	doc, err := c.Status(context.Background())
	if err != nil {
		return nil, err
	}
	details := map[health.Target]health.Detail{}
	for _, t := range doc.Targets {
		details[t.Target] = t.State.Detail()
	}
	return health.NewDetailedSnapshot(details, doc.Overrides), nil
}
