//go:build linux

package netlink_test

// The fault table: each test is one row of the README's failure modes,
// a fault the kernel or a hostile peer can cause, and what the caller gets.
// Rows that other tests already cover are listed here and not repeated:
//
//	spoofed sender, NETLINK_ROUTE          TestConnDropsSpoofedSender
//	truncated datagram                     TestConnTruncatedDatagram
//	datagram > 64 KiB from a peer          TestConnLargeDatagram
//	ENOBUFS on a notification Conn         TestConnOverrunReportedOnce, TestExchangeOverrun
//	ENOBUFS on a request Conn              TestExchangeOverrunDuringExecute, TestOverrunSparesUnsentExchanges
//	NLM_F_DUMP_INTR                        TestExchangeDumpInterrupted
//	cancel mid-dump, deadline on Execute   TestExchangeCancelLeftovers
//	Close mid-Receive                      TestConnCloseWakesReceive
//	Close while Execute waits              TestFaultCloseWakesExecute

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/nstest"
	"github.com/nlkit/netlink/nltest"
	"golang.org/x/sys/unix"
)

// A user-space port's datagram never reaches a NETLINK_USERSOCK Conn that
// does not accept peers: Receive waits on, and Stats counts the drop.
func TestFaultSpoofedUsersock(t *testing.T) {
	ns := nstest.New(t)
	victim := skDial(t, unix.NETLINK_USERSOCK, &netlink.Config{NetNS: ns.Path})
	attacker := skDial(t, unix.NETLINK_USERSOCK, &netlink.Config{NetNS: ns.Path, AcceptPeers: true})
	for seq := range uint32(3) {
		if _, err := attacker.SendTo(context.Background(), netlink.Message{
			Header: netlink.Header{Type: netlink.TypeMinType, Sequence: seq},
			Data:   []byte("spoof"),
		}, victim.LocalAddr()); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), skQuiet)
	defer cancel()
	if msgs, err := victim.Receive(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Receive: %v, %v; want nothing until the deadline", msgs, err)
	}
	if s := victim.Stats(); s.Dropped != 3 {
		t.Errorf("Stats().Dropped = %d, want 3", s.Dropped)
	}
	ctx, cancel = context.WithTimeout(context.Background(), skQuiet)
	defer cancel()
	if d, err := victim.ReceiveDatagram(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("ReceiveDatagram: %v, %v; want nothing until the deadline", d, err)
	}
}

// A kernel reply larger than 64 KiB: the error ACK of a 120 KiB request
// echoes the request whole (without CapAck). It arrives whole, and the
// request fails with its errno, not with ErrTruncated.
func TestFaultKernelReplyOver64K(t *testing.T) {
	ns := nstest.New(t)
	c := skRoute(t, ns, &netlink.Config{WriteBuffer: 1 << 20})
	e := netlink.NewAttrEncoder(skIfinfo(0x7ffffff0)) // no such link
	filler := skPayload(60000)
	e.Bytes(0x3ff0, filler) // unknown to the kernel: ignored without strict checking
	e.Bytes(0x3ff1, filler)
	data, err := e.Finish()
	if err != nil {
		t.Fatal(err)
	}
	req := netlink.Message{Header: netlink.Header{Type: unix.RTM_GETLINK, Flags: netlink.Request | netlink.Acknowledge}, Data: data}
	ctx, cancel := context.WithTimeout(context.Background(), skWait)
	defer cancel()

	// Raw: the ACK is one message of more than 64 KiB.
	if _, err := c.Send(ctx, req); err != nil {
		t.Fatal(err)
	}
	msgs, err := c.Receive(ctx)
	if err != nil {
		t.Fatalf("Receive: %v", err)
	}
	if len(msgs) != 1 || msgs[0].Header.Type != netlink.TypeError || msgs[0].Header.Length <= 64<<10 {
		t.Fatalf("got %d messages, first %v; want one error ACK over 64 KiB", len(msgs), msgs[0].Header)
	}
	ack, err := netlink.ParseAck(msgs[0])
	if err != nil || ack.Errno != unix.ENODEV {
		t.Fatalf("ParseAck: %+v, %v; want ENODEV", ack, err)
	}

	// Through Execute, three times (the buffer grows once).
	for range 3 {
		msgs, err := c.Execute(ctx, req)
		if !errors.Is(err, unix.ENODEV) || errors.Is(err, netlink.ErrTruncated) {
			t.Fatalf("Execute: %v, %v; want ENODEV", msgs, err)
		}
	}
	if _, err := c.Execute(ctx, xcGetLink(1, 0)); err != nil {
		t.Fatalf("Execute after the large ACKs: %v", err)
	}
}

// A context deadline that passes while the caller is inside a Dump's loop
// ends the Dump with DeadlineExceeded; the rest of the dump is discarded,
// and the next exchanges on the Conn are whole.
func TestFaultDumpDeadlineInLoop(t *testing.T) {
	xcBackends(t, testFaultDumpDeadlineInLoop)
}

func testFaultDumpDeadlineInLoop(t *testing.T, env *xcEnv) {
	v := env.veth(t, "fd0")
	const routes = 3000
	xcInstallRoutes(t, env.dial(t, netlink.Config{}), routes, v)
	c := env.dial(t, netlink.Config{DatagramBuffer: 4096})
	all, err := c.DumpAll(xcCtx(t), xcRouteDump())
	if err != nil || len(all) < routes {
		t.Fatalf("DumpAll: %d routes, %v", len(all), err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	n := 0
	var last error
	for _, err := range c.Dump(ctx, xcRouteDump()) {
		if err != nil {
			last = err
			break
		}
		if n++; n == 10 {
			<-ctx.Done()
		}
	}
	if !errors.Is(last, context.DeadlineExceeded) || n >= routes {
		t.Fatalf("%d routes, then %v; want DeadlineExceeded before the end", n, last)
	}
	var oe *netlink.OpError
	if !errors.As(last, &oe) || !oe.Timeout() {
		t.Errorf("%#v: not an *OpError that says Timeout", last)
	}
	msgs, err := c.DumpAll(xcCtx(t), xcRouteDump())
	if err != nil || len(msgs) != len(all) {
		t.Fatalf("DumpAll after: %d routes, %v; want %d", len(msgs), err, len(all))
	}
	msgs, err = c.Execute(xcCtx(t), xcGetLink(v, 0))
	if err != nil {
		t.Fatal(err)
	}
	xcCheckLink(t, msgs, v, "fd0")

	// A read deadline set on the Conn cuts a dump the same way.
	c.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	n, last = 0, nil
	for _, err := range c.Dump(context.Background(), xcRouteDump()) {
		if err != nil {
			last = err
			break
		}
		if n++; n == 10 {
			time.Sleep(200 * time.Millisecond)
		}
	}
	if !os.IsTimeout(last) || n >= routes {
		t.Fatalf("read deadline: %d routes, then %v; want a timeout", n, last)
	}
	c.SetReadDeadline(time.Time{})
	if msgs, err := c.DumpAll(xcCtx(t), xcRouteDump()); err != nil || len(msgs) != len(all) {
		t.Fatalf("DumpAll after the read deadline: %d routes, %v", len(msgs), err)
	}
}

// Close from another goroutine while a Dump's caller is in its loop: the
// Dump ends with ErrClosed, short of the end. Close while an Execute
// collects a long dump: it returns ErrClosed and no messages.
func TestFaultCloseMidDumpAndExecute(t *testing.T) {
	xcBackends(t, testFaultCloseMidDumpAndExecute)
}

func testFaultCloseMidDumpAndExecute(t *testing.T, env *xcEnv) {
	v := env.veth(t, "fc0")
	const routes = 20000
	xcInstallRoutes(t, env.dial(t, netlink.Config{}), routes, v)
	dial := func() *netlink.Conn { return env.dial(t, netlink.Config{DatagramBuffer: 4096}) }

	t.Run("Dump", func(t *testing.T) {
		c := dial()
		closed := make(chan error, 1)
		n := 0
		var last error
		for _, err := range c.Dump(context.Background(), xcRouteDump()) {
			if err != nil {
				last = err
				break
			}
			if n++; n == 1 {
				// Close from another goroutine, and go on only once it
				// has returned: the rest of the dump comes after it.
				go func() { closed <- c.Close() }()
				select {
				case err := <-closed:
					if err != nil {
						t.Errorf("Close: %v", err)
					}
				case <-time.After(skWait):
					t.Fatal("Close did not return while the Dump's caller was in its loop")
				}
			}
		}
		if !errors.Is(last, netlink.ErrClosed) || n >= routes {
			t.Errorf("Dump after Close: %d routes, then %v; want ErrClosed before the end", n, last)
		}
	})

	t.Run("Execute", func(t *testing.T) {
		dump := netlink.Message{Header: netlink.Header{Type: unix.RTM_GETROUTE, Flags: netlink.Dump}, Data: xcRouteDump().Data}
		cut := 0
		for i := range 10 {
			c := dial()
			res := make(chan error, 1)
			go func() {
				msgs, err := c.Execute(context.Background(), dump)
				if err != nil && msgs != nil {
					err = fmt.Errorf("%d messages with %w", len(msgs), err)
				}
				res <- err
			}()
			time.Sleep(time.Duration(1+i) * time.Millisecond)
			if err := c.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
			select {
			case err := <-res:
				switch {
				case errors.Is(err, netlink.ErrClosed):
					cut++
				case err != nil:
					t.Errorf("Execute: %v, want nil or ErrClosed", err)
				}
			case <-time.After(skWait):
				t.Fatal("Close did not wake Execute")
			}
		}
		// Whether Close lands while Execute still collects the dump is
		// the scheduler's choice, so only logged; TestFaultCloseWakesExecute
		// shows Close waking an Execute that waits for certain.
		t.Logf("%d of 10 Executes were cut by Close", cut)
	})
}

// Close wakes an Execute whose request the kernel has taken and will never
// answer: it returns ErrClosed. The fake kernel says when it has the
// request, so the Close comes after it whatever the scheduler does.
func TestFaultCloseWakesExecute(t *testing.T) {
	got := make(chan struct{}, 1)
	k := nltest.New(unix.NETLINK_ROUTE, func(netlink.Message) ([]netlink.Message, error) {
		got <- struct{}{}
		return nil, nltest.ErrNoReply
	})
	c, err := k.Dial(&netlink.Config{})
	if err != nil {
		t.Fatal(err)
	}
	res := make(chan error, 1)
	go func() {
		_, err := c.Execute(context.Background(), xcGetLink(1, 0))
		res <- err
	}()
	<-got
	if err := c.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	select {
	case err := <-res:
		if !errors.Is(err, netlink.ErrClosed) {
			t.Errorf("Execute: %v, want ErrClosed", err)
		}
	case <-time.After(skWait):
		t.Fatal("Close did not wake Execute")
	}
}

// Close races Execute, Dump, Batch and Receive on many Conns: each call returns
// a result or ErrClosed, and none hangs.
func TestFaultCloseRacesExchanges(t *testing.T) {
	xcBackends(t, testFaultCloseRacesExchanges)
}

func testFaultCloseRacesExchanges(t *testing.T, env *xcEnv) {
	rounds := 200
	if testing.Short() {
		rounds = 50
	}
	for i := range rounds {
		c := env.dial(t, netlink.Config{Groups: []uint32{unix.RTNLGRP_LINK}})
		var wg sync.WaitGroup
		errs := make(chan error, 4)
		wg.Add(4)
		go func() {
			defer wg.Done()
			reqs := make([]netlink.Message, 50)
			for k := range reqs {
				reqs[k] = xcGetLink(1, 0)
			}
			results, err := c.Batch(context.Background(), reqs)
			for k, r := range results {
				if err == nil && r != nil || err != nil && r != nil && !errors.Is(r, netlink.ErrClosed) {
					err = fmt.Errorf("request %d: %w", k, r)
					break
				}
			}
			errs <- err
		}()
		go func() {
			defer wg.Done()
			_, err := c.Execute(context.Background(), xcGetLink(1, 0))
			errs <- err
		}()
		go func() {
			defer wg.Done()
			var last error
			for _, err := range c.Dump(context.Background(), xcLinkDump()) {
				last = err
			}
			errs <- last
		}()
		go func() {
			defer wg.Done()
			_, err := c.Receive(context.Background())
			errs <- err
		}()
		if i%2 == 1 {
			time.Sleep(time.Duration(i%7) * 100 * time.Microsecond)
		}
		c.Close()
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(skWait):
			t.Fatalf("round %d: a call did not return after Close", i)
		}
		close(errs)
		for err := range errs {
			if err != nil && !errors.Is(err, netlink.ErrClosed) {
				t.Fatalf("round %d: %v, want nil or ErrClosed", i, err)
			}
		}
	}
}

// fNamedNS makes a named namespace the way nstest does (so that a killed
// run's leftovers are removed by the next), which the test deletes itself.
func fNamedNS(t *testing.T) string {
	t.Helper()
	ns := nstest.New(t) // only to skip when not root, and for the name's form
	name := fmt.Sprintf("%s-gone", ns.Name)
	if out, err := exec.Command("ip", "netns", "add", name).CombinedOutput(); err != nil {
		t.Fatalf("ip netns add: %v: %s", err, out)
	}
	t.Cleanup(func() { exec.Command("ip", "netns", "del", name).Run() })
	return name
}

// A namespace deleted (ip netns del) while a Conn in it is open lives on
// as long as the Conn: requests, dumps and notifications still work there.
// Dial by its path fails with ENOENT.
func TestFaultNetNSDeleted(t *testing.T) {
	name := fNamedNS(t)
	path := "/run/netns/" + name
	c, err := netlink.Dial(unix.NETLINK_ROUTE, &netlink.Config{NetNS: path, Groups: []uint32{unix.RTNLGRP_LINK}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if out, err := exec.Command("ip", "netns", "del", name).CombinedOutput(); err != nil {
		t.Fatalf("ip netns del: %v: %s", err, out)
	}
	if _, err := netlink.Dial(unix.NETLINK_ROUTE, &netlink.Config{NetNS: path}); !errors.Is(err, unix.ENOENT) {
		t.Errorf("Dial in the deleted namespace: %v, want ENOENT", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), skWait)
	defer cancel()
	msgs, err := c.DumpAll(ctx, xcLinkDump())
	if err != nil || len(msgs) != 1 {
		t.Fatalf("DumpAll: %d links, %v; want lo alone", len(msgs), err)
	}
	// Set lo up, through the Conn: its own notification comes back.
	up := skIfinfo(1)
	binary.NativeEndian.PutUint32(up[8:], unix.IFF_UP)
	binary.NativeEndian.PutUint32(up[12:], unix.IFF_UP)
	if _, err := c.Execute(ctx, netlink.Message{Header: netlink.Header{Type: unix.RTM_NEWLINK, Flags: netlink.Acknowledge}, Data: up}); err != nil {
		t.Fatalf("RTM_NEWLINK in the deleted namespace: %v", err)
	}
	skReceiveUntil(t, c, "lo's notification", func(m netlink.Message) bool { return skLinkName(m) == "lo" })
	if err := c.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
}

// Without CAP_NET_ADMIN, a change is refused with EPERM, wrapped in an
// *OpError, in Execute and per request in Batch; reads still work, and
// the Conn is unharmed. What counts is the capability of the thread that
// sends, not of the one that opened the socket. (Dial with Config.NetNS
// opens the socket on a thread of its own.)
func TestFaultNoCapNetAdmin(t *testing.T) {
	ns := nstest.New(t)
	c := skRoute(t, ns, nil)
	ctx, cancel := context.WithTimeout(context.Background(), skWait)
	defer cancel()
	up := skIfinfo(1)
	binary.NativeEndian.PutUint32(up[8:], unix.IFF_UP)
	binary.NativeEndian.PutUint32(up[12:], unix.IFF_UP)
	change := netlink.Message{Header: netlink.Header{Type: unix.RTM_NEWLINK, Flags: netlink.Acknowledge}, Data: up}

	var execErr, getErr, batchErr error
	var batch []error
	skWithoutCap(t, unix.CAP_NET_ADMIN, func() {
		_, execErr = c.Execute(ctx, change)
		_, getErr = c.Execute(ctx, xcGetLink(1, 0))
		batch, batchErr = c.Batch(ctx, []netlink.Message{change, change})
	})
	var oe *netlink.OpError
	if !errors.Is(execErr, unix.EPERM) || !errors.As(execErr, &oe) {
		t.Errorf("Execute without CAP_NET_ADMIN: %#v, want an *OpError wrapping EPERM", execErr)
	}
	if getErr != nil {
		t.Errorf("GETLINK without CAP_NET_ADMIN: %v", getErr)
	}
	if batchErr != nil || len(batch) != 2 || !errors.Is(batch[0], unix.EPERM) || !errors.Is(batch[1], unix.EPERM) {
		t.Errorf("Batch without CAP_NET_ADMIN: %v, %v; want EPERM twice", batch, batchErr)
	}
	if _, err := c.Execute(ctx, change); err != nil {
		t.Errorf("Execute with the capability afterwards: %v", err)
	}

	// A socket opened by a thread without the capability: the thread
	// goes into the test's namespace to open it, so that the socket is not
	// in the host's, and comes back (a thread parked in a namespace would
	// outlive the test if it were the main thread).
	var dialErr error
	var weak *netlink.Conn
	skWithoutCap(t, unix.CAP_NET_ADMIN, func() {
		orig, err := unix.Open("/proc/thread-self/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			dialErr = err
			return
		}
		defer unix.Close(orig)
		target, err := unix.Open(ns.Path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			dialErr = err
			return
		}
		defer unix.Close(target)
		if dialErr = unix.Setns(target, unix.CLONE_NEWNET); dialErr != nil {
			return
		}
		weak, dialErr = netlink.Dial(unix.NETLINK_ROUTE, nil)
		if err := unix.Setns(orig, unix.CLONE_NEWNET); err != nil && dialErr == nil {
			dialErr = fmt.Errorf("back to the thread's namespace: %w", err)
		}
	})
	if dialErr != nil {
		t.Fatalf("Dial without CAP_NET_ADMIN: %v", dialErr)
	}
	defer weak.Close()
	// The kernel checks the opener's capabilities only for datagrams sent
	// without a destination address (write(2)); Conn always names one, so
	// only the sending thread's capability counts.
	if _, err := weak.Execute(ctx, change); err != nil {
		t.Errorf("change from a capable thread on a Conn opened without CAP_NET_ADMIN: %v", err)
	}
	if _, err := weak.Execute(ctx, xcGetLink(1, 0)); err != nil {
		t.Errorf("GETLINK on a Conn opened without CAP_NET_ADMIN: %v", err)
	}
}

// A kernel reply larger than the Conn's buffer and spare together: the
// Execute it answers fails with ErrTruncated (the reply is lost), the Conn
// goes on, and the same request afterwards gets its whole reply.
func TestFaultExecuteReplyTruncated(t *testing.T) {
	ns := nstest.New(t)
	// The smallest receive buffer makes the spare 1 MiB (see
	// TestConnTruncatedDatagram); the error ACK echoes a 1.2 MiB request.
	c := skRoute(t, ns, &netlink.Config{ReadBuffer: 1, WriteBuffer: 4 << 20})
	e := netlink.NewAttrEncoder(skIfinfo(0x7ffffff0))
	filler := skPayload(60000)
	for k := range 21 {
		e.Bytes(0x3f00+uint16(k), filler)
	}
	data, err := e.Finish()
	if err != nil {
		t.Fatal(err)
	}
	req := netlink.Message{Header: netlink.Header{Type: unix.RTM_GETLINK, Flags: netlink.Acknowledge}, Data: data}
	ctx, cancel := context.WithTimeout(context.Background(), skWait)
	defer cancel()
	_, err = c.Execute(ctx, req)
	if !errors.Is(err, netlink.ErrTruncated) {
		t.Fatalf("Execute with a %d-byte ACK: %v, want ErrTruncated", len(data)+2*netlink.HeaderLen+4, err)
	}
	t.Logf("first: %v", err)
	if _, err := c.Execute(ctx, req); !errors.Is(err, unix.ENODEV) {
		t.Fatalf("Execute again: %v, want ENODEV (the whole ACK)", err)
	}
	// (A GETLINK here would fail with ErrOverrun: a receive buffer this
	// small holds the reply or the ACK, not both.)
}

// An option the kernel does not know (ENOPROTOOPT): SetOption fails with
// an *OpError wrapping it and the Conn goes on; Dial with it in
// Config.Options fails with Op "dial" and leaves no socket open. (Dial's
// default, ExtendedAck, is let go on a kernel that refuses it, before
// 4.12; no kernel this test runs on does.)
func TestFaultOptionRefused(t *testing.T) {
	ns := nstest.New(t)
	c := skRoute(t, ns, nil)
	const unknown = netlink.Option(99)
	var oe *netlink.OpError
	err := c.SetOption(unknown, true)
	if !errors.Is(err, unix.ENOPROTOOPT) || !errors.As(err, &oe) {
		t.Errorf("SetOption(%v): %#v, want an *OpError wrapping ENOPROTOOPT", unknown, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), skWait)
	defer cancel()
	if _, err := c.Execute(ctx, xcGetLink(1, 0)); err != nil {
		t.Errorf("Execute after the refused option: %v", err)
	}

	fds := nstest.FDs()
	bad, err := netlink.Dial(unix.NETLINK_ROUTE, &netlink.Config{NetNS: ns.Path, Options: []netlink.Option{netlink.CapAck, unknown}})
	if err == nil {
		bad.Close()
		t.Fatalf("Dial with %v succeeded", unknown)
	}
	if !errors.Is(err, unix.ENOPROTOOPT) || !errors.As(err, &oe) || oe.Op != "dial" {
		t.Errorf("Dial with %v: %#v, want an *OpError for dial wrapping ENOPROTOOPT", unknown, err)
	}
	if err := nstest.LeakedFDs(fds); err != nil {
		t.Errorf("after the failed Dial: %v", err)
	}
}
