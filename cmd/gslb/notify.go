package main

import (
	"fmt"
	"log/slog"
	"net"
	"os"
	"time"
)

// notifier speaks the service manager's notify protocol (sd_notify(3)):
// each state change is one datagram, lines of KEY=VALUE, sent to the unix
// datagram socket named by NOTIFY_SOCKET. A name starting with '@' is an
// abstract socket; Go's net package maps the '@' to the leading NUL. The
// zero value (no socket) sends nothing.
//
// These few lines stand in for github.com/coreos/go-systemd/v22/daemon:
// the protocol is one datagram write, and MONOTONIC_USEC would still be
// gslb's to compute.
type notifier struct {
	socket string       // NOTIFY_SOCKET; "" sends nothing
	log    *slog.Logger // failures to send, at warn level
}

// ready tells the service manager that gslb answers queries, at start and
// at the end of a reload.
func (n notifier) ready() { n.send("READY=1") }

// readyAsMain tells the service manager that gslb answers queries and is
// its main process from now on: a server started by SIGUSR2 takes over
// from the one that started it (NotifyAccess=all lets it say so).
func (n notifier) readyAsMain() { n.send(fmt.Sprintf("MAINPID=%d\nREADY=1", os.Getpid())) }

// reloading tells the service manager that a reload starts. MONOTONIC_USEC
// is the time of the request on CLOCK_MONOTONIC, which systemd (253 and
// later) requires with Type=notify-reload.
func (n notifier) reloading() {
	msg := "RELOADING=1"
	if us, ok := monotonicUsec(); ok {
		msg += fmt.Sprintf("\nMONOTONIC_USEC=%d", us)
	}
	n.send(msg)
}

// stopping tells the service manager that gslb is shutting down.
func (n notifier) stopping() { n.send("STOPPING=1") }

func (n notifier) send(msg string) {
	if n.socket == "" {
		return
	}
	if err := n.write(msg); err != nil && n.log != nil {
		n.log.Warn("cannot notify the service manager", "socket", n.socket, "error", err)
	}
}

func (n notifier) write(msg string) error {
	conn, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: n.socket, Net: "unixgram"})
	if err != nil {
		return err
	}
	defer conn.Close()
	conn.SetWriteDeadline(time.Now().Add(time.Second)) // a datagram socket that is full must not hang a reload
	_, err = conn.Write([]byte(msg))
	return err
}
