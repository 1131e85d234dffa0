package conntracktest_test

import (
	"context"
	"fmt"
	"net/netip"

	"github.com/nlkit/netlink/netfilter/conntrack"
	"github.com/nlkit/netlink/netfilter/conntrack/conntracktest"
)

// dropBackend is the code under test: it deletes the entries whose reply
// comes from backend.
func dropBackend(ctx context.Context, c *conntrack.Conn, backend netip.Addr) error {
	return c.DeleteMatching(ctx, conntrack.Filter{
		Family: 2,
		Reply:  conntrack.TupleFilter{Tuple: conntrack.Tuple{Src: backend}, Match: conntrack.MatchSrc},
	})
}

// Test code that deletes conntrack entries, without root and on any OS.
func ExampleNew() {
	k := conntracktest.New()
	client := netip.MustParseAddr("198.18.0.1")
	for _, backend := range []string{"198.18.0.20", "198.18.0.21"} {
		b := netip.MustParseAddr(backend)
		k.Add(conntrack.Flow{
			Orig:    conntrack.Tuple{Src: client, Dst: netip.MustParseAddr("198.18.0.10"), Proto: 6, SrcPort: 40000, DstPort: 80},
			Reply:   conntrack.Tuple{Src: b, Dst: client, Proto: 6, SrcPort: 80, DstPort: 40000},
			Timeout: 300,
			Zone:    uint16(b.As4()[3]), // two entries of the same original tuple, in two zones
		})
	}
	c, _ := k.Dial(nil)
	defer c.Close()

	err := dropBackend(context.Background(), c, netip.MustParseAddr("198.18.0.20"))
	fmt.Println(err)
	for _, f := range k.Flows() {
		fmt.Println(f.Reply.Src)
	}
	// Output:
	// <nil>
	// 198.18.0.21
}
