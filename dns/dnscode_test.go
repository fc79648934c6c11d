package dns_test

import (
	"strings"
	"testing"

	mdns "github.com/miekg/dns"

	"github.com/gslb/gslb/internal/dnscode"
)

// TestDNSCodeAgreesWithMiekg holds the stdlib-only names of internal/dnscode
// to miekg/dns's, which the packages outside dns may not import.
func TestDNSCodeAgreesWithMiekg(t *testing.T) {
	for typ := range 1 << 16 {
		name := dnscode.TypeString(uint16(typ))
		if strings.HasPrefix(name, "TYPE") {
			continue // a type dnscode does not name
		}
		if want := mdns.TypeToString[uint16(typ)]; name != want {
			t.Errorf("dnscode.TypeString(%d) = %q, miekg/dns says %q", typ, name, want)
		}
	}
	for rc := dnscode.RcodeNoError; rc <= dnscode.RcodeNotZone; rc++ {
		if got, want := dnscode.RcodeString(rc), mdns.RcodeToString[rc]; got != want {
			t.Errorf("dnscode.RcodeString(%d) = %q, miekg/dns says %q", rc, got, want)
		}
	}
}
