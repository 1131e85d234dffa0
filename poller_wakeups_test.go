//go:build linux

package netlink_test

import (
	"errors"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/nstest"
)

// A Conn whose reads never wait keeps its socket out of the runtime
// poller, whose epoll set would wake a parked thread at every datagram: the
// kernel queues its answers to Execute before sendmsg returns, so Execute
// and Dump leave the socket with one descriptor. The first read that waits
// adds a second one, watched by the poller, and Close closes both.
func TestExchangesStayOutOfPoller(t *testing.T) {
	ns := nstest.New(t)
	c := xcDial(t, ns, netlink.Config{})
	rc, err := c.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var fd int
	rc.Control(func(f uintptr) { fd = int(f) })
	sock, err := os.Readlink(fmt.Sprintf("/proc/self/fd/%d", fd))
	if err != nil {
		t.Fatal(err)
	}
	descriptors := func() int {
		ents, err := os.ReadDir("/proc/self/fd")
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, e := range ents {
			if l, err := os.Readlink("/proc/self/fd/" + e.Name()); err == nil && l == sock {
				n++
			}
		}
		return n
	}
	for range 100 {
		if _, err := c.Execute(xcCtx(t), xcGetLink(1, 0)); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Execute(xcCtx(t), xcGetLink(1, netlink.Acknowledge)); err != nil {
			t.Fatal(err)
		}
	}
	for _, err := range c.Dump(xcCtx(t), xcLinkDump()) {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := descriptors(); n != 1 {
		t.Errorf("after Execute and Dump: %d descriptors of the socket, want 1", n)
	}
	c.SetReadDeadline(time.Now().Add(10 * time.Millisecond))
	if _, err := c.Receive(xcCtx(t)); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("Receive with nothing to read: %v, want a timeout", err)
	}
	if n := descriptors(); n != 2 {
		t.Errorf("after a read that waited: %d descriptors of the socket, want 2", n)
	}
	c.Close()
	if n := descriptors(); n != 0 {
		t.Errorf("after Close: %d descriptors of the socket, want 0", n)
	}
}
