package nftables

import (
	"context"
	"errors"
	"github.com/nlkit/netlink/internal/uapi"
	"testing"
	"time"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/socktest"
)

// A datagram that does not parse as netlink messages (a length past its
// end) is yielded as an error wrapping ErrMalformed, and the stream goes
// on to the next notification.
func TestWatchMalformedDatagramReview28(t *testing.T) {
	s := socktest.New(nil)
	nl, err := netlink.NewConn(12, s, &netlink.Config{PortID: 77})
	if err != nil {
		t.Fatal(err)
	}
	c := NewConn(nl)
	defer c.Close()
	m, err := message(uapi.NFT_MSG_NEWTABLE, 0, &Table{Family: FamilyINet, Name: "t"}, opNew)
	if err != nil {
		t.Fatal(err)
	}
	garbage := []byte{0xff, 0, 0, 0, 36, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2}
	s.Queue(netlink.Datagram{Data: garbage, Group: GroupNFTables, NSID: -1},
		netlink.Datagram{Data: netlink.AppendMessage(nil, m.Header, m.Data), Group: GroupNFTables, NSID: -1})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	n := 0
	for ev, err := range c.Watch(ctx) {
		n++
		if n == 1 {
			if !errors.Is(err, netlink.ErrMalformed) {
				t.Fatalf("first: %v, want ErrMalformed", err)
			}
			continue
		}
		if tb, ok := ev.Object.(*Table); err != nil || !ok || tb.Name != "t" {
			t.Fatalf("second: %+v, %v; want table t", ev, err)
		}
		break
	}
	if n != 2 {
		t.Fatalf("Watch ended after %d yields, want 2", n)
	}
}
