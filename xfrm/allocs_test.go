package xfrm

import (
	"testing"

	"github.com/nlkit/netlink"
)

// TestParseStateAllocs: decoding a listed SA allocates what the State
// keeps and nothing per attribute besides: for an ESP SA with an
// encryption and an authentication algorithm, each algorithm's struct,
// name and key (6), and for the ESN SA its ReplayESN besides.
func TestParseStateAllocs(t *testing.T) {
	for _, tt := range []struct {
		name string
		want float64
	}{
		{"esp-cbc-hmac", 6},
		{"esp-esn", 7},
		{"comp", 2}, // the Algorithm and its name; no key
	} {
		s := ipStates[tt.name]
		b, err := s.Append(nil)
		if err != nil {
			t.Fatal(err)
		}
		m := netlink.Message{Header: netlink.Header{Type: msgNewSA}, Data: b}
		got := testing.AllocsPerRun(100, func() {
			if _, err := ParseState(m); err != nil {
				t.Fatal(err)
			}
		})
		if got != tt.want {
			t.Errorf("%s: %v allocations per state, want %v", tt.name, got, tt.want)
		}
	}
}
