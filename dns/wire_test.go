package dns

import (
	"math/rand/v2"
	"net/netip"
	"strings"
	"testing"

	mdns "github.com/miekg/dns"
)

// TestPresentation checks that names are written exactly as miekg/dns
// writes them, since zones keys its names in miekg's presentation format.
func TestPresentation(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []byte("aZ09-_.\\ ()@;\"'*\x00\x7f\xff\x20\x7e")
	for i := range 5000 {
		var wire []byte
		for range rng.IntN(6) {
			n := 1 + rng.IntN(12)
			wire = append(wire, byte(n))
			for range n {
				if rng.IntN(3) == 0 {
					wire = append(wire, byte(rng.IntN(256)))
				} else {
					wire = append(wire, alphabet[rng.IntN(len(alphabet))])
				}
			}
		}
		wire = append(wire, 0)
		want, _, err := mdns.UnpackDomainName(wire, 0)
		if err != nil {
			t.Fatalf("case %d: miekg: %v", i, err)
		}
		name, lower := presentation(wire)
		if name != want {
			t.Fatalf("presentation(%x) = %q, want %q", wire, name, want)
		}
		if lower != strings.ToLower(want) {
			t.Fatalf("presentation(%x) lower = %q, want %q", wire, lower, strings.ToLower(want))
		}
		// And back: packing the name gives the same octets.
		buf := make([]byte, 300)
		off, err := mdns.PackDomainName(name, buf, 0, nil, false)
		if err != nil || string(buf[:off]) != string(wire) {
			t.Fatalf("PackDomainName(%q) = %x, %v; want %x", name, buf[:off], err, wire)
		}
	}
}

func TestNameEnd(t *testing.T) {
	three := strings.Repeat("\x3f"+strings.Repeat("a", 63), 3)
	longest := three + "\x3d" + strings.Repeat("a", 61) + "\x00" // 255 octets
	tooLong := three + "\x3e" + strings.Repeat("a", 62) + "\x00" // 256 octets
	tests := []struct {
		name     string
		wire     string
		pointers bool
		end      int
		ok       bool
	}{
		{"root", "\x00", false, 1, true},
		{"simple", "\x03www\x07example\x03com\x00", false, 17, true},
		{"pointer refused", "\x03www\xc0\x0c", false, 0, false},
		{"pointer allowed", "\x03www\xc0\x0c", true, 6, true},
		{"truncated pointer", "\x03www\xc0", true, 0, false},
		{"truncated label", "\x03ww", false, 0, false},
		{"no root", "\x03www", false, 0, false},
		{"label type 0x40", "\x41a\x00", false, 0, false},
		{"label type 0x80", "\x81a\x00", false, 0, false},
		{"longest", longest, false, 255, true},
		{"too long", tooLong, false, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			end, ok := nameEnd([]byte(tt.wire), 0, tt.pointers)
			if ok != tt.ok || (tt.end != 0 && end != tt.end) {
				t.Errorf("nameEnd(%q) = %d, %t; want %d, %t", tt.wire, end, ok, tt.end, tt.ok)
			}
		})
	}
}

func TestParseECS(t *testing.T) {
	tests := []struct {
		name   string
		data   []byte
		ok     bool
		client string // with source 198.51.100.1
		ecs    bool
	}{
		{"v4 /24", []byte{0, 1, 24, 0, 203, 0, 113}, true, "203.0.113.0/24", true},
		{"v4 /32", []byte{0, 1, 32, 0, 203, 0, 113, 9}, true, "203.0.113.9/32", true},
		{"v4 /0", []byte{0, 1, 0, 0}, true, "198.51.100.1/32", false},
		{"v4 /1", []byte{0, 1, 1, 0, 0x80}, true, "128.0.0.0/1", true},
		{"v4 /1 extra bit", []byte{0, 1, 1, 0, 0xC0}, false, "", false},
		{"v6 /56", []byte{0, 2, 56, 0, 0x20, 0x01, 0x0d, 0xb8, 1, 2, 3}, true, "2001:db8:102:300::/56", true},
		{"v6 /128", append([]byte{0, 2, 128, 0}, netip.MustParseAddr("2001:db8::1").AsSlice()...), true, "2001:db8::1/128", true},
		{"family 0, dig +subnet=0", []byte{0, 0, 0, 0}, true, "198.51.100.1/32", false},
		{"family 0 with prefix", []byte{0, 0, 8, 0, 1}, false, "", false},
		{"family 3", []byte{0, 3, 0, 0}, false, "", false},
		{"v4 /33", []byte{0, 1, 33, 0, 1, 2, 3, 4, 5}, false, "", false},
		{"v6 /129", append([]byte{0, 2, 129, 0}, make([]byte, 17)...), false, "", false},
		{"too long", []byte{0, 1, 16, 0, 10, 0, 0}, false, "", false},
		{"too short", []byte{0, 1, 24, 0, 10, 0}, false, "", false},
		{"scope set", []byte{0, 1, 24, 24, 10, 0, 0}, false, "", false},
		{"short option", []byte{0, 1, 0}, false, "", false},
	}
	src := netip.MustParseAddr("198.51.100.1")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r request
			ok := r.parseECS(tt.data)
			if ok != tt.ok {
				t.Fatalf("parseECS(%x) = %t, want %t", tt.data, ok, tt.ok)
			}
			if !ok {
				return
			}
			r.ecs = true
			client, ecs := r.client(src)
			if client.String() != tt.client || ecs != tt.ecs {
				t.Errorf("client = %s, %t; want %s, %t", client, ecs, tt.client, tt.ecs)
			}
		})
	}
}

// TestClientMappedSource checks that an IPv4 client reaching a dual-stack
// socket is located by its IPv4 address.
func TestClientMappedSource(t *testing.T) {
	var r request
	got, _ := r.client(netip.MustParseAddr("::ffff:198.51.100.1"))
	if got.String() != "198.51.100.1/32" {
		t.Errorf("client = %s, want 198.51.100.1/32", got)
	}
}
