//go:build linux

package netlink_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/nstest"
	"golang.org/x/sys/unix"
)

// Review of the paired reads (recvmmsg, the second datagram held in the
// Conn): what comes with the second datagram (its sender, its group, its
// namespace ID, its size) is its own, and deadlines, Close, the trace and
// overruns see the held datagram as they see a queued one.

// rvSendGroup sends a multicast datagram numbered seq from a to group 1.
// A user-space port has no kernel socket behind port 0, so the kernel
// refuses the unicast part of the send (ECONNREFUSED) after delivering the
// multicast one.
func rvSendGroup(t *testing.T, a *netlink.Conn, seq uint32, n int) {
	t.Helper()
	rc, err := a.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	b := netlink.AppendMessage(nil, netlink.Header{Type: netlink.TypeMinType, Sequence: seq, PortID: a.LocalAddr().PortID}, rpPayload(n, seq))
	var serr error
	if err := rc.Control(func(fd uintptr) {
		serr = unix.Sendto(int(fd), b, unix.MSG_DONTWAIT, &unix.SockaddrNetlink{Family: unix.AF_NETLINK, Groups: 1})
	}); err != nil {
		t.Fatal(err)
	}
	if serr != nil && !errors.Is(serr, unix.ECONNREFUSED) {
		t.Fatalf("multicast send: %v", serr)
	}
}

// rvSendTo queues datagrams of sizes from a to port to alone (b's
// LocalAddr names its groups too), numbered from seq.
func rvSendTo(t *testing.T, a *netlink.Conn, to, seq uint32, sizes ...int) {
	t.Helper()
	for i, n := range sizes {
		m := netlink.Message{Header: netlink.Header{Type: netlink.TypeMinType, Sequence: seq + uint32(i)}, Data: rpPayload(n, seq+uint32(i))}
		if _, err := a.SendTo(context.Background(), m, netlink.Addr{PortID: to}); err != nil {
			t.Fatalf("SendTo %d bytes: %v", n, err)
		}
	}
}

// rvDatagram receives one datagram and checks it is seq, of n bytes, from
// port from, to group group.
func rvDatagram(t *testing.T, c *netlink.Conn, seq uint32, n int, from, group uint32) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), skWait)
	defer cancel()
	d, err := c.ReceiveDatagram(ctx)
	if err != nil {
		t.Fatalf("datagram %d: %v", seq, err)
	}
	h, err := netlink.ParseHeader(d.Data)
	if err != nil {
		t.Fatalf("datagram %d: %v", seq, err)
	}
	if h.Sequence != seq || !bytes.Equal(d.Data[netlink.HeaderLen:h.Length], rpPayload(n, seq)) {
		t.Fatalf("got %v with %d bytes, want seq %d with %d bytes", h, h.Length, seq, n)
	}
	if d.From.PortID != from || d.Group != group || d.NSID != -1 {
		t.Fatalf("datagram %d: from %d, group %d, NSID %d; want from %d, group %d, NSID -1", seq, d.From.PortID, d.Group, d.NSID, from, group)
	}
}

// Multicast and unicast datagrams queued alternately: each read reports
// the group (NETLINK_PKTINFO) and sender of its own datagram, whichever
// slot of the read took it, also when the datagrams spill.
func TestReceivePairedGroups(t *testing.T) {
	ns := nstest.New(t)
	for _, huge := range []bool{false, true} {
		a, b := skUserPair(t, ns, netlink.Config{WriteBuffer: 4 << 20, ReadBuffer: 4 << 20})
		if err := b.JoinGroup(1); err != nil {
			t.Fatal(err)
		}
		n := 20
		if huge {
			n = 300 << 10
		}
		from := a.LocalAddr().PortID
		for round := range 2 {
			seq := uint32(1 + 10*round)
			// group, unicast, unicast, group, group
			rvSendGroup(t, a, seq, n)
			rvSendTo(t, a, b.LocalAddr().PortID, seq+1, 30, n)
			rvSendGroup(t, a, seq+3, 40)
			rvSendGroup(t, a, seq+4, n)
			rvDatagram(t, b, seq, n, from, 1)
			rvDatagram(t, b, seq+1, 30, from, 0)
			rvDatagram(t, b, seq+2, n, from, 0)
			rvDatagram(t, b, seq+3, 40, from, 1)
			rvDatagram(t, b, seq+4, n, from, 1)
		}
	}
}

// With ListenAllNSID, notifications from the peer namespace and from the
// home one queued together each carry their own namespace ID.
func TestReceivePairedNSID(t *testing.T) {
	home, peer := nstest.New(t), nstest.New(t)
	if _, err := home.Try("netns", "set", peer.Name, "7"); err != nil {
		t.Skipf("cannot assign a namespace ID: %v", err)
	}
	c := skRoute(t, home, &netlink.Config{Groups: []uint32{unix.RTNLGRP_LINK}, Options: []netlink.Option{netlink.ListenAllNSID}})
	want := map[string]int{}
	for i := range 3 {
		p, h := fmt.Sprintf("rvp%d", i), fmt.Sprintf("rvh%d", i)
		peer.Run(t, "link", "add", p, "type", "veth", "peer", "name", p+"x")
		home.Run(t, "link", "add", h, "type", "veth", "peer", "name", h+"x")
		want[p], want[h] = 7, -1
	}
	ctx, cancel := context.WithTimeout(context.Background(), skWait)
	defer cancel()
	for len(want) > 0 {
		d, err := c.ReceiveDatagram(ctx)
		if err != nil {
			t.Fatalf("waiting for %v: %v", want, err)
		}
		for m, err := range d.Messages() {
			if err != nil {
				t.Fatal(err)
			}
			name := skLinkName(m)
			nsid, ok := want[name]
			if !ok || m.Header.Type != unix.RTM_NEWLINK {
				continue
			}
			if d.NSID != nsid || d.Group != unix.RTNLGRP_LINK {
				t.Errorf("RTM_NEWLINK %s: NSID %d, group %d; want NSID %d, group %d", name, d.NSID, d.Group, nsid, unix.RTNLGRP_LINK)
			}
			delete(want, name)
		}
	}
}

// A read deadline that passes while a datagram is held fails the read, as
// it does with a datagram queued in the kernel, and loses nothing: once
// the deadline is lifted, the held datagram comes, then the rest.
func TestReceivePairedDeadline(t *testing.T) {
	ns := nstest.New(t)
	for _, zeroCopy := range []bool{false, true} {
		a, b := skUserPair(t, ns, netlink.Config{})
		rpSend(t, a, b, 1, 100, 200, 300, 400)
		rpCheck(t, b, zeroCopy, 1, 100) // the read takes two
		if err := b.SetReadDeadline(time.Unix(1, 0)); err != nil {
			t.Fatal(err)
		}
		for _, ctx := range []context.Context{context.Background(), t.Context()} {
			var err error
			if zeroCopy {
				_, err = b.ReceiveDatagram(ctx)
			} else {
				_, err = b.Receive(ctx)
			}
			if !errors.Is(err, os.ErrDeadlineExceeded) {
				t.Fatalf("zeroCopy=%v: receive past the deadline: %v", zeroCopy, err)
			}
		}
		if err := b.SetReadDeadline(time.Time{}); err != nil {
			t.Fatal(err)
		}
		rpCheck(t, b, zeroCopy, 2, 200)
		rpCheck(t, b, zeroCopy, 3, 300)
		rpCheck(t, b, zeroCopy, 4, 400)
	}
}

// A context cancelled while a datagram is held: a call with a done
// context takes what is there without waiting, the held datagram first.
func TestReceivePairedDoneContext(t *testing.T) {
	ns := nstest.New(t)
	a, b := skUserPair(t, ns, netlink.Config{})
	rpSend(t, a, b, 1, 100, 200, 300)
	rpCheck(t, b, true, 1, 100)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for seq := uint32(2); seq <= 3; seq++ {
		d, err := b.ReceiveDatagram(ctx)
		if err != nil {
			t.Fatalf("datagram %d with a done context: %v", seq, err)
		}
		if h, err := netlink.ParseHeader(d.Data); err != nil || h.Sequence != seq {
			t.Fatalf("datagram %d with a done context: %v, %v", seq, h, err)
		}
	}
	if _, err := b.ReceiveDatagram(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("nothing queued, done context: %v", err)
	}
}

// The trace and the capture see every datagram once, in the order
// received, whether a read returned it or held it.
func TestReceivePairedTrace(t *testing.T) {
	ns := nstest.New(t)
	var trace, capture bytes.Buffer
	a := skDial(t, unix.NETLINK_USERSOCK, &netlink.Config{NetNS: ns.Path, AcceptPeers: true, WriteBuffer: 4 << 20})
	b := skDial(t, unix.NETLINK_USERSOCK, &netlink.Config{NetNS: ns.Path, AcceptPeers: true, ReadBuffer: 4 << 20, Trace: &trace, Capture: &capture})
	sizes := []int{20, 300 << 10, 40, 60, 300 << 10, 300 << 10, 80}
	rpSend(t, a, b, 1, sizes...)
	for i, n := range sizes {
		rpCheck(t, b, i%2 == 0, uint32(1+i), n)
	}
	var got []string
	sc := bufio.NewScanner(&trace)
	sc.Buffer(nil, 64<<20)
	for sc.Scan() {
		if l := sc.Text(); strings.HasPrefix(l, "netlink ") {
			got = append(got, l)
		} else if f := strings.Fields(l); len(f) > 0 && strings.HasPrefix(l, "  ") && strings.Contains(l, " seq=") {
			got[len(got)-1] += " " + f[len(f)-2]
		}
	}
	var want []string
	for i, n := range sizes {
		want = append(want, fmt.Sprintf("netlink usersock: received %d bytes from port %d seq=%d", netlink.MessageSpace(n), a.LocalAddr().PortID, 1+i))
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("trace:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// The capture: a 24-byte file header, then a record per datagram.
	pc := capture.Bytes()
	if len(pc) < 24 {
		t.Fatalf("capture of %d bytes", len(pc))
	}
	pc = pc[24:]
	for i, n := range sizes {
		if len(pc) < 16+16+netlink.HeaderLen {
			t.Fatalf("capture ends before datagram %d", 1+i)
		}
		kept, orig := binary.NativeEndian.Uint32(pc[8:]), binary.NativeEndian.Uint32(pc[12:])
		rec := pc[16 : 16+kept]
		seq := binary.NativeEndian.Uint32(rec[16+8:])
		if int(orig) != 16+netlink.MessageSpace(n) || seq != uint32(1+i) {
			t.Errorf("capture record %d: %d bytes, seq %d; want %d bytes, seq %d", i, orig, seq, 16+netlink.MessageSpace(n), 1+i)
		}
		pc = pc[16+kept:]
	}
	if len(pc) != 0 {
		t.Errorf("capture has %d bytes more", len(pc))
	}
}

// A small DatagramBuffer: both datagrams of a read spill into their
// slot's spare, and the buffers the Conn grows for them stay right.
func TestReceivePairedSmallBuffer(t *testing.T) {
	ns := nstest.New(t)
	for _, size := range []int{1, 16, 64} {
		for _, zeroCopy := range []bool{false, true} {
			t.Run(fmt.Sprintf("DatagramBuffer=%d/zeroCopy=%v", size, zeroCopy), func(t *testing.T) {
				a, b := skUserPair(t, ns, netlink.Config{WriteBuffer: 4 << 20, ReadBuffer: 4 << 20, DatagramBuffer: size})
				sizes := []int{0, 20, 100, 40, 300 << 10, 20, 20, 300 << 10, 300 << 10, 60, 8}
				for round := range 3 {
					seq := uint32(1 + 100*round)
					rpSend(t, a, b, seq, sizes...)
					for i, n := range sizes {
						rpCheck(t, b, zeroCopy, seq+uint32(i), n)
					}
				}
			})
		}
	}
}

// Close while a reader takes datagrams that spill, two at a time: the
// reader gets whole datagrams in order, then ErrClosed; nothing reads a
// spare Close unmapped (that would fault).
func TestReceivePairedCloseRace(t *testing.T) {
	ns := nstest.New(t)
	for i := range 20 {
		a, b := skUserPair(t, ns, netlink.Config{WriteBuffer: 8 << 20, ReadBuffer: 8 << 20})
		sizes := []int{300 << 10, 300 << 10, 20, 300 << 10, 300 << 10, 300 << 10}
		rpSend(t, a, b, 1, sizes...)
		var wg sync.WaitGroup
		var rerr error
		wg.Go(func() {
			for seq := uint32(1); ; seq++ {
				d, err := b.ReceiveDatagram(context.Background())
				if err != nil {
					if !errors.Is(err, netlink.ErrClosed) {
						rerr = err
					}
					return
				}
				h, err := netlink.ParseHeader(d.Data)
				if err != nil || h.Sequence != seq || int(seq) > len(sizes) || !bytes.Equal(d.Data[netlink.HeaderLen:h.Length], rpPayload(sizes[seq-1], seq)) {
					rerr = fmt.Errorf("datagram %d came wrong: %v, %v", seq, h, err)
					return
				}
			}
		})
		if i%2 == 0 {
			time.Sleep(time.Duration(i) * 50 * time.Microsecond)
		}
		b.Close()
		wg.Wait()
		if rerr != nil {
			t.Fatal(rerr)
		}
	}
}

// Multicast datagrams overflow the receive queue while the Conn holds a
// datagram: the Conn returns the held datagram and reports the overrun
// once, then the datagrams the drain kept, in order, then what came after.
func TestReceivePairedOverrun(t *testing.T) {
	ns := nstest.New(t)
	// The least receive buffer the kernel allows: a few datagrams fill it.
	a, b := skUserPair(t, ns, netlink.Config{ReadBuffer: 1})
	if err := b.JoinGroup(1); err != nil {
		t.Fatal(err)
	}
	rvSendTo(t, a, b.LocalAddr().PortID, 1, 100, 100)
	rpCheck(t, b, true, 1, 100) // 2 is held
	const flood = 200           // far more than the queue holds
	for i := range uint32(flood) {
		rvSendGroup(t, a, 1000+i, 100)
	}
	ctx, cancel := context.WithTimeout(context.Background(), skWait)
	defer cancel()
	var got []uint32
	overruns, marker := 0, uint32(5000)
	for len(got) == 0 || got[len(got)-1] != marker {
		msgs, err := b.Receive(ctx)
		if errors.Is(err, netlink.ErrOverrun) {
			if overruns++; overruns == 1 {
				rvSendTo(t, a, b.LocalAddr().PortID, marker, 10) // the queue is empty now
			}
			got = append(got, 0)
			continue
		}
		if err != nil {
			t.Fatalf("after %v: %v", got, err)
		}
		got = append(got, msgs[0].Header.Sequence)
	}
	// 2 and the overrun (in either order: a Conn that reads one datagram
	// at a time, on 32-bit, holds none), some of the flood in order, the
	// marker.
	ok := len(got) >= 3 && overruns == 1 && (got[0] == 2 && got[1] == 0 || got[0] == 0 && got[1] == 2)
	for i := 2; ok && i < len(got)-1; i++ {
		ok = got[i] >= 1000 && got[i] < 1000+flood && got[i] > got[i-1]
	}
	if !ok || len(got) >= flood {
		t.Fatalf("received %v (0 for the overrun)", got)
	}
}
