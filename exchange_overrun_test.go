//go:build linux

package netlink_test

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/nstest"
	"golang.org/x/sys/unix"
)

// Tests of the exchanges under overrun and of the dump turn, one per
// scenario of the issue "Exchanges that stay right under overrun".

// xcRouteCount dumps the IPv4 main table on c and counts its routes.
func xcRouteCount(t testing.TB, c *netlink.Conn) int {
	t.Helper()
	n := 0
	for m, err := range c.Dump(xcCtx(t), xcRouteDump()) {
		if err != nil {
			t.Fatalf("route dump: %v", err)
		}
		if _, _, ok := xcRouteDst(m); ok {
			n++
		}
	}
	return n
}

// 1. A Dump whose caller gives up while the socket is congested leaves
// nothing behind that later dumps wait on.
func TestOverrunAbandonedDumpKeepsNoTurn(t *testing.T) {
	xcBackends(t, testOverrunAbandonedDumpKeepsNoTurn)
}

func testOverrunAbandonedDumpKeepsNoTurn(t *testing.T, env *xcEnv) {
	v := env.veth(t, "xc0")
	const routes = 2000
	xcInstallRoutes(t, env.dial(t, netlink.Config{}), routes, v)
	c := env.dial(t, netlink.Config{ReadBuffer: 4096, DatagramBuffer: 4096,
		Groups: []uint32{unix.RTNLGRP_IPV4_IFADDR}, Options: []netlink.Option{netlink.GetStrictCheck}})
	for round := range 5 {
		// A dump runs, the queue overflows with notifications, and the
		// dump's caller gives up after its first message.
		for _, err := range c.Dump(xcCtx(t), xcRouteDump()) {
			if err != nil {
				t.Fatal(err)
			}
			env.overflow(t, c, byte(50+round))
			break
		}
		// A dump with no deadline at all completes: nothing holds the turn.
		done := make(chan int, 1)
		go func() {
			n := 0
			for m, err := range c.Dump(context.Background(), xcRouteDump()) {
				if errors.Is(err, netlink.ErrOverrun) {
					n = -1
					break
				}
				if err != nil {
					t.Errorf("round %d: %v", round, err)
					break
				}
				if _, _, ok := xcRouteDst(m); ok {
					n++
				}
			}
			done <- n
		}()
		select {
		case n := <-done:
			if n != routes && n != -1 {
				t.Errorf("round %d: dump after the overrun: %d routes, want %d", round, n, routes)
			}
		case <-time.After(time.Minute):
			c.Close() // ends the dump, so the goroutine does not outlive the test
			t.Fatalf("round %d: a Dump after an abandoned one waited for a minute", round)
		}
	}
	if n := xcRouteCount(t, c); n != routes {
		t.Errorf("final dump: %d routes, want %d", n, routes)
	}
}

// 2. NLM_F_ECHO: the kernel's echo of a NEW request is its notification,
// unicast to the requester with the group set. It is Execute's reply, and
// Receive never sees it, on a Conn that joined no group.
func TestExecuteEcho(t *testing.T) {
	xcBackends(t, testExecuteEcho)
}

func testExecuteEcho(t *testing.T, env *xcEnv) {
	v := env.veth(t, "xc0")
	c := env.dial(t, netlink.Config{})
	p := netip.MustParsePrefix("192.0.2.7/24")
	msgs, err := c.Execute(xcCtx(t), xcAddr(unix.RTM_NEWADDR, netlink.Create|netlink.Excl|netlink.Echo, p, v))
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 1 {
		t.Fatalf("Execute with Echo: %d messages, want the echoed address", len(msgs))
	}
	if a, ok := xcAddrOf(msgs[0]); !ok || a != p.Addr() {
		t.Errorf("echo: %v, %v; want RTM_NEWADDR for %v", msgs[0].Header, a, p.Addr())
	}
	// Without Echo there is nothing but the ACK.
	msgs, err = c.Execute(xcCtx(t), xcAddr(unix.RTM_DELADDR, 0, p, v))
	if err != nil || len(msgs) != 0 {
		t.Errorf("DELADDR: %d messages, %v; want none", len(msgs), err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if msgs, err := c.Receive(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Receive got %d messages, %v: the echo went astray", len(msgs), err)
	}
}

// 2b. On a Conn that joined the group, a request without Echo leaves the
// notification to Receive, even though it carries the request's sequence
// number and port.
func TestExecuteNotificationOfOwnRequest(t *testing.T) {
	xcBackends(t, testExecuteNotificationOfOwnRequest)
}

func testExecuteNotificationOfOwnRequest(t *testing.T, env *xcEnv) {
	v := env.veth(t, "xc0")
	c := env.dial(t, netlink.Config{Groups: []uint32{unix.RTNLGRP_IPV4_IFADDR}})
	p := netip.MustParsePrefix("192.0.2.8/24")
	if msgs, err := c.Execute(xcCtx(t), xcAddr(unix.RTM_NEWADDR, netlink.Create|netlink.Excl, p, v)); err != nil || len(msgs) != 0 {
		t.Fatalf("NEWADDR: %d messages, %v", len(msgs), err)
	}
	msgs, err := c.Receive(xcCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	if a, ok := xcAddrOf(msgs[0]); !ok || a != p.Addr() {
		t.Errorf("notification: %v, want RTM_NEWADDR for %v", msgs[0].Header, p.Addr())
	}
}

// 3. The goroutine that meets the overrun keeps its own replies: requests
// whose notifications overflow the Conn's queue are acknowledged, and the
// ACKs that arrived before the overrun are results, not ErrOverrun, with no
// Receive goroutine running.
func TestOverrunReaderKeepsItsReplies(t *testing.T) {
	ns := nstest.New(t)
	v := xcVeth(t, ns, "xc0")
	overruns := 0
	defer func() { t.Logf("%d requests of 800 got ErrOverrun (sent before an overrun, or not sent)", overruns) }()
	for round := range 20 {
		// Batch sends three requests at a time, sized for their ACKs.
		c := xcDial(t, ns, netlink.Config{ReadBuffer: 4096, Groups: []uint32{unix.RTNLGRP_IPV4_IFADDR, unix.RTNLGRP_IPV4_ROUTE}})
		// Every request makes four notifications for c, queued before its
		// ACK: the address, and its local, prefix and broadcast routes.
		reqs := make([]netlink.Message, 40)
		for i := range reqs {
			p := netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(60 + round), byte(i), 1}), 24)
			reqs[i] = xcAddr(unix.RTM_NEWADDR, netlink.Create|netlink.Replace, p, v)
		}
		results, err := c.Batch(xcCtx(t), reqs)
		if err != nil && !errors.Is(err, netlink.ErrOverrun) {
			t.Fatalf("Batch: %v", err)
		}
		// The first request's notification and ACK find the queue empty.
		if results[0] != nil {
			t.Fatalf("round %d: the first request, acknowledged before any overrun: %v", round, results[0])
		}
		for i, r := range results {
			if r != nil && !errors.Is(r, netlink.ErrOverrun) {
				t.Errorf("request %d: %v", i, r)
			}
			if r != nil {
				overruns++
			}
		}
		// A nil result is the kernel's ACK: the address is there.
		out := ns.Run(t, "-4", "addr", "show", "dev", "xc0")
		for i, r := range results {
			if a := fmt.Sprintf("inet 10.%d.%d.1/24", 60+round, i); r == nil && !strings.Contains(out, a) {
				t.Errorf("round %d: request %d succeeded, but ip does not list %s", round, i, a)
			}
		}
		c.Close()
	}
}

// 4. An overrun fails only the exchanges whose requests went out before it:
// a dump waiting for the turn is not failed, and gets the whole table.
func TestOverrunSparesUnsentExchanges(t *testing.T) {
	xcBackends(t, testOverrunSparesUnsentExchanges)
}

func testOverrunSparesUnsentExchanges(t *testing.T, env *xcEnv) {
	v := env.veth(t, "xc0")
	const routes = 3000
	xcInstallRoutes(t, env.dial(t, netlink.Config{}), routes, v)
	for round := range 5 {
		c := env.dial(t, netlink.Config{ReadBuffer: 4096, DatagramBuffer: 4096,
			Groups: []uint32{unix.RTNLGRP_IPV4_IFADDR}, Options: []netlink.Option{netlink.GetStrictCheck}})
		inner := -2
		var outerErr error
		for _, err := range c.Dump(xcCtx(t), xcRouteDump()) {
			if err != nil {
				outerErr = err
				break
			}
			if inner != -2 {
				continue
			}
			// The outer dump is running; notifications overflow the
			// queue; a second dump waits for its turn, reading the outer
			// one, meets the overrun, and must still run in full.
			env.overflow(t, c, byte(70+round))
			inner = xcRouteCount(t, c)
		}
		if inner != routes {
			t.Errorf("round %d: the dump that waited for its turn: %d routes, want %d", round, inner, routes)
		}
		if outerErr != nil && !errors.Is(outerErr, netlink.ErrOverrun) {
			t.Errorf("round %d: outer dump: %v", round, outerErr)
		}
		// The overrun happened, and Receive reports it, after the
		// notifications that were queued before the loss.
		ctx, cancel := context.WithTimeout(context.Background(), skWait) // a guard against a hang
		var err error
		for err == nil {
			_, err = c.Receive(ctx)
		}
		if !errors.Is(err, netlink.ErrOverrun) {
			t.Errorf("round %d: Receive after the dumps: %v, want ErrOverrun", round, err)
		}
		cancel()
		c.Close()
	}
}

// 5. A send waits for the send lock with its context, and a SendTo to a
// full peer does not hold the lock while it backs off: an Execute on the
// same Conn goes through.
func TestSendToFullPeerDoesNotBlockExecute(t *testing.T) {
	ns := nstest.New(t)
	c := xcDial(t, ns, netlink.Config{})
	peer := xcDial(t, ns, netlink.Config{ReadBuffer: 1}) // never read
	stuck := make(chan error, 1)
	sendCtx, stopSend := context.WithCancel(context.Background())
	go func() {
		payload := make([]byte, 2048)
		for {
			if _, err := c.SendTo(sendCtx, netlink.Message{Header: netlink.Header{Type: netlink.TypeMinType}, Data: payload}, peer.LocalAddr()); err != nil {
				stuck <- err
				return
			}
		}
	}()
	time.Sleep(100 * time.Millisecond) // the peer's queue is full by now
	for range 10 {
		ctx, cancel := context.WithTimeout(context.Background(), skWait)
		msgs, err := c.Execute(ctx, xcGetLink(1, 0))
		cancel()
		if err != nil || len(msgs) != 1 {
			t.Fatalf("Execute while SendTo retries toward a full peer: %d messages, %v", len(msgs), err)
		}
	}
	select {
	case err := <-stuck:
		t.Fatalf("SendTo returned %v; it should still be retrying", err)
	default:
	}
	stopSend()
	if err := <-stuck; !errors.Is(err, context.Canceled) {
		t.Errorf("SendTo after cancel: %v", err)
	}
}

// 6. The kernel starts a dump on either dump bit: a Root-only dump inside a
// running Dump waits for its turn instead of getting EBUSY; NEW requests
// with the same bits plus Create run at once, inside the loop too.
func TestDumpBitsInsideDump(t *testing.T) {
	ns := nstest.New(t)
	v := xcVeth(t, ns, "xc0")
	const routes = 1000
	xcInstallRoutes(t, xcDial(t, ns, netlink.Config{}), routes, v)
	c := xcDial(t, ns, netlink.Config{DatagramBuffer: 4096, Options: []netlink.Option{netlink.GetStrictCheck}})
	outer, checked := 0, false
	for m, err := range c.Dump(xcCtx(t), xcRouteDump()) {
		if err != nil {
			t.Fatal(err)
		}
		if _, _, ok := xcRouteDst(m); ok {
			outer++
		}
		if checked {
			continue
		}
		checked = true
		for _, bit := range []netlink.HeaderFlags{netlink.Root, netlink.Match} {
			req := xcRouteDump()
			req.Header.Flags = bit
			msgs, err := c.Execute(xcCtx(t), req)
			if err != nil {
				t.Fatalf("Execute of a dump with only %v inside a Dump: %v", bit, err)
			}
			if len(msgs) < routes {
				t.Errorf("dump with only %v: %d routes, want %d", bit, len(msgs), routes)
			}
		}
		// NEW with Create|Excl (Excl is Match's bit) and Create|Replace
		// (Replace is Root's).
		p := netip.MustParsePrefix("192.0.2.9/24")
		for _, f := range []netlink.HeaderFlags{netlink.Create | netlink.Excl, netlink.Create | netlink.Replace} {
			if _, err := c.Execute(xcCtx(t), xcAddr(unix.RTM_NEWADDR, f, p, v)); err != nil {
				t.Errorf("NEWADDR %v inside a Dump: %v", f, err)
			}
		}
	}
	if outer != routes {
		t.Errorf("outer dump: %d routes, want %d", outer, routes)
	}
}

// 7. A dump that starts while the receive queue is full: the kernel runs it
// on, whether or not its ERROR(ENOBUFS) answer is dropped. The Dump gets
// the whole table or ErrOverrun, never a bare ENOBUFS, and the next Dump
// does not get EBUSY.
func TestDumpStartsOnFullQueue(t *testing.T) {
	xcBackends(t, testDumpStartsOnFullQueue)
}

func testDumpStartsOnFullQueue(t *testing.T, env *xcEnv) {
	v := env.veth(t, "xc0")
	const routes = 500
	xcInstallRoutes(t, env.dial(t, netlink.Config{}), routes, v)
	full, overrun := 0, 0
	for round := range 10 {
		c := env.dial(t, netlink.Config{ReadBuffer: 4096, Groups: []uint32{unix.RTNLGRP_IPV4_IFADDR},
			Options: []netlink.Option{netlink.GetStrictCheck}})
		env.overflow(t, c, byte(90+round)) // nobody reads: the queue is full
		n := 0
		var err error
		for m, e := range c.Dump(xcCtx(t), xcRouteDump()) {
			if e != nil {
				err = e
				break
			}
			if _, _, ok := xcRouteDst(m); ok {
				n++
			}
		}
		switch {
		case err == nil && n == routes:
			full++
		case errors.Is(err, netlink.ErrOverrun):
			overrun++
		default:
			t.Errorf("round %d: dump on a full queue: %d routes, %v", round, n, err)
		}
		if n := xcRouteCount(t, c); n != routes {
			t.Errorf("round %d: next dump: %d routes, want %d", round, n, routes)
		}
		c.Close()
	}
	t.Logf("dumps on a full queue: %d complete, %d ErrOverrun", full, overrun)
}

// 8. A request with the dump bits that the kernel ignores (NOOP) is
// acknowledged, since Execute and Dump always ask for an ACK: neither
// waits, and later dumps run.
func TestDumpIgnoredByKernel(t *testing.T) {
	xcBackends(t, testDumpIgnoredByKernel)
}

func testDumpIgnoredByKernel(t *testing.T, env *xcEnv) {
	c := env.dial(t, netlink.Config{})
	noop := netlink.Message{Header: netlink.Header{Type: netlink.TypeNoop, Flags: netlink.Dump}}
	for range 3 {
		ctx, cancel := context.WithTimeout(context.Background(), skWait)
		msgs, err := c.Execute(ctx, noop)
		if err != nil || len(msgs) != 0 {
			t.Fatalf("Execute(NOOP with the dump bits): %d messages, %v", len(msgs), err)
		}
		for m, err := range c.Dump(ctx, noop) {
			t.Fatalf("Dump(NOOP): %v, %v", m.Header, err)
		}
		cancel()
		if links, err := c.DumpAll(xcCtx(t), xcLinkDump()); err != nil || len(links) == 0 {
			t.Fatalf("link dump after: %d links, %v", len(links), err)
		}
	}
}

// 9. A dump request inside a Batch is done at its NLMSG_DONE; the rest of
// the batch is acknowledged as usual.
func TestBatchWithDump(t *testing.T) {
	xcBackends(t, testBatchWithDump)
}

func testBatchWithDump(t *testing.T, env *xcEnv) {
	v := env.veth(t, "xc0")
	c := env.dial(t, netlink.Config{})
	dump := xcLinkDump()
	dump.Header.Flags = netlink.Dump
	reqs := []netlink.Message{
		xcAddr(unix.RTM_NEWADDR, netlink.Create|netlink.Excl, netip.MustParsePrefix("192.0.2.10/24"), v),
		dump,
		xcAddr(unix.RTM_NEWADDR, netlink.Create|netlink.Excl, netip.MustParsePrefix("192.0.2.11/24"), v),
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	results, err := c.Batch(ctx, reqs)
	if err != nil {
		t.Fatalf("Batch with a dump: %v", err)
	}
	for i, r := range results {
		if r != nil {
			t.Errorf("request %d: %v", i, r)
		}
	}
	if links, err := c.DumpAll(xcCtx(t), xcLinkDump()); err != nil || len(links) != 3 {
		t.Errorf("link dump after: %d links, %v; want 3", len(links), err)
	}
}

// 10. Dial allocates no buffer the size of the socket's receive buffer.
func TestDialMemory(t *testing.T) {
	ns := nstest.New(t)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	const conns = 10
	for range conns {
		xcDial(t, ns, netlink.Config{ReadBuffer: 8 << 20})
	}
	runtime.ReadMemStats(&after)
	if per := (after.TotalAlloc - before.TotalAlloc) / conns; per > 128<<10 {
		t.Errorf("Dial with an 8 MiB ReadBuffer allocates %d bytes", per)
	} else {
		t.Logf("Dial with an 8 MiB ReadBuffer allocates %d bytes", per)
	}
}

// A Conn that joins groups with the default Config holds an ordinary burst
// of notifications without reading: another process adds 10,000 routes (half of what fits)
// while the Conn reads nothing, and then every notification is there, in
// order, with no overrun, and the kernel's own drop counter for the socket
// (/proc/net/netlink) says 0. Nothing here races: the kernel queues each
// notification before ip's request returns, so the burst is whole in the
// queue when the reading starts, however slow or busy the machine. How fast
// a reader keeps up with a producer that does not wait (50,000 routes from
// ip -batch) is a throughput claim, measured in bench/ (workload 7).
func TestGroupsDefaultBuffer(t *testing.T) {
	ns := nstest.New(t)
	xcVeth(t, ns, "xc0")
	const routes = 10_000
	lines := make([]string, routes)
	for i := range lines {
		lines[i] = fmt.Sprintf("route add %v/32 dev xc0", xcDst(i))
	}
	c := xcDial(t, ns, netlink.Config{Groups: []uint32{unix.RTNLGRP_IPV4_ROUTE}})
	ns.Batch(t, lines)
	rmem, drops := xcSocketQueue(t, ns, c.LocalAddr().PortID)
	t.Logf("%d notifications queued in %d bytes (%d each), %d dropped", routes, rmem, rmem/routes, drops)
	if drops != 0 {
		t.Fatalf("the kernel dropped %d notifications for a Conn with the default buffer", drops)
	}
	got := 0
	for got < routes {
		msgs, err := c.Receive(xcCtx(t))
		if err != nil {
			t.Fatalf("after %d notifications: %v", got, err)
		}
		for _, m := range msgs {
			if m.Header.Type != unix.RTM_NEWROUTE {
				continue
			}
			if _, dst, ok := xcRouteDst(m); !ok || netip.AddrFrom4(dst) != xcDst(got) {
				t.Fatalf("notification %d is for %v, want %v", got, netip.AddrFrom4(dst), xcDst(got))
			}
			got++
		}
	}
}

// xcSocketQueue reads the bytes queued on the netlink socket with port ID
// port and the datagrams the kernel dropped for it, from the kernel's
// /proc/net/netlink in ns.
func xcSocketQueue(t testing.TB, ns *nstest.NS, port uint32) (rmem, drops int) {
	t.Helper()
	b, err := exec.Command("ip", "netns", "exec", ns.Name, "cat", "/proc/net/netlink").CombinedOutput()
	out := string(b)
	if err != nil {
		t.Fatalf("reading /proc/net/netlink in the namespace: %v: %s", err, out)
	}
	for _, line := range strings.Split(out, "\n")[1:] {
		// sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode
		f := strings.Fields(line)
		if len(f) < 10 || f[1] != "0" || f[2] != fmt.Sprint(port) {
			continue
		}
		rmem, _ = strconv.Atoi(f[4])
		drops, _ = strconv.Atoi(f[8])
		return rmem, drops
	}
	t.Fatalf("no NETLINK_ROUTE socket with port %d in /proc/net/netlink:\n%s", port, out)
	return 0, 0
}

// A dump the Conn does not follow (started with Send) makes the kernel
// refuse a Dump with EBUSY; the Dump is sent again once that dump ends, and
// Receive still gets the other dump whole.
func TestDumpAfterUntrackedDump(t *testing.T) {
	ns := nstest.New(t)
	v := xcVeth(t, ns, "xc0")
	const routes = 3000
	xcInstallRoutes(t, xcDial(t, ns, netlink.Config{}), routes, v)
	c := xcDial(t, ns, netlink.Config{DatagramBuffer: 4096, Options: []netlink.Option{netlink.GetStrictCheck}})
	req := xcRouteDump()
	req.Header.Flags = netlink.Request | netlink.Dump
	h, err := c.Send(xcCtx(t), req)
	if err != nil {
		t.Fatal(err)
	}
	if n := xcRouteCount(t, c); n != routes {
		t.Errorf("Dump while a dump of Send runs: %d routes, want %d", n, routes)
	}
	n := 0
	for done := false; !done; {
		msgs, err := c.Receive(xcCtx(t))
		if err != nil {
			t.Fatalf("Receive after %d routes: %v", n, err)
		}
		for _, m := range msgs {
			if m.Header.Sequence != h.Sequence {
				continue
			}
			if _, _, ok := xcRouteDst(m); ok {
				n++
			}
			done = done || m.Header.Type == netlink.TypeDone
		}
	}
	if n != routes {
		t.Errorf("the dump of Send, through Receive: %d routes, want %d", n, routes)
	}
}
