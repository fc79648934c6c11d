package dns

import "time"

// Limits are the settings a serving Server can change without restarting
// (SetLimits): the size of UDP answers, the NSID and version, and the TCP
// limits. They
// mean what the Config fields of the same names mean, and zero fields take
// the same defaults.
type Limits struct {
	MaxUDPSize     int
	NSID           string
	Version        string
	TCPIdleTimeout time.Duration
	ReadTimeout    time.Duration
	WriteTimeout   time.Duration
	MaxTCPConns    int
	MaxTCPQueries  int

	MaxTCPConnsPerPrefix int
	TCPIPv4Prefix        int
	TCPIPv6Prefix        int
	TCPFirstQueryTimeout time.Duration
}

// limits are Limits as the query path reads them, published whole through
// an atomic pointer: one load per query or connection.
type limits struct {
	maxUDP                     int
	nsid                       []byte
	version                    string
	tcpIdle, readTO, writeTO   time.Duration
	maxTCPConns, maxTCPQueries int
	maxTCPPerPrefix            int
	tcpPrefix4, tcpPrefix6     int
	firstTO                    time.Duration
}

// limitsOf returns the limits of c, whose zero fields have their defaults.
func limitsOf(c *Config) *limits {
	l := &limits{
		maxUDP:        c.MaxUDPSize,
		version:       c.Version,
		tcpIdle:       c.TCPIdleTimeout,
		readTO:        c.ReadTimeout,
		writeTO:       c.WriteTimeout,
		maxTCPConns:   c.MaxTCPConns,
		maxTCPQueries: c.MaxTCPQueries,

		maxTCPPerPrefix: c.MaxTCPConnsPerPrefix,
		tcpPrefix4:      c.TCPIPv4Prefix,
		tcpPrefix6:      c.TCPIPv6Prefix,
		firstTO:         c.TCPFirstQueryTimeout,
	}
	if c.NSID != "" {
		l.nsid = []byte(c.NSID)
	}
	return l
}

// SetLimits applies new limits to a Server, serving or not: queries and
// TCP connections read them from then on (a TCP connection already open
// keeps waiting under the deadline it has). Zero fields take their
// defaults.
func (s *Server) SetLimits(l Limits) {
	c := s.cfg
	c.MaxUDPSize, c.NSID, c.Version = l.MaxUDPSize, l.NSID, l.Version
	c.TCPIdleTimeout, c.ReadTimeout, c.WriteTimeout = l.TCPIdleTimeout, l.ReadTimeout, l.WriteTimeout
	c.MaxTCPConns, c.MaxTCPQueries = l.MaxTCPConns, l.MaxTCPQueries
	c.MaxTCPConnsPerPrefix, c.TCPFirstQueryTimeout = l.MaxTCPConnsPerPrefix, l.TCPFirstQueryTimeout
	c.TCPIPv4Prefix, c.TCPIPv6Prefix = l.TCPIPv4Prefix, l.TCPIPv6Prefix
	c.Logger = nil // withDefaults would wrap it again
	c = c.withDefaults()
	s.h.limits.Store(limitsOf(&c))
}
