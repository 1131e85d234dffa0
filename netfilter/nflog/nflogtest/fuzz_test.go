package nflogtest_test

import (
	"context"
	"testing"
	"time"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/netfilter"
	"github.com/nlkit/netlink/netfilter/nflog"
	"github.com/nlkit/netlink/netfilter/nflog/nflogtest"
)

// FuzzRequest sends the fake any log message: it answers each, with an
// ACK or an errno, and never panics or hangs.
func FuzzRequest(f *testing.F) {
	f.Add(uint8(1), []byte{0, 0, 0, 5, 5, 0, 1, 0, 1, 0, 0, 0})                         // bind group 5
	f.Add(uint8(1), []byte{0, 0, 0, 5, 10, 0, 2, 0, 0, 0, 0, 30, 2, 0, 0, 0})           // copy mode
	f.Add(uint8(1), []byte{0, 0, 0, 5, 6, 0, 6, 0, 0, 1, 0, 0, 5, 0, 1, 0, 3, 0, 0, 0}) // flags, then PF_BIND
	f.Add(uint8(1), []byte{0, 0, 0, 5, 5, 0, 2, 0, 5})                                  // a short mode
	f.Fuzz(func(t *testing.T, typ uint8, data []byte) {
		k := nflogtest.New()
		c, err := k.Dial(nil)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		req := netlink.Message{Header: netlink.Header{Type: netfilter.MessageType(netfilter.SubsysLog, typ)}, Data: data}
		if _, err := c.NL.Execute(ctx, req); ctx.Err() != nil {
			t.Fatalf("no answer: %v", err)
		}
		// Whatever the group became, logging to it does not fail but
		// for a group not bound.
		if _, err := k.Log(5, nflog.Packet{Family: 2, Payload: []byte{0x45, 0}, CT: []byte{1}}); err != nil && err != nflogtest.ErrNotBound {
			t.Fatal(err)
		}
	})
}
