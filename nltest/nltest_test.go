package nltest_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/nltest"
)

const (
	typeGet = netlink.TypeMinType + 2 // a GET request of the test's protocol
	typeNew = netlink.TypeMinType     // its replies
)

func dial(t *testing.T, h nltest.Handler) (*nltest.Kernel, *netlink.Conn) {
	t.Helper()
	k := nltest.New(0, h)
	c, err := k.Dial(nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return k, c
}

func entry(i int) netlink.Message {
	e := netlink.NewAttrEncoder(make([]byte, 16)) // an ifinfomsg's room
	e.Uint32(4, uint32(i))
	b, _ := e.Finish()
	return netlink.Message{Header: netlink.Header{Type: typeNew}, Data: b}
}

func TestExecuteAck(t *testing.T) {
	var got netlink.Message
	_, c := dial(t, func(req netlink.Message) ([]netlink.Message, error) {
		got = req
		return []netlink.Message{entry(7)}, nil
	})
	msgs, err := c.Execute(context.Background(), netlink.Message{Header: netlink.Header{Type: typeGet}, Data: []byte{1, 2, 3, 4}})
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 1 || msgs[0].Header.Type != typeNew || !bytes.Equal(msgs[0].Data, entry(7).Data) {
		t.Fatalf("replies %v", msgs)
	}
	if got.Header.Flags != netlink.Request|netlink.Acknowledge || got.Header.PortID != c.LocalAddr().PortID || !bytes.Equal(got.Data, []byte{1, 2, 3, 4}) {
		t.Errorf("handler got %v %x", got.Header, got.Data)
	}
}

func TestExecuteExtAck(t *testing.T) {
	_, c := dial(t, func(req netlink.Message) ([]netlink.Message, error) {
		return nil, &nltest.Error{Errno: syscall.EEXIST, Message: "already there", Offset: netlink.HeaderLen + 16}
	})
	req := entry(1)
	req.Header.Type = typeNew
	_, err := c.Execute(context.Background(), req)
	var oe *netlink.OpError
	if !errors.As(err, &oe) || !errors.Is(err, syscall.EEXIST) {
		t.Fatalf("error %v", err)
	}
	if oe.Message != "already there" || oe.Offset != netlink.HeaderLen+16 || oe.AttrType != 4 || oe.Request != typeNew {
		t.Errorf("error %+v", oe)
	}
	// A plain errno.
	_, c = dial(t, func(req netlink.Message) ([]netlink.Message, error) { return nil, syscall.ENODEV })
	if _, err := c.Execute(context.Background(), req); !errors.Is(err, syscall.ENODEV) {
		t.Fatalf("error %v", err)
	}
}

func TestDumpMultipart(t *testing.T) {
	const n = 500 // several datagrams
	_, c := dial(t, func(req netlink.Message) ([]netlink.Message, error) {
		if req.Header.Flags&netlink.Dump != netlink.Dump {
			t.Errorf("flags %v", req.Header.Flags)
		}
		var out []netlink.Message
		for i := range n {
			out = append(out, entry(i))
		}
		return out, nil
	})
	i := 0
	for m, err := range c.Dump(context.Background(), netlink.Message{Header: netlink.Header{Type: typeGet}}) {
		if err != nil {
			t.Fatal(err)
		}
		if m.Header.Flags&netlink.Multi == 0 || !bytes.Equal(m.Data, entry(i).Data) {
			t.Fatalf("message %d: %v %x", i, m.Header, m.Data)
		}
		i++
	}
	if i != n {
		t.Fatalf("%d messages, want %d", i, n)
	}
	// Stopping early leaves the Conn usable: the rest is drained.
	for range c.Dump(context.Background(), netlink.Message{Header: netlink.Header{Type: typeGet}}) {
		break
	}
	if msgs, err := c.DumpAll(context.Background(), netlink.Message{Header: netlink.Header{Type: typeGet}}); err != nil || len(msgs) != n {
		t.Fatalf("%d messages, %v", len(msgs), err)
	}
}

func TestDumpInterrupted(t *testing.T) {
	calls := 0
	_, c := dial(t, func(req netlink.Message) ([]netlink.Message, error) {
		calls++
		m := entry(calls)
		if calls == 1 {
			m.Header.Flags |= netlink.DumpInterrupted
		}
		return []netlink.Message{m}, nil
	})
	var err error
	for _, err = range c.Dump(context.Background(), netlink.Message{Header: netlink.Header{Type: typeGet}}) {
	}
	if !errors.Is(err, netlink.ErrDumpInterrupted) {
		t.Fatalf("error %v", err)
	}
	// DumpAll retries until the dump is consistent.
	msgs, err := c.DumpAll(context.Background(), netlink.Message{Header: netlink.Header{Type: typeGet}})
	if err != nil || len(msgs) != 1 || !bytes.Equal(msgs[0].Data, entry(2).Data) {
		t.Fatalf("%v, %v", msgs, err)
	}
}

func TestOverrun(t *testing.T) {
	var k *nltest.Kernel
	lose := true
	k, c := dial(t, func(req netlink.Message) ([]netlink.Message, error) {
		if lose {
			lose = false
			k.Overrun() // the reply and the ACK are dropped
		}
		return []netlink.Message{entry(1)}, nil
	})
	if err := c.JoinGroup(1); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := c.Execute(ctx, netlink.Message{Header: netlink.Header{Type: typeGet}}); !errors.Is(err, netlink.ErrOverrun) {
		t.Fatalf("error %v, want ErrOverrun", err)
	}
	// Receive reports the loss once; then the Conn works again.
	if _, err := c.Receive(ctx); !errors.Is(err, netlink.ErrOverrun) {
		t.Fatalf("Receive: %v, want ErrOverrun", err)
	}
	if msgs, err := c.Execute(ctx, netlink.Message{Header: netlink.Header{Type: typeGet}}); err != nil || len(msgs) != 1 {
		t.Fatalf("after the overrun: %v, %v", msgs, err)
	}
	k.Notify(1, entry(9))
	msgs, err := c.Receive(ctx)
	if err != nil || len(msgs) != 1 || !bytes.Equal(msgs[0].Data, entry(9).Data) {
		t.Fatalf("notification: %v, %v", msgs, err)
	}
}

// Notifications go to the Conns in their group: joined at Dial or with
// JoinGroup, past 32 too, until LeaveGroup.
func TestNotifyGroup(t *testing.T) {
	k := nltest.New(0, func(netlink.Message) ([]netlink.Message, error) { return nil, nil })
	at, err := k.Dial(&netlink.Config{Groups: []uint32{3}})
	if err != nil {
		t.Fatal(err)
	}
	defer at.Close()
	later, err := k.Dial(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer later.Close()
	if err := later.JoinGroup(40); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	k.Notify(40, entry(40))
	k.Notify(3, entry(3))
	for _, c := range []*netlink.Conn{at, later} {
		d, err := c.ReceiveDatagram(ctx)
		if err != nil || d.From.PortID != 0 {
			t.Fatalf("%+v, %v", d, err)
		}
		want := uint32(3)
		if c == later {
			want = 40
		}
		if d.Group != want || !bytes.Equal(d.Data[netlink.HeaderLen:], entry(int(want)).Data) {
			t.Errorf("Conn in group %d got the notification of group %d", want, d.Group)
		}
	}
	if err := later.LeaveGroup(40); err != nil {
		t.Fatal(err)
	}
	k.Notify(40, entry(40))
	quiet(t, at, later)
}

// quiet fails the test if a notification reaches one of conns.
func quiet(t *testing.T, conns ...*netlink.Conn) {
	t.Helper()
	for _, c := range conns {
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		d, err := c.ReceiveDatagram(ctx)
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("port %d got %+v, %v; want nothing", c.LocalAddr().PortID, d, err)
		}
	}
}

func TestContextAndDeadline(t *testing.T) {
	_, c := dial(t, func(netlink.Message) ([]netlink.Message, error) { return nil, nltest.ErrNoReply })
	req := netlink.Message{Header: netlink.Header{Type: typeGet}}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := c.Execute(ctx, req); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Execute: %v, want context.DeadlineExceeded", err)
	}
	c.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	if _, err := c.Receive(context.Background()); !errors.Is(err, os.ErrDeadlineExceeded) || !os.IsTimeout(err) {
		t.Fatalf("Receive: %v, want a timeout", err)
	}
	c.SetReadDeadline(time.Time{})
	// Close wakes a blocked Receive.
	errc := make(chan error, 1)
	go func() { _, err := c.Receive(context.Background()); errc <- err }()
	time.Sleep(20 * time.Millisecond)
	c.Close()
	select {
	case err := <-errc:
		if !errors.Is(err, netlink.ErrClosed) {
			t.Fatalf("Receive after Close: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not wake Receive")
	}
}

func TestTrace(t *testing.T) {
	var trace strings.Builder
	k := nltest.New(0, func(req netlink.Message) ([]netlink.Message, error) { return nil, nil })
	c, err := k.Dial(&netlink.Config{Trace: &trace, PortID: 77})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Execute(context.Background(), netlink.Message{Header: netlink.Header{Type: 18}, Data: make([]byte, 16)}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"netlink route: sent 32 bytes to the kernel\n  RTM_GETLINK len=32 flags=REQUEST|ACK seq=2147483649 port=77\n",
		"netlink route: received 36 bytes from the kernel\n  ERROR len=36 flags=CAPPED seq=2147483649 port=77\n    ack of RTM_GETLINK seq=2147483649\n",
	} {
		if !strings.Contains(trace.String(), want) {
			t.Errorf("trace lacks %q:\n%s", want, trace.String())
		}
	}
}

// Many goroutines run exchanges on one Conn while notifications flow.
func TestConcurrent(t *testing.T) {
	k, c := dial(t, func(req netlink.Message) ([]netlink.Message, error) {
		if req.Header.Flags&netlink.Dump == netlink.Dump {
			return []netlink.Message{entry(1), entry(2), entry(3)}, nil
		}
		return []netlink.Message{entry(int(req.Header.Sequence))}, nil
	})
	if err := c.JoinGroup(1); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	errc := make(chan error, 8)
	for g := range 8 {
		go func() {
			for range 100 {
				var err error
				if g%2 == 0 {
					var msgs []netlink.Message
					msgs, err = c.DumpAll(ctx, netlink.Message{Header: netlink.Header{Type: typeGet}})
					if err == nil && len(msgs) != 3 {
						err = errors.New("short dump")
					}
				} else {
					_, err = c.Execute(ctx, netlink.Message{Header: netlink.Header{Type: typeGet}})
				}
				if err != nil {
					errc <- err
					return
				}
			}
			errc <- nil
		}()
	}
	for i := range 50 {
		k.Notify(1, entry(i))
	}
	for range 8 {
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
	}
	for i := range 50 {
		msgs, err := c.Receive(ctx)
		if err != nil || len(msgs) != 1 || !bytes.Equal(msgs[0].Data, entry(i).Data) {
			t.Fatalf("notification %d: %v, %v", i, msgs, err)
		}
	}
}

func TestBatch(t *testing.T) {
	_, c := dial(t, func(req netlink.Message) ([]netlink.Message, error) {
		if req.Data[0] == 2 {
			return nil, syscall.EEXIST
		}
		return nil, nil
	})
	var reqs []netlink.Message
	for i := range 3 {
		reqs = append(reqs, netlink.Message{Header: netlink.Header{Type: typeNew}, Data: []byte{byte(i + 1), 0, 0, 0}})
	}
	results, err := c.Batch(context.Background(), reqs)
	if err != nil || results[0] != nil || !errors.Is(results[1], syscall.EEXIST) || results[2] != nil {
		t.Fatalf("%v, %v", results, err)
	}
}

// A change a Handler reports reaches the group with the request's sequence
// number and port; with NLM_F_ECHO the requester gets it as its reply
// instead, and Receive does not.
func TestReportEcho(t *testing.T) {
	var k *nltest.Kernel
	k = nltest.New(0, func(req netlink.Message) ([]netlink.Message, error) {
		k.Report(req, 5, entry(int(req.Data[0])))
		return nil, nil
	})
	dial := func(cfg *netlink.Config) *netlink.Conn {
		c, err := k.Dial(cfg)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	c := dial(&netlink.Config{Groups: []uint32{5}})
	other := dial(&netlink.Config{Groups: []uint32{5}})
	outside := dial(nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req := func(i byte, flags netlink.HeaderFlags) netlink.Message {
		return netlink.Message{Header: netlink.Header{Type: typeNew, Flags: flags}, Data: []byte{i, 0, 0, 0}}
	}

	// Without Echo: the group hears it, the requester too, through Receive.
	if msgs, err := c.Execute(ctx, req(1, netlink.Create)); err != nil || len(msgs) != 0 {
		t.Fatalf("Execute: %v, %v; want no replies", msgs, err)
	}
	for _, r := range []*netlink.Conn{c, other} {
		d, err := r.ReceiveDatagram(ctx)
		if err != nil {
			t.Fatal(err)
		}
		h, _ := netlink.ParseHeader(d.Data)
		if d.Group != 5 || d.From.Groups != 1<<4 || h.PortID != c.LocalAddr().PortID || h.Sequence&(1<<31) == 0 {
			t.Errorf("notification %+v, header %v; want group 5 with the request's port and sequence number", d, h)
		}
	}

	// With Echo: the requester's reply, and the rest of the group's
	// notification.
	msgs, err := c.Execute(ctx, req(2, netlink.Create|netlink.Echo))
	if err != nil || len(msgs) != 1 || !bytes.Equal(msgs[0].Data, entry(2).Data) {
		t.Fatalf("Execute with Echo: %v, %v; want the echo", msgs, err)
	}
	if msgs, err := other.Receive(ctx); err != nil || len(msgs) != 1 || !bytes.Equal(msgs[0].Data, entry(2).Data) {
		t.Errorf("the group: %v, %v", msgs, err)
	}
	// A requester outside the group gets its echo all the same.
	if msgs, err := outside.Execute(ctx, req(3, netlink.Create|netlink.Echo)); err != nil || len(msgs) != 1 {
		t.Errorf("Execute with Echo outside the group: %v, %v", msgs, err)
	}
	for _, r := range []*netlink.Conn{c, other} {
		if msgs, err := r.Receive(ctx); err != nil || len(msgs) != 1 || !bytes.Equal(msgs[0].Data, entry(3).Data) {
			t.Errorf("the group: %v, %v", msgs, err)
		}
	}
	quiet(t, c, other, outside)
}

// Overrun of one Conn leaves the others alone, and a dump's datagrams are
// not dropped while the queue is congested.
func TestOverrunOne(t *testing.T) {
	k := nltest.New(0, func(req netlink.Message) ([]netlink.Message, error) {
		if req.Header.Flags&netlink.Dump == netlink.Dump {
			var out []netlink.Message
			for i := range 300 {
				out = append(out, entry(i))
			}
			return out, nil
		}
		return []netlink.Message{entry(1)}, nil
	})
	a, err := k.Dial(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := k.Dial(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	get := netlink.Message{Header: netlink.Header{Type: typeGet}}
	k.Overrun(a)
	if _, err := b.Execute(ctx, get); err != nil {
		t.Errorf("the other Conn: %v", err)
	}
	if _, err := a.Execute(ctx, get); !errors.Is(err, netlink.ErrOverrun) {
		t.Errorf("the overrun Conn: %v, want ErrOverrun", err)
	}
	// Congested again: the dump comes whole, though its marker's ACK is
	// dropped.
	k.Overrun(a)
	msgs, err := a.DumpAll(ctx, get)
	if err != nil || len(msgs) != 300 {
		t.Errorf("dump on a congested queue: %d messages, %v; want 300", len(msgs), err)
	}
}

// An *Error with InDone fails a dump after its replies, in NLMSG_DONE.
func TestErrorInDone(t *testing.T) {
	_, c := dial(t, func(req netlink.Message) ([]netlink.Message, error) {
		return []netlink.Message{entry(1), entry(2)}, &nltest.Error{Errno: syscall.EINVAL, Message: "bad filter", InDone: true}
	})
	n := 0
	var last error
	for _, err := range c.Dump(context.Background(), netlink.Message{Header: netlink.Header{Type: typeGet}}) {
		if err != nil {
			last = err
			break
		}
		n++
	}
	var oe *netlink.OpError
	if n != 2 || !errors.Is(last, syscall.EINVAL) || !errors.As(last, &oe) || oe.Message != "bad filter" {
		t.Errorf("%d messages, then %v; want 2, then EINVAL with the message", n, last)
	}
}

// Two Conns cannot have one port.
func TestDialPortInUse(t *testing.T) {
	k, c := dial(t, func(netlink.Message) ([]netlink.Message, error) { return nil, nil })
	if _, err := k.Dial(&netlink.Config{PortID: c.LocalAddr().PortID}); !errors.Is(err, syscall.EADDRINUSE) {
		t.Errorf("Dial on port %d: %v, want EADDRINUSE", c.LocalAddr().PortID, err)
	}
}
