package probe

import (
	"context"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"strings"
	"time"

	"github.com/gslb/gslb/health"
	"github.com/gslb/gslb/internal/dnscode"
)

// DNS wire constants used by the hand-built query.
const (
	dnsHeaderLen = 12
	dnsFlagRD    = 0x0100 // recursion desired: harmless to authoritative servers
	dnsClassIN   = 1
	dnsMaxName   = 255
	dnsMaxLabel  = 63
)

// probeDNS sends one query over UDP and compares the response's rcode with
// ExpectRcode. Responses with another ID are ignored; there is no retry.
func (p *Prober) probeDNS(ctx context.Context, c health.Check, addr netip.Addr) error {
	qtype := c.QueryType
	if qtype == 0 {
		qtype = dnscode.TypeSOA
	}
	id := uint16(rand.Uint32())
	query, err := buildQuery(id, c.QueryName, qtype)
	if err != nil {
		return err
	}
	conn, err := p.dialer(c, addr, "udp").DialContext(ctx, "udp", netip.AddrPortFrom(addr, port(c)).String())
	if err != nil {
		return err
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		if err := conn.SetDeadline(dl); err != nil {
			return err
		}
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	if _, err := conn.Write(query); err != nil {
		return err
	}
	buf := make([]byte, 1232)
	for {
		n, err := conn.Read(buf)
		if err != nil {
			return err
		}
		if n < dnsHeaderLen {
			return fmt.Errorf("%w: %d bytes, shorter than a header", ErrResponse, n)
		}
		if binary.BigEndian.Uint16(buf) != id {
			continue // not ours (a late or spoofed answer): keep waiting
		}
		flags := binary.BigEndian.Uint16(buf[2:])
		if flags&0x8000 == 0 {
			return fmt.Errorf("%w: QR bit not set", ErrResponse)
		}
		if op := flags >> 11 & 0xF; op != 0 {
			return fmt.Errorf("%w: opcode %d", ErrResponse, op)
		}
		rcode := int(buf[3] & 0x0F)
		if rcode != c.ExpectRcode {
			return fmt.Errorf("%w %s, want %s", ErrRcode, dnscode.RcodeString(rcode), dnscode.RcodeString(c.ExpectRcode))
		}
		return nil
	}
}

// buildQuery returns a query packet: a 12-byte header with the given ID, RD
// set and one question, then name in label form, qtype and class IN. The
// name is absolute or relative to the root ("" and "." are the root); escapes
// are not supported.
func buildQuery(id uint16, name string, qtype uint16) ([]byte, error) {
	name = strings.TrimSuffix(name, ".")
	b := make([]byte, dnsHeaderLen, dnsHeaderLen+len(name)+2+4)
	binary.BigEndian.PutUint16(b[0:], id)
	binary.BigEndian.PutUint16(b[2:], dnsFlagRD)
	binary.BigEndian.PutUint16(b[4:], 1) // QDCOUNT
	if name != "" {
		for _, label := range strings.Split(name, ".") {
			if label == "" || len(label) > dnsMaxLabel {
				return nil, fmt.Errorf("query name %q: empty or over-long label: %w", name, ErrCheck)
			}
			b = append(b, byte(len(label)))
			b = append(b, label...)
		}
	}
	b = append(b, 0)
	if len(b)-dnsHeaderLen > dnsMaxName {
		return nil, fmt.Errorf("query name %q: longer than %d bytes: %w", name, dnsMaxName, ErrCheck)
	}
	b = binary.BigEndian.AppendUint16(b, qtype)
	b = binary.BigEndian.AppendUint16(b, dnsClassIN)
	return b, nil
}
