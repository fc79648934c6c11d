// Package reuseport sets SO_REUSEPORT on sockets before they are bound,
// so that several sockets, of one process or of two (a gslb and the one
// that replaces it), can serve one address: the kernel spreads new UDP
// datagrams and TCP connections over them. Linux only; elsewhere Control
// refuses and Supported is false.
//
// Linux lets only sockets of the same effective user join one address
// this way, so an unrelated program cannot take a gslb's traffic.
package reuseport
