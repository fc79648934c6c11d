//go:build !linux

package dns

import "net/netip"

// udpBatch reads and writes datagrams in batches on Linux only; elsewhere
// every socket takes the per-datagram path.
type udpBatch struct{}

const udpBatchSize = 1

func newUDPBatch(*udpSocket) *udpBatch { return nil }

func (*udpBatch) read() (int, error)                                   { panic("unreachable") }
func (*udpBatch) readNow() (int, error)                                { panic("unreachable") }
func (*udpBatch) query(int) (msg []byte, from netip.AddrPort, ok bool) { panic("unreachable") }
func (*udpBatch) outBuf(int) []byte                                    { panic("unreachable") }
func (*udpBatch) reply(int, []byte)                                    { panic("unreachable") }
func (*udpBatch) close()                                               {}
func (*udpBatch) write() error                                         { panic("unreachable") }
