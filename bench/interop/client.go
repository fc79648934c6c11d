package main

import (
	"encoding/binary"
	"errors"
	"io"
	"net"
	"os"
	"sync"
	"time"
)

// reply is what one server sent back to one query.
type reply struct {
	Wire []byte // nil: no reply within the timeout
	Err  string // transport error, if any (other than a timeout)
}

// exchange sends wire to addr over UDP or TCP (a fresh connection each
// time, so that a server closing the connection on a bad query affects
// only that query) and waits up to timeout for the reply with the same ID.
func exchange(addr string, wire []byte, tcp bool, timeout time.Duration) reply {
	deadline := time.Now().Add(timeout)
	id := binary.BigEndian.Uint16(wire)
	if !tcp {
		c, err := net.Dial("udp", addr)
		if err != nil {
			return reply{Err: err.Error()}
		}
		defer c.Close()
		c.SetDeadline(deadline)
		if _, err := c.Write(wire); err != nil {
			return reply{Err: err.Error()}
		}
		buf := make([]byte, 65536)
		for {
			n, err := c.Read(buf)
			if err != nil {
				return timeoutOr(err)
			}
			if n >= 2 && binary.BigEndian.Uint16(buf) == id {
				return reply{Wire: append([]byte(nil), buf[:n]...)}
			}
			if n < 2 {
				return reply{Wire: append([]byte(nil), buf[:n]...)}
			}
		}
	}
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return reply{Err: err.Error()}
	}
	defer c.Close()
	c.SetDeadline(deadline)
	msg := make([]byte, 2+len(wire))
	binary.BigEndian.PutUint16(msg, uint16(len(wire)))
	copy(msg[2:], wire)
	if _, err := c.Write(msg); err != nil {
		return reply{Err: err.Error()}
	}
	var l [2]byte
	if _, err := io.ReadFull(c, l[:]); err != nil {
		return timeoutOr(err)
	}
	buf := make([]byte, binary.BigEndian.Uint16(l[:]))
	if _, err := io.ReadFull(c, buf); err != nil {
		return reply{Err: "short TCP reply: " + err.Error()}
	}
	return reply{Wire: buf}
}

// timeoutOr maps a timeout or a closed connection to "no reply".
func timeoutOr(err error) reply {
	if errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) {
		return reply{}
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return reply{}
	}
	return reply{Err: err.Error()}
}

// runQueries sends every query to every server with a few workers and
// returns the replies, indexed [query][server].
func runQueries(qs []*query, srvs []*server, workers int, timeout time.Duration) [][]reply {
	out := make([][]reply, len(qs))
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				q := qs[i]
				out[i] = make([]reply, len(srvs))
				t := timeout
				if q.NoReply {
					t = timeout / 4
				}
				for j, s := range srvs {
					out[i][j] = exchange(s.addr, q.Wire, q.TCP, t)
				}
			}
		}()
	}
	for i := range qs {
		next <- i
	}
	close(next)
	wg.Wait()
	return out
}
