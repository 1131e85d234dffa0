//go:build linux

package netlink_test

// The raw socket SyscallConn hands out keeps the syscall.RawConn contract:
// Read and Write wait for readiness, honour the Conn's deadlines, and the
// descriptor stays non-blocking. (From a review of a change that took the
// socket out of the runtime poller, which broke all three.)

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/nstest"
	"golang.org/x/sys/unix"
)

func prNoop(seq uint32) netlink.Message {
	return netlink.Message{Header: netlink.Header{Type: netlink.TypeMinType, Sequence: seq}, Data: make([]byte, 16)}
}

// syscall.RawConn.Read: "Otherwise Read blocks waiting for the
// connection to be ready for reading and tries again repeatedly." The raw
// socket SyscallConn hands out must wait for a datagram when f returns
// false.
func TestRawConnReadWaits(t *testing.T) {
	ns := nstest.New(t)
	a, b := skUserPair(t, ns, netlink.Config{})
	b.SetReadDeadline(time.Now().Add(xcTimeout)) // hang guard only
	rc, err := b.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4096)
	calls, got := 0, 0
	err = rc.Read(func(fd uintptr) bool {
		calls++
		n, _, err := unix.Recvfrom(int(fd), buf, unix.MSG_DONTWAIT)
		if err == unix.EAGAIN {
			if calls == 1 { // nothing queued yet: the peer sends now, then Read must wait
				if _, err := a.SendTo(xcCtx(t), prNoop(1), netlink.Addr{PortID: b.LocalAddr().PortID}); err != nil {
					t.Errorf("SendTo: %v", err)
				}
			}
			return false
		}
		got = n
		return true
	})
	if err != nil || got == 0 {
		t.Fatalf("RawConn.Read: %v after %d calls (%d bytes); want the peer's datagram", err, calls, got)
	}
}

// The raw socket's Read honours the Conn's read deadline.
func TestRawConnReadDeadline(t *testing.T) {
	ns := nstest.New(t)
	c := xcDial(t, ns, netlink.Config{})
	c.SetReadDeadline(time.Unix(1, 0))
	rc, err := c.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	called := false
	err = rc.Read(func(uintptr) bool { called = true; return true })
	if !errors.Is(err, os.ErrDeadlineExceeded) || called {
		t.Fatalf("RawConn.Read past the read deadline: %v, f called %v; want a timeout, f not called", err, called)
	}
}

// The raw socket's descriptor stays non-blocking (SOCK_NONBLOCK,
// as Dial made it), whether or not a read
// has waited: code on the raw descriptor (Control) that reads or sends
// without MSG_DONTWAIT must get EAGAIN, not block its thread where Close
// cannot wake it.
func TestRawConnNonBlocking(t *testing.T) {
	ns := nstest.New(t)
	c := xcDial(t, ns, netlink.Config{})
	rc, err := c.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	nonblock := func() bool {
		var fl int
		var ferr error
		rc.Control(func(fd uintptr) { fl, ferr = unix.FcntlInt(fd, unix.F_GETFL, 0) })
		if ferr != nil {
			t.Fatal(ferr)
		}
		return fl&unix.O_NONBLOCK != 0
	}
	if !nonblock() {
		t.Errorf("a fresh Conn's raw descriptor is blocking")
	}
	c.SetReadDeadline(time.Now().Add(time.Millisecond))
	if _, err := c.Receive(context.Background()); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("Receive: %v, want a timeout", err)
	}
	if !nonblock() {
		t.Errorf("after a read that waited, the raw descriptor is blocking")
	}
}
