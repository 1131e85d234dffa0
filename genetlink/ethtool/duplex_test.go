package ethtool

import "testing"

// TestDuplexString: the modes print as ethtool prints them, an unknown
// one with its number ("Unknown! (255)" for an ifb device).
func TestDuplexString(t *testing.T) {
	for d, want := range map[Duplex]string{DuplexHalf: "Half", DuplexFull: "Full", DuplexUnknown: "Unknown! (255)", 7: "Unknown! (7)"} {
		if got := d.String(); got != want {
			t.Errorf("Duplex(%d).String() = %q, want %q", uint8(d), got, want)
		}
	}
}
