//go:build linux

package netlink_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/nstest"
	"golang.org/x/sys/unix"
)

// A read takes two datagrams at once when two are queued (recvmmsg), and
// the second waits in the Conn for the next read. These tests queue
// datagrams before reading, so that the reads find them together, and
// check that nothing of the second is lost, reordered or mixed up with
// the first, whatever the sizes.

// rpSend queues the datagrams of sizes from a to b, numbered from seq.
func rpSend(t *testing.T, a, b *netlink.Conn, seq uint32, sizes ...int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), skWait)
	defer cancel()
	for i, n := range sizes {
		m := netlink.Message{Header: netlink.Header{Type: netlink.TypeMinType, Sequence: seq + uint32(i)}, Data: rpPayload(n, seq+uint32(i))}
		if _, err := a.SendTo(ctx, m, b.LocalAddr()); err != nil {
			t.Fatalf("SendTo %d bytes: %v", n, err)
		}
	}
}

// rpPayload is n bytes that differ with seq, so that a datagram read into
// the wrong buffer shows.
func rpPayload(n int, seq uint32) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i>>8 + int(seq)*13)
	}
	return b
}

// rpCheck receives one datagram and checks it is seq, of n bytes, whole.
func rpCheck(t *testing.T, c *netlink.Conn, zeroCopy bool, seq uint32, n int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), skWait)
	defer cancel()
	var msgs []netlink.Message
	if zeroCopy {
		d, err := c.ReceiveDatagram(ctx)
		if err != nil {
			t.Fatalf("ReceiveDatagram for %d: %v", seq, err)
		}
		for m, err := range d.Messages() {
			if err != nil {
				t.Fatalf("datagram %d: %v", seq, err)
			}
			msgs = append(msgs, m)
		}
	} else {
		var err error
		if msgs, err = c.Receive(ctx); err != nil {
			t.Fatalf("Receive for %d: %v", seq, err)
		}
	}
	if len(msgs) != 1 {
		t.Fatalf("datagram %d: %d messages", seq, len(msgs))
	}
	if m := msgs[0]; m.Header.Sequence != seq || !bytes.Equal(m.Data, rpPayload(n, seq)) {
		t.Fatalf("got message %v with %d bytes, want seq %d with %d bytes", m.Header, len(m.Data), seq, n)
	}
}

func TestReceivePairedSizes(t *testing.T) {
	ns := nstest.New(t)
	const small, large, huge = 20, 40 << 10, 300 << 10 // huge spills past the 32 KiB buffer into the spare
	for _, zeroCopy := range []bool{false, true} {
		for _, sizes := range [][]int{
			{small, small}, {small, huge}, {huge, small}, {huge, huge}, {large, huge, small, huge, huge, large},
		} {
			t.Run(fmt.Sprintf("zeroCopy=%v/%v", zeroCopy, sizes), func(t *testing.T) {
				a, b := skUserPair(t, ns, netlink.Config{WriteBuffer: 4 << 20, ReadBuffer: 4 << 20})
				// Twice: the second round reads into buffers the first grew.
				for round := range 2 {
					seq := uint32(1 + round*100)
					rpSend(t, a, b, seq, sizes...)
					for i, n := range sizes {
						rpCheck(t, b, zeroCopy, seq+uint32(i), n)
					}
				}
			})
		}
	}
}

// Datagrams too large for the buffer and the spare together, queued back
// to back: each is whole or reported cut short (ErrTruncated), never
// returned cut short as if whole, and once the spares have grown, the same
// size arrives whole.
func TestReceivePairedTruncated(t *testing.T) {
	ns := nstest.New(t)
	a := skDial(t, unix.NETLINK_USERSOCK, &netlink.Config{NetNS: ns.Path, AcceptPeers: true, WriteBuffer: 8 << 20})
	// The smallest receive buffer makes the spares 1 MiB; a larger one set
	// afterwards leaves them so and lets two datagrams larger than them
	// queue together.
	b := skDial(t, unix.NETLINK_USERSOCK, &netlink.Config{NetNS: ns.Path, AcceptPeers: true, ReadBuffer: 1})
	rc, err := b.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var serr error
	if err := rc.Control(func(fd uintptr) {
		serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, 16<<20)
	}); err != nil || serr != nil {
		t.Fatalf("SO_RCVBUFFORCE: %v, %v", err, serr)
	}
	const n = 1200 << 10 // past the 32 KiB buffer and the 1 MiB spare
	ctx, cancel := context.WithTimeout(context.Background(), skWait)
	defer cancel()
	truncated := 0
	for seq := uint32(1); seq <= 6; seq += 2 {
		rpSend(t, a, b, seq, n, n)
		for i := range uint32(2) {
			msgs, err := b.Receive(ctx)
			if errors.Is(err, netlink.ErrTruncated) {
				truncated++
				continue
			}
			if err != nil {
				t.Fatalf("datagram %d: %v", seq+i, err)
			}
			if len(msgs) != 1 || msgs[0].Header.Sequence != seq+i || !bytes.Equal(msgs[0].Data, rpPayload(n, seq+i)) {
				t.Fatalf("datagram %d came wrong", seq+i)
			}
		}
	}
	if truncated == 0 || truncated > 2 {
		t.Fatalf("%d datagrams reported truncated, want 1 or 2 (one per spare that had to grow)", truncated)
	}
	// The spares have grown: two more arrive whole.
	rpSend(t, a, b, 10, n, n)
	rpCheck(t, b, false, 10, n)
	rpCheck(t, b, false, 11, n)
}

// A datagram a read took along with another is not handed out after
// Close: Receive and ReceiveDatagram return ErrClosed.
func TestReceivePairedAfterClose(t *testing.T) {
	ns := nstest.New(t)
	for _, zeroCopy := range []bool{false, true} {
		a, b := skUserPair(t, ns, netlink.Config{})
		rpSend(t, a, b, 1, 100, 100)
		rpCheck(t, b, zeroCopy, 1, 100) // the read takes both
		if err := b.Close(); err != nil {
			t.Fatal(err)
		}
		var err error
		if zeroCopy {
			_, err = b.ReceiveDatagram(context.Background())
		} else {
			_, err = b.Receive(context.Background())
		}
		if !errors.Is(err, netlink.ErrClosed) {
			t.Fatalf("zeroCopy=%v: receive after Close: %v, want ErrClosed", zeroCopy, err)
		}
	}
}

// An exchange's reply and its ACK come in one read; a GET without ACK
// (SkipGetAck) in one read of one. Either way the answers are the ones
// asked for, exchange after exchange, also when a notification arrives
// in between (Receive gets it).
func TestExecutePairedReads(t *testing.T) {
	ns := nstest.New(t)
	for _, skip := range []bool{false, true} {
		c := skRoute(t, ns, &netlink.Config{SkipGetAck: skip, Groups: []uint32{unix.RTNLGRP_LINK}})
		for i := range 50 {
			msgs, err := c.Execute(context.Background(), netlink.Message{Header: netlink.Header{Type: unix.RTM_GETLINK}, Data: skIfinfo(1)})
			if err != nil {
				t.Fatalf("SkipGetAck=%v, exchange %d: %v", skip, i, err)
			}
			if len(msgs) != 1 || skLinkName(msgs[0]) != "lo" {
				t.Fatalf("SkipGetAck=%v, exchange %d: %d messages, first %v", skip, i, len(msgs), msgs[0].Header)
			}
			if i == 25 {
				ns.Run(t, "link", "add", fmt.Sprintf("rp%v", skip), "type", "veth", "peer", "name", fmt.Sprintf("rq%v", skip))
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), skWait)
		got := false
		for !got {
			msgs, err := c.Receive(ctx)
			if err != nil {
				t.Fatalf("SkipGetAck=%v: the notification: %v", skip, err)
			}
			for _, m := range msgs {
				got = got || skLinkName(m) == fmt.Sprintf("rp%v", skip)
			}
		}
		cancel()
	}
}
