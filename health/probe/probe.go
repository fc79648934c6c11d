package probe

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"syscall"
	"time"

	"github.com/gslb/gslb/health"
)

// Defaults applied when a check leaves a field at its zero value. The config
// loader normally fills these in; the prober applies them again so that a
// bare Check still probes sensibly and always ends.
const (
	// DefaultTimeout bounds a probe whose check has no Timeout.
	DefaultTimeout = 5 * time.Second
	// DefaultBodyLimit is how much of an HTTP body is read when BodyLimit is 0.
	DefaultBodyLimit = 64 << 10
)

// Prober runs probes. Its zero value is ready to use and it is safe for
// concurrent use once probing started (set its fields before). It caches
// the parsed CA files of https checks and reloads one when its size or
// modification time changes.
//
// Every probe socket is checked before it connects (a net.Dialer Control
// function): one to a link-local or metadata address (health.Unprobeable)
// or one Refuse refuses is closed unsent, and the probe fails with
// ErrRefused. The targets are checked when the configuration loads too;
// this is the last line, whatever the address came from.
type Prober struct {
	// Refuse, when set, is asked about the remote address of every probe
	// socket and returns why it must not be probed, or "". gslb serve
	// refuses its own control listener.
	Refuse func(netip.AddrPort) string
	// Control, when set, is called with every probe socket as
	// net.Dialer.Control is, after the address checks; an error it returns
	// fails the dial. Tests inject system errors with it.
	Control func(network, address string, c syscall.RawConn) error

	mu  sync.Mutex
	cas map[string]caEntry
}

// Probe runs check c once against addr and returns nil on success or an
// error saying why it failed. It returns within the check's Timeout (or
// DefaultTimeout), or earlier when ctx ends.
func (p *Prober) Probe(ctx context.Context, c health.Check, addr netip.Addr) error {
	if c.Type == health.CheckNone {
		return nil
	}
	if !addr.IsValid() {
		return fmt.Errorf("probe %s: no address: %w", c.Type, ErrCheck)
	}
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	// A caller's deadline that comes first (the monitor bounds each probe
	// by the same timeout) is the probe's timeout too: its expiry is a
	// timeout, not a cancellation. A deadline already over (a host so
	// loaded that the probe's goroutine ran only after it) leaves no time
	// to probe: that failure is this host's, not the target's.
	if dl, ok := ctx.Deadline(); ok {
		left := time.Until(dl)
		if left < time.Millisecond {
			return fmt.Errorf("%w: the probe's time was over before it could start (this host is overloaded)", ErrLocal)
		}
		if left = left.Round(time.Millisecond); left < timeout {
			timeout = left
		}
	}
	pctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	var err error
	switch c.Type {
	case health.CheckHTTP:
		err = p.http(pctx, c, addr, false)
	case health.CheckHTTPS:
		err = p.http(pctx, c, addr, true)
	case health.CheckTCP:
		err = p.probeTCP(pctx, c, addr)
	case health.CheckDNS:
		err = p.probeDNS(pctx, c, addr)
	default:
		return fmt.Errorf("probe type %q: %w", c.Type, ErrCheck)
	}
	if err == nil {
		return nil
	}
	switch {
	case errors.Is(err, ErrRefused):
		return err
	case errors.Is(ctx.Err(), context.Canceled):
		return fmt.Errorf("probe canceled: %w", ctx.Err())
	case errors.Is(pctx.Err(), context.DeadlineExceeded) || isTimeout(err):
		return fmt.Errorf("%w after %s", ErrTimeout, timeout)
	case IsLocal(err) && !errors.Is(err, ErrLocal):
		return fmt.Errorf("%w: %w", ErrLocal, err)
	}
	return err
}

// Probe runs check c once against addr with a Prober of its own, for one-off
// use such as a command-line check. See Prober.Probe.
func Probe(ctx context.Context, c health.Check, addr netip.Addr) error {
	var p Prober
	return p.Probe(ctx, c, addr)
}

// isTimeout reports whether err is a network timeout (a deadline set on a
// connection from the context's deadline).
func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// port returns the check's port or the default of its type.
func port(c health.Check) uint16 {
	if c.Port != 0 {
		return c.Port
	}
	switch c.Type {
	case health.CheckHTTPS:
		return 443
	case health.CheckDNS:
		return 53
	default:
		return 80
	}
}

// dialer returns a dialer for a probe of addr over network ("tcp" or
// "udp"): from the check's Source when it is of addr's family, else from
// the system's choice of address. TCP keep-alives are off: a probe's
// connection is short. Its Control function refuses unprobeable addresses
// (see Prober).
func (p *Prober) dialer(c health.Check, addr netip.Addr, network string) *net.Dialer {
	d := &net.Dialer{KeepAlive: -1, Control: p.control}
	if src := c.Source.Unmap(); src.IsValid() && src.Is4() == addr.Unmap().Is4() {
		if network == "udp" {
			d.LocalAddr = net.UDPAddrFromAddrPort(netip.AddrPortFrom(src, 0))
		} else {
			d.LocalAddr = net.TCPAddrFromAddrPort(netip.AddrPortFrom(src, 0))
		}
	}
	return d
}

// control checks a probe socket's remote address before it connects (a
// host name in a check could have resolved to anything), then runs the
// Control hook.
func (p *Prober) control(network, address string, rc syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: remote address %q: %v", ErrRefused, address, err)
	}
	if why := health.Unprobeable(ap.Addr()); why != "" {
		return fmt.Errorf("%w: %s is %s", ErrRefused, ap.Addr(), why)
	}
	if p.Refuse != nil {
		if why := p.Refuse(ap); why != "" {
			return fmt.Errorf("%w: %s is %s", ErrRefused, ap, why)
		}
	}
	if p.Control != nil {
		return p.Control(network, address, rc)
	}
	return nil
}

// probeTCP succeeds when a TCP connection to the target opens.
func (p *Prober) probeTCP(ctx context.Context, c health.Check, addr netip.Addr) error {
	conn, err := p.dialer(c, addr, "tcp").DialContext(ctx, "tcp", netip.AddrPortFrom(addr, port(c)).String())
	if err != nil {
		return err
	}
	return conn.Close()
}
