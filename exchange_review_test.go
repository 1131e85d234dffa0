//go:build linux

package netlink_test

import (
	"context"
	"errors"
	"net/netip"
	"os"
	"testing"
	"time"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/nstest"
	"golang.org/x/sys/unix"
)

// Tests from a review of the exchange layer, each for a defect it found.

// rvFlood fills the receive queue of the Conn at port with small datagrams
// from a, until the kernel refuses more, and returns how many went.
func rvFlood(t *testing.T, a *netlink.Conn, port uint32) int {
	t.Helper()
	rc, err := a.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	b := netlink.AppendMessage(nil, netlink.Header{Type: netlink.TypeNoop, Sequence: 1}, nil)
	n := 0
	rc.Control(func(fd uintptr) {
		to := &unix.SockaddrNetlink{Family: unix.AF_NETLINK, Pid: port}
		for unix.Sendto(int(fd), b, unix.MSG_DONTWAIT, to) == nil {
			n++
		}
	})
	return n
}

var rvGet = netlink.Message{Header: netlink.Header{Type: unix.RTM_GETLINK}, Data: xcIfinfo(1)}

// rvMustAnswer fails unless an Execute on c returns (within xcTimeout,
// only a guard against a hang): were the queue left congested, the kernel
// would drop the reply and it would wait for ever.
func rvMustAnswer(t *testing.T, c *netlink.Conn) {
	t.Helper()
	ctx := xcCtx(t)
	if _, err := c.Execute(ctx, rvGet); err != nil {
		t.Fatalf("Execute: %v (stats %+v): it would wait for ever without a deadline", err, c.Stats())
	}
}

// The drain reads a queue of more than 65,536 datagrams to its end: a
// bound on the count left the socket congested.
func TestDrainReadsWholeQueue(t *testing.T) {
	ns := nstest.New(t)
	c := xcDial(t, ns, netlink.Config{ReadBuffer: 48 << 20})
	n := rvFlood(t, xcDial(t, ns, netlink.Config{}), c.LocalAddr().PortID)
	t.Logf("%d datagrams queued", n)
	if _, err := c.Execute(xcCtx(t), rvGet); !errors.Is(err, netlink.ErrOverrun) {
		t.Fatalf("first Execute: %v, want ErrOverrun", err)
	}
	rvMustAnswer(t, c)
}

// A read deadline that passes during the drain does not stop it. The
// deadline must pass after the first read, which finds ENOBUFS, and before
// the drain ends; a round whose deadline came before the Conn read anything
// (a slow or busy machine; Stats().Dropped counts the flood's datagrams as
// they are read) tested nothing: the queue is drained without a deadline
// and the round runs again with twice the time.
func TestDrainIgnoresReadDeadline(t *testing.T) {
	ns := nstest.New(t)
	c := xcDial(t, ns, netlink.Config{ReadBuffer: 16 << 20})
	flooder := xcDial(t, ns, netlink.Config{})
	for wait := 20 * time.Millisecond; wait < 10*time.Second; wait *= 2 {
		rvFlood(t, flooder, c.LocalAddr().PortID)
		read := c.Stats().Dropped
		deadline := time.Now().Add(wait)
		c.SetReadDeadline(deadline)
		_, err := c.Execute(context.Background(), rvGet)
		c.SetReadDeadline(time.Time{})
		read = c.Stats().Dropped - read
		if errors.Is(err, netlink.ErrOverrun) {
			t.Logf("ErrOverrun with a deadline of %v; passed during the drain: %v", wait, time.Now().After(deadline))
			rvMustAnswer(t, c)
			return
		}
		if !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("Execute on a flooded Conn: %v, want ErrOverrun or the deadline", err)
		}
		if read > 0 {
			t.Fatalf("the deadline stopped the drain after %d datagrams: %v", read, err)
		}
		// The deadline came before the first read: empty the queue.
		if _, err := c.Execute(xcCtx(t), rvGet); err != nil && !errors.Is(err, netlink.ErrOverrun) {
			t.Fatalf("Execute after a deadline before the drain: %v", err)
		}
	}
	t.Skip("every deadline passed before the first read: the machine is too slow to test this")
}

// NoENOBUFS would hide the overruns the Conn relies on: it is refused.
func TestNoENOBUFSRefused(t *testing.T) {
	ns := nstest.New(t)
	if _, err := netlink.Dial(unix.NETLINK_ROUTE, &netlink.Config{NetNS: ns.Path, Options: []netlink.Option{netlink.NoENOBUFS}}); !errors.Is(err, unix.EINVAL) {
		t.Errorf("Dial with NoENOBUFS: %v, want EINVAL", err)
	}
	c := xcDial(t, ns, netlink.Config{})
	if err := c.SetOption(netlink.NoENOBUFS, true); !errors.Is(err, unix.EINVAL) {
		t.Errorf("SetOption(NoENOBUFS, true): %v, want EINVAL", err)
	}
	if err := c.SetOption(netlink.NoENOBUFS, false); err != nil {
		t.Errorf("SetOption(NoENOBUFS, false): %v", err)
	}
}

// A DumpAll while a long dump started with Send runs waits for it, however
// many NOOPs that takes, instead of failing with EBUSY.
func TestDumpDuringLongSendDump(t *testing.T) {
	ns := nstest.New(t)
	routes := 30_000
	if testing.Short() {
		routes = 5_000
	}
	xcInstallRoutes(t, xcDial(t, ns, netlink.Config{}), routes, xcVeth(t, ns, "xc0"))
	c := xcDial(t, ns, netlink.Config{Options: []netlink.Option{netlink.GetStrictCheck}})
	rd := xcRouteDump()
	rd.Header.Flags = netlink.Request | netlink.Dump
	if _, err := c.Send(context.Background(), rd); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DumpAll(xcCtx(t), xcLinkDump()); err != nil {
		t.Fatalf("DumpAll while a Send dump runs: %v", err)
	}
}

// With ListenAllNSID, a notification from another namespace that happens
// to carry the sequence number and port of an Execute with Echo is no echo.
func TestEchoFromOtherNamespace(t *testing.T) {
	home, peer := nstest.New(t), nstest.New(t)
	if _, err := home.Try("netns", "set", peer.Name, "7"); err != nil {
		t.Skip(err)
	}
	hv, pv := xcVeth(t, home, "xc0"), xcVeth(t, peer, "xc0")
	c := xcDial(t, home, netlink.Config{PortID: 4242, Groups: []uint32{unix.RTNLGRP_IPV4_IFADDR}, Options: []netlink.Option{netlink.ListenAllNSID}})
	d := xcDial(t, peer, netlink.Config{PortID: 4242})
	if _, err := d.Execute(xcCtx(t), xcAddr(unix.RTM_NEWADDR, netlink.Create|netlink.Excl, netip.MustParsePrefix("198.51.100.1/24"), pv)); err != nil {
		t.Fatal(err)
	}
	msgs, err := c.Execute(xcCtx(t), xcAddr(unix.RTM_NEWADDR, netlink.Create|netlink.Excl|netlink.Echo, netip.MustParsePrefix("192.0.2.1/24"), hv))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		if a, _ := xcAddrOf(m); a != netip.MustParseAddr("192.0.2.1") {
			t.Errorf("the echo includes %v, from the other namespace", a)
		}
	}
}

// Two goroutines in ReceiveDatagram do not put one buffer back twice (the
// race detector sees it).
func TestReceiveDatagramConcurrent(t *testing.T) {
	ns := nstest.New(t)
	cfg := netlink.Config{NetNS: ns.Path, AcceptPeers: true}
	c := skDial(t, unix.NETLINK_USERSOCK, &cfg)
	p := skDial(t, unix.NETLINK_USERSOCK, &cfg)
	go func() {
		for i := range 2000 {
			m := netlink.Message{Header: netlink.Header{Type: netlink.TypeMinType, Sequence: uint32(i + 1)}, Data: []byte("abcd")}
			if _, err := p.SendTo(context.Background(), m, c.LocalAddr()); err != nil {
				return
			}
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	done := make(chan struct{})
	for range 2 {
		go func() {
			defer func() { done <- struct{}{} }()
			for range 1000 {
				if _, err := c.ReceiveDatagram(ctx); err != nil {
					return
				}
			}
		}()
	}
	<-done
	<-done
}

// Close gives back the Conn's memory at once: a loop of Dial and Close does
// not run out of address space (on 32-bit platforms it did).
func TestDialCloseLoop(t *testing.T) {
	ns := nstest.New(t)
	for i := range 1000 {
		c, err := netlink.Dial(unix.NETLINK_ROUTE, &netlink.Config{NetNS: ns.Path, Groups: []uint32{unix.RTNLGRP_LINK}})
		if err != nil {
			t.Fatalf("Dial #%d, each earlier Conn closed: %v", i, err)
		}
		c.Close()
	}
}
