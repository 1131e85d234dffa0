package nfqueuetest_test

import (
	"context"
	"testing"
	"time"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/netfilter"
	"github.com/nlkit/netlink/netfilter/nfqueue"
	"github.com/nlkit/netlink/netfilter/nfqueue/nfqueuetest"
)

// FuzzRequest sends the fake any queue message: it answers each, with an
// ACK or an errno, and never panics or hangs.
func FuzzRequest(f *testing.F) {
	f.Add(uint8(2), []byte{0, 0, 0, 3, 8, 0, 1, 0, 1, 0, 0, 0})                       // bind queue 3
	f.Add(uint8(2), []byte{0, 0, 0, 3, 9, 0, 2, 0, 0, 0, 0xff, 0xff, 2, 0, 0, 0})     // copy mode
	f.Add(uint8(1), []byte{0, 0, 0, 3, 12, 0, 2, 0, 0, 0, 0, 1, 0, 0, 0, 1})          // verdict
	f.Add(uint8(3), []byte{0, 0, 0, 3, 12, 0, 2, 0, 0, 0, 0, 1, 0, 0, 0, 9, 4, 0, 3}) // batch, short mark
	f.Fuzz(func(t *testing.T, typ uint8, data []byte) {
		k := nfqueuetest.New()
		c, err := k.Dial(nil)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		// A queue bound, holding a packet, for the verdicts to find.
		if err := c.Bind(ctx, 3, nfqueue.Config{Mode: nfqueue.CopyPacket}); err != nil {
			t.Fatal(err)
		}
		if _, err := k.Queue(3, nfqueue.Packet{Family: 2, Payload: []byte{0x45}}); err != nil {
			t.Fatal(err)
		}
		req := netlink.Message{Header: netlink.Header{Type: netfilter.MessageType(netfilter.SubsysQueue, typ)}, Data: data}
		if _, err := c.NL.Execute(ctx, req); ctx.Err() != nil {
			t.Fatalf("no answer: %v", err)
		}
	})
}
