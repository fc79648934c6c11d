package probe

import (
	"errors"
	"syscall"
)

// localErrnos are the system errors that come from this host running out
// of something, whatever the target: descriptors, buffers, memory, local
// addresses or ports.
var localErrnos = []syscall.Errno{
	syscall.EMFILE,        // this process is out of file descriptors
	syscall.ENFILE,        // the system is out of file descriptors
	syscall.ENOBUFS,       // out of socket buffers
	syscall.ENOMEM,        // out of kernel memory
	syscall.EADDRNOTAVAIL, // the source address is not (or no longer) this host's, or no ephemeral port is left
	syscall.EADDRINUSE,    // binding the source address: no ephemeral port is left
}

// IsLocal reports whether err is a failure of this host rather than of
// the probed target: it wraps ErrLocal, or one of the system errors
// ErrLocal describes. The monitor takes such a probe as no result.
func IsLocal(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, ErrLocal) {
		return true
	}
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		return false
	}
	for _, e := range localErrnos {
		if errno == e {
			return true
		}
	}
	return false
}
