package cluster

import (
	"errors"
	"fmt"
	"log"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/memberlist"
)

// Partition cuts a node off from every peer and heals the cut, without
// touching the network: a drill of a network partition (the tests use
// it). A Cluster given one in Config.Partition sends its gossip through a
// transport that, while the partition is cut, drops every packet it would
// send or receive and refuses every stream. The zero value is healed; its
// methods are safe for concurrent use.
type Partition struct{ cut atomic.Bool }

// Cut cuts the node off.
func (p *Partition) Cut() { p.cut.Store(true) }

// Heal ends the cut.
func (p *Partition) Heal() { p.cut.Store(false) }

// IsCut reports whether the node is cut off.
func (p *Partition) IsCut() bool { return p.cut.Load() }

// errCut is returned for a stream dialed while the partition is cut.
var errCut = errors.New("cut off by a partition drill")

// cutTransport is memberlist's UDP and TCP transport behind a Partition.
type cutTransport struct {
	*memberlist.NetTransport
	p       *Partition
	packets chan *memberlist.Packet
	streams chan net.Conn
	done    chan struct{} // closed when Shutdown begins
	stopped chan struct{} // closed when the transport has stopped
	stop    sync.Once
}

var _ memberlist.NodeAwareTransport = (*cutTransport)(nil)

// newCutTransport binds memberlist's transport on addr:port (port 0
// picks a free one) behind p.
func newCutTransport(addr string, port int, p *Partition, logger *log.Logger) (*cutTransport, error) {
	nt, err := memberlist.NewNetTransport(&memberlist.NetTransportConfig{BindAddrs: []string{addr}, BindPort: port, Logger: logger})
	if err != nil {
		return nil, fmt.Errorf("bind %s port %d: %w", addr, port, err)
	}
	t := &cutTransport{NetTransport: nt, p: p, packets: make(chan *memberlist.Packet), streams: make(chan net.Conn), done: make(chan struct{}), stopped: make(chan struct{})}
	go t.relayPackets()
	go t.relayStreams()
	return t, nil
}

// relayPackets passes the packets received while not cut on to
// memberlist. Once Shutdown began it drops them, until the transport
// has stopped (its listeners wait for each packet to be taken).
func (t *cutTransport) relayPackets() {
	for {
		select {
		case <-t.stopped:
			return
		case pk := <-t.NetTransport.PacketCh():
			if t.p.IsCut() {
				continue
			}
			select {
			case t.packets <- pk:
			case <-t.done:
			}
		}
	}
}

// relayStreams passes the streams accepted while not cut on to
// memberlist, and closes the others.
func (t *cutTransport) relayStreams() {
	for {
		select {
		case <-t.stopped:
			return
		case c := <-t.NetTransport.StreamCh():
			if t.p.IsCut() {
				c.Close()
				continue
			}
			select {
			case t.streams <- c:
			case <-t.done:
				c.Close()
			}
		}
	}
}

// PacketCh returns the packets received while not cut.
func (t *cutTransport) PacketCh() <-chan *memberlist.Packet { return t.packets }

// StreamCh returns the streams accepted while not cut.
func (t *cutTransport) StreamCh() <-chan net.Conn { return t.streams }

// WriteTo drops the packet while cut (as the network would, silently).
func (t *cutTransport) WriteTo(b []byte, addr string) (time.Time, error) {
	if t.p.IsCut() {
		return time.Now(), nil
	}
	return t.NetTransport.WriteTo(b, addr)
}

// WriteToAddress drops the packet while cut.
func (t *cutTransport) WriteToAddress(b []byte, a memberlist.Address) (time.Time, error) {
	if t.p.IsCut() {
		return time.Now(), nil
	}
	return t.NetTransport.WriteToAddress(b, a)
}

// DialTimeout fails while cut.
func (t *cutTransport) DialTimeout(addr string, timeout time.Duration) (net.Conn, error) {
	if t.p.IsCut() {
		return nil, fmt.Errorf("dial %s: %w", addr, errCut)
	}
	return t.NetTransport.DialTimeout(addr, timeout)
}

// DialAddressTimeout fails while cut.
func (t *cutTransport) DialAddressTimeout(a memberlist.Address, timeout time.Duration) (net.Conn, error) {
	if t.p.IsCut() {
		return nil, fmt.Errorf("dial %s: %w", a.Addr, errCut)
	}
	return t.NetTransport.DialAddressTimeout(a, timeout)
}

// Shutdown stops the relays and the transport.
func (t *cutTransport) Shutdown() error {
	var err error
	t.stop.Do(func() {
		close(t.done)
		err = t.NetTransport.Shutdown()
		close(t.stopped)
	})
	return err
}
