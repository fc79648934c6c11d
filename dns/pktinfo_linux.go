package dns

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// A socket bound to a wildcard address (0.0.0.0, [::]) receives the
// queries sent to every address of the host, and a reply must leave from
// the address its query came to: a client (a connected socket, a resolver
// checking the source) drops one from another address. server.go's
// wildcard asks the kernel for each datagram's destination (IP_PKTINFO,
// IPV6_RECVPKTINFO); the batch keeps it in a control buffer per slot and
// hands it back as the source of the reply (IP_PKTINFO's ipi_spec_dst,
// IPV6_PKTINFO's ipi6_addr), written into a control buffer per reply slot.
// Nothing is allocated per datagram.
//
// A dual-stack [::] socket (what Go opens for "0.0.0.0:53" and "[::]:53"
// where the system has IPv6) receives IPv4 queries with an IPV6_PKTINFO
// holding the v4-mapped destination (and an IP_PKTINFO when that is asked
// for too); Linux accepts such an IPV6_PKTINFO for a reply to a v4-mapped
// client and sends it from the IPv4 address.

// pktinfoCtlLen is the room for the control messages of one received
// datagram: an IP_PKTINFO and an IPV6_PKTINFO with room to spare. When
// they do not fit (MSG_CTRUNC), the reply leaves without a chosen source.
const pktinfoCtlLen = 128

// pktinfoOutLen is the room for the one control message of a reply (an
// IPV6_PKTINFO takes 40 octets on 64-bit systems).
const pktinfoOutLen = 64

// pktinfo holds what a wildcard batch needs besides the plain one: the
// socket's family, and a control buffer per slot for the destinations
// read and the sources written.
type pktinfo struct {
	family int                               // of the socket: AF_INET or AF_INET6
	hdrLen int                               // unix.CmsgLen(0): where a control message's data starts
	in     [udpBatchSize][pktinfoCtlLen]byte // the control messages of each datagram read
	out    [udpBatchSize][pktinfoOutLen]byte // the control message of each reply, in writing order
	dst    pktDst                            // the destination last parsed
}

// pktDst is a datagram's destination address (16 octets, an IPv4 one
// v4-mapped) and the interface it came in on.
type pktDst struct {
	addr    [16]byte
	ifindex int32
}

// newPktinfo returns the control buffers for a socket of family.
func newPktinfo(family int) *pktinfo {
	return &pktinfo{family: family, hdrLen: unix.CmsgLen(0)}
}

// arm points the i-th receive message at its control buffer.
func (p *pktinfo) arm(h *unix.Msghdr, i int) {
	h.Control = &p.in[i][0]
	h.SetControllen(pktinfoCtlLen)
}

// parse reads the destination of the i-th datagram into p.dst from the n
// octets of control messages the kernel wrote for it, and reports whether
// it found one a reply can be sent from.
func (p *pktinfo) parse(i, n int) bool {
	buf := p.in[i][:min(n, pktinfoCtlLen)]
	found := false
	for len(buf) >= p.hdrLen {
		h := (*unix.Cmsghdr)(unsafe.Pointer(&buf[0]))
		l := int(h.Len)
		if l < p.hdrLen || l > len(buf) {
			break
		}
		data := buf[p.hdrLen:l]
		switch {
		case h.Level == unix.IPPROTO_IPV6 && h.Type == unix.IPV6_PKTINFO && len(data) >= unix.SizeofInet6Pktinfo:
			info := (*unix.Inet6Pktinfo)(unsafe.Pointer(&data[0]))
			p.dst = pktDst{addr: info.Addr, ifindex: int32(info.Ifindex)}
			return p.usable()
		case h.Level == unix.IPPROTO_IP && h.Type == unix.IP_PKTINFO && len(data) >= unix.SizeofInet4Pktinfo:
			info := (*unix.Inet4Pktinfo)(unsafe.Pointer(&data[0]))
			d := pktDst{ifindex: info.Ifindex}
			d.addr[10], d.addr[11] = 0xff, 0xff
			copy(d.addr[12:], info.Addr[:]) // the header's destination (ipi_spec_dst is the route's)
			p.dst = d
			found = true // an IPV6_PKTINFO after it, if any, says the same
		}
		next := unix.CmsgSpace(l - p.hdrLen)
		if next >= len(buf) {
			break
		}
		buf = buf[next:]
	}
	return found && p.usable()
}

// usable reports whether p.dst can be a reply's source:
// not a multicast or broadcast address, which the kernel refuses as one
// (the reply then leaves from the address the kernel picks).
func (p *pktinfo) usable() bool {
	a := &p.dst.addr
	if isV4Mapped(a) {
		return a[12] < 224 && !(a[12] == 0 && a[13] == 0 && a[14] == 0 && a[15] == 0)
	}
	return a[0] != 0xff
}

func isV4Mapped(a *[16]byte) bool {
	return *(*[12]byte)(a[:12]) == [12]byte{10: 0xff, 11: 0xff}
}

// source writes into the j-th reply control buffer the source of the reply
// to the i-th datagram, whose control messages are ctlLen octets, and
// points h at it; h gets no control message when the datagram had no
// usable destination.
func (p *pktinfo) source(h *unix.Msghdr, i, j, ctlLen int) {
	if !p.parse(i, ctlLen) {
		return
	}
	d := &p.dst
	out := p.out[j][:]
	clear(out)
	c := (*unix.Cmsghdr)(unsafe.Pointer(&out[0]))
	data := unsafe.Pointer(&out[p.hdrLen])
	if p.family == unix.AF_INET6 {
		c.Level, c.Type = unix.IPPROTO_IPV6, unix.IPV6_PKTINFO
		c.SetLen(unix.CmsgLen(unix.SizeofInet6Pktinfo))
		info := (*unix.Inet6Pktinfo)(data)
		info.Addr = d.addr
		if d.addr[0] == 0xfe && d.addr[1]&0xc0 == 0x80 {
			// A link-local address is only an address on its interface.
			info.Ifindex = uint32(d.ifindex)
		}
		h.Control = &out[0]
		h.SetControllen(unix.CmsgSpace(unix.SizeofInet6Pktinfo))
		return
	}
	if !isV4Mapped(&d.addr) {
		return // an IPv6 destination on an IPv4 socket: not possible
	}
	c.Level, c.Type = unix.IPPROTO_IP, unix.IP_PKTINFO
	c.SetLen(unix.CmsgLen(unix.SizeofInet4Pktinfo))
	info := (*unix.Inet4Pktinfo)(data)
	copy(info.Spec_dst[:], d.addr[12:])
	h.Control = &out[0]
	h.SetControllen(unix.CmsgSpace(unix.SizeofInet4Pktinfo))
}
