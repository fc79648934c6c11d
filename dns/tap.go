package dns

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	dnstap "github.com/dnstap/golang-dnstap"
	framestream "github.com/farsightsec/golang-framestream"
	"google.golang.org/protobuf/proto"

	"github.com/gslb/gslb/config"
)

// Defaults of TapConfig.
const (
	DefaultTapBuffer       = config.DefaultDNSTapBuffer
	DefaultTapFlushTimeout = time.Second
	DefaultTapMinBackoff   = 100 * time.Millisecond
	DefaultTapMaxBackoff   = 30 * time.Second
)

const (
	// tapMaxQueued caps the octets of queries and responses queued for the
	// collector, whatever TapConfig.Buffer says: a queue of large TCP
	// answers stays within it.
	tapMaxQueued = 64 << 20
	// tapIOTimeout bounds connecting to the collector, the Frame Streams
	// handshake and each write. A collector that takes no data for that
	// long is disconnected (a write cut short leaves the stream unusable).
	tapIOTimeout = 5 * time.Second
	// tapLogEvery is the least time between two log lines about the
	// collector's connection.
	tapLogEvery = time.Minute
	// tapFlushSize is the most octets written before a flush.
	tapFlushSize = 64 << 10
)

// TapConfig configures a Server's dnstap query log (Config.Tap): each
// answered query is sent to a collector as an AUTH_QUERY and an
// AUTH_RESPONSE message over Frame Streams. Logging never delays an answer:
// queries are queued for a writer goroutine and dropped (and counted in
// Stats) when the queue is full or no collector is connected.
type TapConfig struct {
	// Network is "unix" or "tcp". Default "": no query log.
	Network string

	// Address is the collector's socket path (unix) or host:port (tcp).
	Address string

	// Identity is the identity field of every message (the server's
	// name). Default "": none.
	Identity string

	// Version is the version field of every message. Default "gslb " and
	// the module version.
	Version string

	// Buffer is the number of queries queued for the collector; beyond it
	// new ones are dropped. Default DefaultTapBuffer.
	Buffer int

	// FlushTimeout bounds the delivery of the queued messages when the
	// server stops. Default DefaultTapFlushTimeout.
	FlushTimeout time.Duration

	// MinBackoff and MaxBackoff bound the wait between two connection
	// attempts, which doubles from MinBackoff to MaxBackoff while the
	// collector cannot be reached. Defaults DefaultTapMinBackoff and
	// DefaultTapMaxBackoff.
	MinBackoff, MaxBackoff time.Duration
}

// withDefaults returns c with every zero field set to its default.
func (c TapConfig) withDefaults() TapConfig {
	if c.Version == "" {
		c.Version = "gslb"
		if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
			c.Version += " " + bi.Main.Version
		}
	}
	if c.Buffer <= 0 {
		c.Buffer = DefaultTapBuffer
	}
	if c.FlushTimeout <= 0 {
		c.FlushTimeout = DefaultTapFlushTimeout
	}
	if c.MinBackoff <= 0 {
		c.MinBackoff = DefaultTapMinBackoff
	}
	if c.MaxBackoff <= 0 {
		c.MaxBackoff = DefaultTapMaxBackoff
	}
	c.MaxBackoff = max(c.MaxBackoff, c.MinBackoff)
	return c
}

// tap is the dnstap query log: the queue the serving goroutines hand
// answered queries to, and the writer goroutine that owns the collector's
// connection. Stats count its messages: sent once flushed to the
// connection, dropped when refused by a full queue or while no collector
// is connected, lost with a connection, or left when the server stopped.
type tap struct {
	cfg   TapConfig
	log   *slog.Logger
	stats *counters

	queue     chan *tapEntry
	entries   sync.Pool    // *tapEntry
	queued    atomic.Int64 // octets of the entries in queue
	connected atomic.Bool  // a collector takes messages: add queues them

	ctx    context.Context // cancelled by close: the writer flushes and returns
	cancel context.CancelFunc
	start  sync.Once
	done   chan struct{} // closed when the writer returns
}

// tapEntry is one answered query on its way to the collector.
type tapEntry struct {
	tcp            bool
	client, server netip.AddrPort
	qtime, rtime   time.Time
	msgs           []byte // the query then the response
	qlen           int    // the query's length
}

func newTap(cfg TapConfig, log *slog.Logger, stats *counters) *tap {
	cfg = cfg.withDefaults()
	ctx, cancel := context.WithCancel(context.Background())
	t := &tap{
		cfg:    cfg,
		log:    log.With("collector", cfg.Network+":"+cfg.Address),
		stats:  stats,
		queue:  make(chan *tapEntry, cfg.Buffer),
		ctx:    ctx,
		cancel: cancel,
		done:   make(chan struct{}),
	}
	t.entries.New = func() any { return new(tapEntry) }
	return t
}

// add hands an answered query to the writer: the query msg from client to
// server at qtime, answered reply at rtime. It copies both messages and
// never blocks: when no collector is connected or the queue is full, the
// query is dropped and counted.
func (t *tap) add(tcp bool, client, server netip.AddrPort, qtime, rtime time.Time, msg, reply []byte) {
	size := len(msg) + len(reply)
	if !t.connected.Load() || t.queued.Load()+int64(size) > tapMaxQueued {
		t.stats.tapDropped.Add(2)
		return
	}
	e := t.entries.Get().(*tapEntry)
	e.tcp, e.client, e.server, e.qtime, e.rtime = tcp, client, server, qtime, rtime
	e.msgs = append(append(e.msgs[:0], msg...), reply...)
	e.qlen = len(msg)
	t.queued.Add(int64(size))
	select {
	case t.queue <- e:
	default:
		t.queued.Add(-int64(size))
		t.stats.tapDropped.Add(2)
		t.entries.Put(e)
	}
}

// take returns a queued entry's memory to the pool.
func (t *tap) take(e *tapEntry) {
	t.queued.Add(-int64(len(e.msgs)))
	if cap(e.msgs) > 4<<10 {
		e.msgs = nil // keep large TCP answers out of the pool
	}
	t.entries.Put(e)
}

// run starts the writer goroutine; close stops it.
func (t *tap) run() {
	t.start.Do(func() { go t.write() })
}

// close stops the writer: the queued messages are delivered to a
// connected collector within FlushTimeout, the others counted dropped. It
// returns when the writer has.
func (t *tap) close() {
	t.cancel()
	t.start.Do(func() { close(t.done) }) // never started
	<-t.done
}

// write is the writer goroutine: it connects to the collector, sends what
// is queued, and reconnects with exponential backoff when the connection
// fails or is refused.
func (t *tap) write() {
	defer close(t.done)
	var logs tapLimiter
	backoff := t.cfg.MinBackoff
	for {
		conn, err := t.dial()
		if err != nil {
			if t.ctx.Err() != nil {
				break
			}
			logs.log(t.log, slog.LevelWarn, "dnstap collector unreachable; queries are not logged", "error", err, "retry_in", backoff)
			select {
			case <-t.ctx.Done():
			case <-time.After(backoff):
			}
			backoff = min(2*backoff, t.cfg.MaxBackoff)
			continue
		}
		t.log.Info("dnstap collector connected")
		began := time.Now()
		err = t.session(conn)
		if t.ctx.Err() != nil {
			if err != nil {
				t.log.Warn("dnstap: closing the stream failed at shutdown", "error", err)
			}
			break
		}
		if time.Since(began) > t.cfg.MaxBackoff {
			backoff = t.cfg.MinBackoff // a connection that lasted: start over
		}
		logs.log(t.log, slog.LevelWarn, "dnstap collector connection lost; queries are not logged", "error", err, "retry_in", backoff)
		select {
		case <-t.ctx.Done():
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, t.cfg.MaxBackoff)
	}
	t.discard()
}

// discard drops what is left in the queue.
func (t *tap) discard() {
	for {
		select {
		case e := <-t.queue:
			t.stats.tapDropped.Add(2)
			t.take(e)
		default:
			return
		}
	}
}

// dial connects to the collector and opens a bidirectional Frame Streams
// session for dnstap (READY, ACCEPT, START).
func (t *tap) dial() (*tapConn, error) {
	d := net.Dialer{Timeout: tapIOTimeout}
	c, err := d.DialContext(t.ctx, t.cfg.Network, t.cfg.Address)
	if err != nil {
		return nil, err
	}
	stop := context.AfterFunc(t.ctx, func() { c.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	c.SetDeadline(time.Now().Add(tapIOTimeout))
	ready := framestream.ControlFrame{ControlType: framestream.CONTROL_READY, ContentTypes: [][]byte{dnstap.FSContentType}}
	if err := ready.Encode(c); err != nil {
		c.Close()
		return nil, fmt.Errorf("frame streams handshake: %w", err)
	}
	var accept framestream.ControlFrame
	if err := accept.DecodeTypeEscape(c, framestream.CONTROL_ACCEPT); err != nil {
		c.Close()
		return nil, fmt.Errorf("frame streams handshake: %w", err)
	}
	if !accept.MatchContentType(dnstap.FSContentType) {
		c.Close()
		return nil, fmt.Errorf("frame streams handshake: the collector does not accept %s", dnstap.FSContentType)
	}
	start := framestream.ControlFrame{ControlType: framestream.CONTROL_START, ContentTypes: [][]byte{dnstap.FSContentType}}
	if err := start.Encode(c); err != nil {
		c.Close()
		return nil, fmt.Errorf("frame streams handshake: %w", err)
	}
	c.SetDeadline(time.Time{})
	return &tapConn{Conn: c}, nil
}

// tapConn is the collector's connection. Its write deadline moves with
// each flush until the server stops, when one final deadline bounds what
// is left to send.
type tapConn struct {
	net.Conn
	mu    sync.Mutex
	final bool
}

// extend sets the write deadline of the next flush, unless the final one
// is set.
func (c *tapConn) extend() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.final {
		c.SetWriteDeadline(time.Now().Add(tapIOTimeout))
	}
}

// finish sets the final deadline of every read and write.
func (c *tapConn) finish(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.final {
		c.final = true
		c.SetDeadline(time.Now().Add(d))
	}
}

// session sends the queue's entries over c until the connection fails or
// the server stops; then it sends the rest within FlushTimeout, stops the
// stream (STOP, then FINISH from the collector) and returns. c is closed
// when it returns.
func (t *tap) session(c *tapConn) error {
	defer c.Close()
	stop := context.AfterFunc(t.ctx, func() { c.finish(t.cfg.FlushTimeout) })
	defer stop()
	// The collector sends nothing until FINISH, the answer to STOP: a
	// read that ends earlier means it is gone.
	gone := make(chan error, 1)
	go func() {
		var f framestream.ControlFrame
		gone <- f.DecodeTypeEscape(c, framestream.CONTROL_FINISH)
	}()
	t.connected.Store(true)
	defer t.connected.Store(false)

	enc := newTapEncoder(t.cfg)
	w := bufio.NewWriterSize(c, tapFlushSize)
	pending := 0 // messages in w
	flush := func() error {
		c.extend()
		err := w.Flush()
		if err != nil {
			t.stats.tapDropped.Add(uint64(pending))
		} else {
			t.stats.tapSent.Add(uint64(pending))
		}
		pending = 0
		return err
	}
	write := func(e *tapEntry) error {
		defer t.take(e)
		for _, f := range enc.frames(e) {
			if w.Available() < len(f) && w.Buffered() > 0 {
				if err := flush(); err != nil {
					t.stats.tapDropped.Add(2) // e is lost too
					return err
				}
			}
			w.Write(f) // an error shows at the next flush
		}
		pending += 2
		return nil
	}
	// drain writes what is queued, then flushes once.
	drain := func() error {
		var err error
		for more := true; more && err == nil; {
			select {
			case e := <-t.queue:
				err = write(e)
			default:
				more = false
			}
		}
		if err == nil {
			err = flush()
		}
		return err
	}
	for {
		select {
		case e := <-t.queue:
			err := write(e)
			if err == nil {
				err = drain() // what else is queued, then one flush
			}
			if err != nil {
				return err
			}
		case err := <-gone:
			if err == nil {
				err = errors.New("FINISH before STOP")
			}
			return err
		case <-t.ctx.Done():
			t.connected.Store(false)
			c.finish(t.cfg.FlushTimeout)
			err := drain()
			if err == nil {
				err = framestream.ControlStop.Encode(c)
			}
			if err != nil {
				return err
			}
			return <-gone // FINISH, or the deadline
		}
	}
}

// tapEncoder turns entries into Frame Streams data frames of dnstap
// messages, reusing its memory from one entry to the next.
type tapEncoder struct {
	dt       dnstap.Dnstap
	msg      dnstap.Message
	typ      dnstap.Dnstap_Type
	mtype    dnstap.Message_Type
	family   dnstap.SocketFamily
	proto    dnstap.SocketProtocol
	cport    uint32
	sport    uint32
	qsec     uint64
	qnsec    uint32
	rsec     uint64
	rnsec    uint32
	caddr    [16]byte
	saddr    [16]byte
	buf      []byte
	out      [2][]byte
	marshal  proto.MarshalOptions
	identity []byte
	version  []byte
}

func newTapEncoder(cfg TapConfig) *tapEncoder {
	e := &tapEncoder{typ: dnstap.Dnstap_MESSAGE}
	if cfg.Identity != "" {
		e.identity = []byte(cfg.Identity)
	}
	e.version = []byte(cfg.Version)
	return e
}

// frames returns the AUTH_QUERY and AUTH_RESPONSE frames of x (length
// prefixed), valid until the next call.
func (e *tapEncoder) frames(x *tapEntry) [2][]byte {
	client, server := x.client.Addr().Unmap(), x.server.Addr().Unmap()
	e.family = dnstap.SocketFamily_INET6
	if client.Is4() {
		e.family = dnstap.SocketFamily_INET
	}
	if server.Is4() != client.Is4() {
		// A wildcard socket of the other family: its address says no
		// more than the unspecified address of the client's family.
		server = netip.IPv6Unspecified()
		if client.Is4() {
			server = netip.IPv4Unspecified()
		}
	}
	e.proto = dnstap.SocketProtocol_UDP
	if x.tcp {
		e.proto = dnstap.SocketProtocol_TCP
	}
	e.cport, e.sport = uint32(x.client.Port()), uint32(x.server.Port())
	e.qsec, e.qnsec = uint64(x.qtime.Unix()), uint32(x.qtime.Nanosecond())
	e.rsec, e.rnsec = uint64(x.rtime.Unix()), uint32(x.rtime.Nanosecond())
	m := &e.msg
	*m = dnstap.Message{
		Type:            &e.mtype,
		SocketFamily:    &e.family,
		SocketProtocol:  &e.proto,
		QueryAddress:    appendIP(e.caddr[:0], client),
		ResponseAddress: appendIP(e.saddr[:0], server),
		QueryPort:       &e.cport,
		ResponsePort:    &e.sport,
		QueryTimeSec:    &e.qsec,
		QueryTimeNsec:   &e.qnsec,
	}
	e.dt = dnstap.Dnstap{Identity: e.identity, Version: e.version, Type: &e.typ, Message: m}

	e.buf = e.buf[:0]
	e.mtype = dnstap.Message_AUTH_QUERY
	m.QueryMessage = x.msgs[:x.qlen]
	q := e.frame()
	e.mtype = dnstap.Message_AUTH_RESPONSE
	m.QueryMessage = nil
	m.ResponseTimeSec, m.ResponseTimeNsec = &e.rsec, &e.rnsec
	m.ResponseMessage = x.msgs[x.qlen:]
	r := e.frame()
	e.out[0], e.out[1] = e.buf[q:r], e.buf[r:]
	return e.out
}

// appendIP appends the 4 or 16 octets of a.
func appendIP(dst []byte, a netip.Addr) []byte {
	if a.Is4() {
		b := a.As4()
		return append(dst, b[:]...)
	}
	b := a.As16()
	return append(dst, b[:]...)
}

// frame appends the current message as a data frame to e.buf and returns
// where it starts.
func (e *tapEncoder) frame() int {
	at := len(e.buf)
	e.buf = append(e.buf, 0, 0, 0, 0)
	var err error
	e.buf, err = e.marshal.MarshalAppend(e.buf, &e.dt)
	if err != nil {
		panic(err) // every required field is set: cannot happen
	}
	binary.BigEndian.PutUint32(e.buf[at:], uint32(len(e.buf)-at-4))
	return at
}

// tapLimiter rate-limits the log lines about the collector's connection:
// one line per tapLogEvery, saying how many were held back.
type tapLimiter struct {
	last time.Time
	held int
}

func (l *tapLimiter) log(log *slog.Logger, level slog.Level, msg string, args ...any) {
	if !l.last.IsZero() && time.Since(l.last) < tapLogEvery {
		l.held++
		return
	}
	if l.held > 0 {
		args = append(args, "held_back", l.held)
	}
	l.last, l.held = time.Now(), 0
	log.Log(context.Background(), level, msg, args...)
}
