package main

import (
	"flag"
	"fmt"
	"net"
)

// freeportCmd prints -n distinct loopback ports that are free for both UDP
// and TCP on 127.0.0.1 at the time of the call.
func freeportCmd(args []string) error {
	fs := flag.NewFlagSet("freeport", flag.ExitOnError)
	n := fs.Int("n", 1, "ports to find")
	fs.Parse(args)
	ports, err := freePorts(*n)
	if err != nil {
		return err
	}
	for _, p := range ports {
		fmt.Println(p)
	}
	return nil
}

// freePorts returns n distinct ports free for both UDP and TCP on
// 127.0.0.1 at the time of the call.
func freePorts(n int) ([]int, error) {
	var held []net.Listener
	defer func() {
		for _, l := range held {
			l.Close()
		}
	}()
	var ports []int
	for tries := 0; len(held) < n; tries++ {
		if tries > 100 {
			return nil, fmt.Errorf("no free port pair after %d tries", tries)
		}
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		port := l.Addr().(*net.TCPAddr).Port
		u, err := net.ListenPacket("udp", fmt.Sprintf("127.0.0.1:%d", port))
		if err != nil {
			l.Close()
			continue
		}
		u.Close()
		held = append(held, l) // held until all are found, so they differ
		ports = append(ports, port)
	}
	return ports, nil
}
