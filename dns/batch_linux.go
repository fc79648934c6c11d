package dns

import (
	"net/netip"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// udpBatchSize is the most datagrams one recvmmsg reads and one sendmmsg
// writes.
const udpBatchSize = 32

// udpBatch is one UDP reader's memory for recvmmsg and sendmmsg (Linux):
// a slot per datagram, with its query buffer, its reply buffer and the
// client's address, which the reply is sent to (and, on a wildcard
// socket, the query's destination, which the reply is sent from: pkt).
// Nothing is allocated per datagram. The slots' buffers are as large as a
// datagram can be, so that no query is cut short, and mapped outside the Go heap (which zeroes the
// memory it reuses, making all of it resident): only the pages queries and
// replies touch become resident.
type udpBatch struct {
	rc      syscall.RawConn
	mem     []byte                              // the mapping that holds in and out
	in      []byte                              // udpBatchSize slots of maxTCPSize octets
	out     []byte                              // udpBatchSize slots of maxTCPSize+1 octets (handler.respond's minimum)
	names   [udpBatchSize]unix.RawSockaddrInet6 // the clients' addresses (IPv4 ones fit too)
	rhdr    [udpBatchSize]unix.Mmsghdr          // recvmmsg's messages
	riov    [udpBatchSize]unix.Iovec
	whdr    [udpBatchSize]unix.Mmsghdr // sendmmsg's messages, in reading order
	wiov    [udpBatchSize]unix.Iovec
	n       int           // datagrams read
	nw      int           // replies to write
	sent    int           // replies written or dropped
	errno   syscall.Errno // of the last recvmmsg
	pkt     *pktinfo      // a wildcard socket's destinations and sources (pktinfo_linux.go); nil otherwise
	readFn  func(fd uintptr) bool
	writeFn func(fd uintptr) bool
}

// The recvmmsg and sendmmsg calls never block (MSG_DONTWAIT: when a call
// would block, RawConn waits in the netpoller instead) and take a few
// microseconds per datagram, so they are made as raw system calls, without
// telling the scheduler: a goroutine in a system call for more than 20 µs
// has its P taken away by sysmon and handed to another thread, which on a
// busy single-core server costs more than the call (about 8% of the CPU
// per query in bench/compare.sh). A raw call of a full batch delays a
// stop-the-world pause by at most that call.

// newUDPBatch returns the batch memory for one reader of u, or nil when
// u cannot be read in batches. A wildcard socket's batch also reads each
// query's destination address and sends the reply from it (pktinfo).
func newUDPBatch(u *udpSocket) *udpBatch {
	rc, err := u.conn.SyscallConn()
	if err != nil {
		return nil
	}
	var pkt *pktinfo
	if u.oob {
		family, err := socketFamily(rc)
		if err != nil {
			return nil
		}
		pkt = newPktinfo(family)
	}
	const inLen, outLen = udpBatchSize * maxTCPSize, udpBatchSize * (maxTCPSize + 1)
	mem, err := unix.Mmap(-1, 0, inLen+outLen, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
	if err != nil {
		return nil
	}
	b := &udpBatch{rc: rc, mem: mem, in: mem[:inLen:inLen], out: mem[inLen:], pkt: pkt}
	for i := range udpBatchSize {
		b.riov[i].Base = &b.in[i*maxTCPSize]
		b.riov[i].SetLen(maxTCPSize)
		h := &b.rhdr[i].Hdr
		h.Name = (*byte)(unsafe.Pointer(&b.names[i]))
		h.Iov = &b.riov[i]
		h.SetIovlen(1)
		if pkt != nil {
			pkt.arm(h, i)
		}
	}
	b.readFn = b.recv
	b.writeFn = b.send
	return b
}

// close unmaps the buffers; b must not be used after.
func (b *udpBatch) close() {
	unix.Munmap(b.mem)
	*b = udpBatch{}
}

// read reads up to udpBatchSize datagrams, waiting for the first one.
func (b *udpBatch) read() (int, error) {
	b.rearm()
	if err := b.rc.Read(b.readFn); err != nil {
		return 0, err
	}
	if b.errno != 0 {
		return 0, b.errno
	}
	return b.n, nil
}

// readNow reads up to udpBatchSize datagrams without waiting and whatever
// the socket's read deadline: 0 when none is queued.
func (b *udpBatch) readNow() (int, error) {
	b.rearm()
	if err := b.rc.Control(func(fd uintptr) { b.recv(fd) }); err != nil {
		return 0, err
	}
	if b.errno != 0 {
		return 0, b.errno
	}
	return b.n, nil
}

// rearm readies the messages for the next recvmmsg.
func (b *udpBatch) rearm() {
	for i := range b.rhdr {
		b.rhdr[i].Hdr.Namelen = unix.SizeofSockaddrInet6
		b.rhdr[i].Hdr.Flags = 0
		b.rhdr[i].Len = 0
		if b.pkt != nil {
			b.rhdr[i].Hdr.SetControllen(pktinfoCtlLen)
		}
	}
	b.n, b.errno = 0, 0
}

// recv is the RawConn.Read callback: false asks to wait for readability.
func (b *udpBatch) recv(fd uintptr) bool {
	for {
		n, _, e := unix.RawSyscall6(unix.SYS_RECVMMSG, fd, uintptr(unsafe.Pointer(&b.rhdr[0])), udpBatchSize, unix.MSG_DONTWAIT, 0, 0)
		switch e {
		case 0:
			b.n = int(n)
			return true
		case unix.EINTR:
			continue
		case unix.EAGAIN:
			return false
		default:
			b.errno = e
			return true
		}
	}
}

// query returns the i-th datagram read and its source address; ok is
// false when the address is not an IP one (never on a UDP socket).
func (b *udpBatch) query(i int) (msg []byte, from netip.AddrPort, ok bool) {
	h := &b.rhdr[i]
	msg = b.in[i*maxTCPSize : i*maxTCPSize+int(h.Len)]
	sa := &b.names[i]
	switch sa.Family {
	case unix.AF_INET:
		sa4 := (*unix.RawSockaddrInet4)(unsafe.Pointer(sa))
		return msg, netip.AddrPortFrom(netip.AddrFrom4(sa4.Addr), netPort(&sa4.Port)), true
	case unix.AF_INET6:
		return msg, netip.AddrPortFrom(netip.AddrFrom16(sa.Addr), netPort(&sa.Port)), true
	}
	return msg, netip.AddrPort{}, false
}

// netPort reads a sockaddr's port, which is in network byte order.
func netPort(p *uint16) uint16 {
	b := (*[2]byte)(unsafe.Pointer(p))
	return uint16(b[0])<<8 | uint16(b[1])
}

// socketFamily returns the address family of the socket of rc.
func socketFamily(rc syscall.RawConn) (int, error) {
	var (
		family int
		serr   error
	)
	if err := rc.Control(func(fd uintptr) {
		family, serr = unix.GetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_DOMAIN)
	}); err != nil {
		return 0, err
	}
	return family, serr
}

// outBuf returns the reply buffer of the i-th datagram.
func (b *udpBatch) outBuf(i int) []byte {
	return b.out[i*(maxTCPSize+1) : (i+1)*(maxTCPSize+1)]
}

// reply queues reply to the sender of the i-th datagram. reply must stay
// untouched until write.
func (b *udpBatch) reply(i int, reply []byte) {
	if len(reply) == 0 {
		return
	}
	w, iov := &b.whdr[b.nw], &b.wiov[b.nw]
	iov.Base = &reply[0]
	iov.SetLen(len(reply))
	*w = unix.Mmsghdr{}
	w.Hdr.Name = (*byte)(unsafe.Pointer(&b.names[i]))
	w.Hdr.Namelen = b.rhdr[i].Hdr.Namelen
	w.Hdr.Iov = iov
	w.Hdr.SetIovlen(1)
	if b.pkt != nil {
		b.pkt.source(&w.Hdr, i, b.nw, int(b.rhdr[i].Hdr.Controllen))
	}
	b.nw++
}

// write sends the queued replies. A reply the kernel refuses (the client
// is unreachable) is dropped, as a failed single write is.
func (b *udpBatch) write() error {
	b.sent = 0
	err := error(nil)
	if b.nw > 0 {
		err = b.rc.Write(b.writeFn)
	}
	b.nw = 0
	return err
}

// send is the RawConn.Write callback: false asks to wait for writability.
func (b *udpBatch) send(fd uintptr) bool {
	for b.sent < b.nw {
		n, _, e := unix.RawSyscall6(unix.SYS_SENDMMSG, fd, uintptr(unsafe.Pointer(&b.whdr[b.sent])), uintptr(b.nw-b.sent), unix.MSG_DONTWAIT, 0, 0)
		switch e {
		case 0:
			b.sent += max(int(n), 1)
		case unix.EINTR:
		case unix.EAGAIN:
			return false
		default:
			b.sent++ // sendmmsg reports an error only for the first message
		}
	}
	return true
}
