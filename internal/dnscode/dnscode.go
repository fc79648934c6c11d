// Package dnscode names DNS RR types and response codes: mnemonic to number
// and back, for the packages that must not import miekg/dns (only the dns
// package may). It knows the types gslb uses anywhere, and writes and reads
// every other type in the RFC 3597 form TYPEnnn; rcodes it knows by their
// RFC 1035 and RFC 2136 mnemonics. It imports nothing but the standard
// library.
package dnscode

import (
	"strconv"
	"strings"
)

// RR types (IANA "Resource Record (RR) TYPEs").
const (
	TypeA      uint16 = 1
	TypeNS     uint16 = 2
	TypeCNAME  uint16 = 5
	TypeSOA    uint16 = 6
	TypePTR    uint16 = 12
	TypeMX     uint16 = 15
	TypeTXT    uint16 = 16
	TypeAAAA   uint16 = 28
	TypeSRV    uint16 = 33
	TypeDNAME  uint16 = 39
	TypeDS     uint16 = 43
	TypeRRSIG  uint16 = 46
	TypeNSEC   uint16 = 47
	TypeDNSKEY uint16 = 48
	TypeSVCB   uint16 = 64
	TypeHTTPS  uint16 = 65
	TypeANY    uint16 = 255
	TypeCAA    uint16 = 257
)

// Response codes (RFC 1035 4.1.1, RFC 2136 2.2): the 4-bit RCODE of the
// header.
const (
	RcodeNoError  = 0
	RcodeFormErr  = 1
	RcodeServFail = 2
	RcodeNXDomain = 3
	RcodeNotImp   = 4
	RcodeRefused  = 5
	RcodeYXDomain = 6
	RcodeYXRRSet  = 7
	RcodeNXRRSet  = 8
	RcodeNotAuth  = 9
	RcodeNotZone  = 10
)

// TypeString returns the mnemonic of an RR type, or "TYPEnnn" for a type
// this package does not name.
func TypeString(t uint16) string {
	switch t {
	case TypeA:
		return "A"
	case TypeNS:
		return "NS"
	case TypeCNAME:
		return "CNAME"
	case TypeSOA:
		return "SOA"
	case TypePTR:
		return "PTR"
	case TypeMX:
		return "MX"
	case TypeTXT:
		return "TXT"
	case TypeAAAA:
		return "AAAA"
	case TypeSRV:
		return "SRV"
	case TypeDNAME:
		return "DNAME"
	case TypeDS:
		return "DS"
	case TypeRRSIG:
		return "RRSIG"
	case TypeNSEC:
		return "NSEC"
	case TypeDNSKEY:
		return "DNSKEY"
	case TypeSVCB:
		return "SVCB"
	case TypeHTTPS:
		return "HTTPS"
	case TypeANY:
		return "ANY"
	case TypeCAA:
		return "CAA"
	}
	return "TYPE" + strconv.Itoa(int(t))
}

// maxNamedType bounds the types TypeString names, for ParseType's search.
const maxNamedType = TypeCAA

// ParseType returns the number of an RR type written as a mnemonic that
// TypeString gives or as TYPEnnn, in any case and with surrounding space.
func ParseType(s string) (uint16, bool) {
	s = strings.ToUpper(strings.TrimSpace(s))
	if rest, ok := strings.CutPrefix(s, "TYPE"); ok {
		n, err := strconv.ParseUint(rest, 10, 16)
		return uint16(n), err == nil
	}
	for t := uint16(1); t <= maxNamedType; t++ {
		if TypeString(t) == s {
			return t, true
		}
	}
	return 0, false
}

// RcodeString returns the mnemonic of an rcode, or "RCODEn" for one this
// package does not name.
func RcodeString(rcode int) string {
	switch rcode {
	case RcodeNoError:
		return "NOERROR"
	case RcodeFormErr:
		return "FORMERR"
	case RcodeServFail:
		return "SERVFAIL"
	case RcodeNXDomain:
		return "NXDOMAIN"
	case RcodeNotImp:
		return "NOTIMP"
	case RcodeRefused:
		return "REFUSED"
	case RcodeYXDomain:
		return "YXDOMAIN"
	case RcodeYXRRSet:
		return "YXRRSET"
	case RcodeNXRRSet:
		return "NXRRSET"
	case RcodeNotAuth:
		return "NOTAUTH"
	case RcodeNotZone:
		return "NOTZONE"
	}
	return "RCODE" + strconv.Itoa(rcode)
}

// ParseRcode returns the number of an rcode written as a mnemonic that
// RcodeString gives, in any case.
func ParseRcode(s string) (int, bool) {
	for rc := RcodeNoError; rc <= RcodeNotZone; rc++ {
		if strings.EqualFold(s, RcodeString(rc)) {
			return rc, true
		}
	}
	return 0, false
}
