//go:build linux

package conntrack_test

import (
	"testing"

	"github.com/nlkit/netlink/netfilter/conntrack"
)

// raceEnabled is set by race_test.go when built with -race.
var raceEnabled bool

// TestFlowsAllocationsDoNotGrow lists 1,000 entries and then 5,000: the
// allocations of a listing do not grow with the entries listed (the
// request, the iterator, nothing per entry).
func TestFlowsAllocationsDoNotGrow(t *testing.T) {
	if raceEnabled {
		t.Skip("under the race detector sync.Pool drops items at random, and allocations follow")
	}
	ns := plainNS(t)
	c := dialCT(t, ns)
	ctx := testCtx(t)
	list := func() (n int) {
		for _, err := range c.Flows(ctx, conntrack.Filter{}) {
			if err != nil {
				t.Fatal(err)
			}
			n++
		}
		return n
	}
	createBurst(t, c, 1000)
	list() // warm the Conn's buffers
	var n1, n2 int
	a1 := testing.AllocsPerRun(5, func() { n1 = list() })
	createBurst2(t, c, 4000)
	a2 := testing.AllocsPerRun(5, func() { n2 = list() })
	t.Logf("%d entries: %.0f allocations; %d entries: %.0f", n1, a1, n2, a2)
	if n1 != 1000 || n2 != 5000 {
		t.Fatalf("listed %d and %d entries", n1, n2)
	}
	if a2 > a1+2 {
		t.Errorf("listing %d entries allocates %.0f times, %d entries %.0f: allocations grow with the table", n1, a1, n2, a2)
	}
}
