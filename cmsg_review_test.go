//go:build linux

package netlink_test

import (
	"context"
	"testing"
	"time"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/nstest"
	"golang.org/x/sys/unix"
)

// A group joined while another goroutine already waits in ReceiveDatagram:
// the notification that read returns must say its group, as it does when
// the group was joined first. recv decides whether to ask for control
// messages before it waits in the poller, and the poller retries the same
// recvmsg, so a read that began before the join gets no NETLINK_PKTINFO.
func TestJoinGroupDuringReceive(t *testing.T) {
	for _, first := range []bool{true, false} {
		ns := nstest.New(t)
		c := xcDial(t, ns, netlink.Config{})
		if first {
			if err := c.JoinGroup(unix.RTNLGRP_LINK); err != nil {
				t.Fatal(err)
			}
		}
		type result struct {
			group uint32
			err   error
		}
		got := make(chan result, 1)
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), skWait)
			defer cancel()
			d, err := c.ReceiveDatagram(ctx)
			got <- result{d.Group, err}
		}()
		time.Sleep(200 * time.Millisecond) // let the read wait in the poller
		if !first {
			if err := c.JoinGroup(unix.RTNLGRP_LINK); err != nil {
				t.Fatal(err)
			}
		}
		ns.Run(t, "link", "set", "lo", "alias", "review")
		r := <-got
		if r.err != nil {
			t.Fatal(r.err)
		}
		if r.group != unix.RTNLGRP_LINK {
			t.Errorf("joined before the read %v: Datagram.Group = %d, want %d (RTNLGRP_LINK)", first, r.group, unix.RTNLGRP_LINK)
		}
	}
}
