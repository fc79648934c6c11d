package pick

import (
	"net/netip"
	"testing"
)

// TestHashesAreStable pins the sticky hashes: a change would move every
// sticky client at the next upgrade, and nodes of different versions would
// disagree.
func TestHashesAreStable(t *testing.T) {
	h := subnetHash(netip.MustParsePrefix("192.0.2.0/24"))
	got := []uint64{h, saltString(h, "ams"), saltAddr(h, netip.MustParseAddr("192.0.2.10"))}
	want := []uint64{0x4160d97d26ecec3, 0xb87ac793eb1869cc, 0x1b12ff657a305b99}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("hash %d = %#x, want %#x", i, got[i], want[i])
		}
	}
	if a, b := saltString(h, "ams"), saltString(h, "iad"); a == b {
		t.Errorf("saltString: ams and iad hash alike: %x", a)
	}
}
