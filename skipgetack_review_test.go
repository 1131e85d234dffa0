//go:build linux

package netlink_test

import (
	"context"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/nstest"
	"golang.org/x/sys/unix"
)

// rtnetlink_rcv_msg returns 0, with no reply, for a request whose payload
// is shorter than struct rtgenmsg (one byte): only an asked-for ACK
// answers it. With Config.SkipGetAck, Execute must still return for such
// a GET (as it does without: no messages, no error), not wait for an
// answer that never comes.
func TestSkipGetAckEmptyPayload(t *testing.T) {
	ns := nstest.New(t)
	for _, skip := range []bool{false, true} {
		c := xcDial(t, ns, netlink.Config{SkipGetAck: skip})
		for _, typ := range []netlink.HeaderType{unix.RTM_GETLINK, unix.RTM_GETROUTE, unix.RTM_GETNEIGH, unix.RTM_GETSTATS} {
			ctx, cancel := context.WithTimeout(context.Background(), skWait) // a guard against a hang
			msgs, err := c.Execute(ctx, netlink.Message{Header: netlink.Header{Type: typ}})
			cancel()
			if err != nil {
				t.Errorf("SkipGetAck %v: type %d with an empty payload: %d messages, %v", skip, typ, len(msgs), err)
			}
		}
	}
}
