package tc

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/socktest"
	"github.com/nlkit/netlink/internal/uapi"
)

// A datagram that does not parse as netlink messages (a length past its
// end) is yielded as an error wrapping ErrMalformed, and the stream goes
// on to the next notification.
func TestWatchMalformedDatagramReview28(t *testing.T) {
	qdisc, err := os.ReadFile("testdata/kernel/001.bin")
	if err != nil {
		t.Fatal(err)
	}
	var o object
	if err := o.decode(qdisc, qdiscKinds); err != nil {
		t.Fatalf("seed 001.bin is not a qdisc: %v", err)
	}
	s := socktest.New(nil)
	nl, err := netlink.NewConn(0, s, &netlink.Config{PortID: 77})
	if err != nil {
		t.Fatal(err)
	}
	c := New(nl)
	defer c.Close()
	garbage := []byte{0xff, 0, 0, 0, 36, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2}
	good := netlink.AppendMessage(nil, netlink.Header{Type: uapi.RTM_NEWQDISC}, qdisc)
	s.Queue(netlink.Datagram{Data: garbage, Group: GroupTC, NSID: -1}, netlink.Datagram{Data: good, Group: GroupTC, NSID: -1})
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
		if err != nil || ev.Qdisc == nil {
			t.Fatalf("second: %+v, %v; want the qdisc", ev, err)
		}
		break
	}
	if n != 2 {
		t.Fatalf("Watch ended after %d yields, want 2", n)
	}
}
