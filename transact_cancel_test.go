package netlink_test

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"syscall"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/nltest"
)

// A context done once the transaction's datagram is sent: the kernel has
// run it and queued its answers, so Transact reads them and reports the
// results, not ctx.Err().

// cancelAtSend is a Config.Trace that cancels a context when the Conn has
// sent its first datagram (the trace of a datagram is written once it is
// sent): for a Conn that sends nothing before it, the transaction's.
type cancelAtSend struct {
	cancel context.CancelFunc
	once   sync.Once
}

func (w *cancelAtSend) Write(p []byte) (int, error) {
	line, _, _ := bytes.Cut(p, []byte("\n"))
	if bytes.Contains(line, []byte(": sent ")) {
		w.once.Do(w.cancel)
	}
	return len(p), nil
}

// The scripted kernel answers the datagram; ctx is cancelled the moment
// the send returns, before the NOOP goes out.
func TestTransactCancelledAfterSend(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	k, c := newTrKernel(t, func(reqs []netlink.Message) []netlink.Datagram {
		return []netlink.Datagram{trAck(reqs[0], 0), trAck(reqs[1], syscall.EPERM)}
	})
	k.OnSend = func(b []byte, to netlink.Addr) error {
		err := k.send(b, to)
		if h, _ := netlink.ParseHeader(b); h.Type != netlink.TypeNoop {
			cancel()
		}
		return err
	}
	reqs := trReqs(3, netlink.Acknowledge)
	reqs[2].Header.Flags = 0 // no ACK asked, none given: applied
	res, err := c.Transact(ctx, reqs)
	if err != nil {
		t.Fatalf("Transact = %v; want the results: the answers were queued when ctx was done", err)
	}
	if res[0] != nil || !errors.Is(res[1], syscall.EPERM) || res[2] != nil {
		t.Errorf("results %v, want nil, EPERM, nil", res)
	}
	if ctx.Err() == nil {
		t.Fatal("ctx was not cancelled: the test tested nothing")
	}
}

// The same while another goroutine's Receive reads the socket: the answers
// it reads are handed over, whichever of the two reads them.
func TestTransactCancelledAfterSendOtherReader(t *testing.T) {
	k, c := newTrKernel(t, func(reqs []netlink.Message) []netlink.Datagram {
		return []netlink.Datagram{trAck(reqs[0], 0), trAck(reqs[1], syscall.ENOENT)}
	})
	rctx, stop := context.WithCancel(context.Background())
	received := make(chan error, 1)
	go func() {
		_, err := c.Receive(rctx)
		received <- err
	}()
	defer func() {
		stop()
		<-received
	}()
	for range 20 {
		ctx, cancel := context.WithCancel(context.Background())
		k.OnSend = func(b []byte, to netlink.Addr) error {
			err := k.send(b, to)
			if h, _ := netlink.ParseHeader(b); h.Type != netlink.TypeNoop {
				cancel()
			}
			return err
		}
		res, err := c.Transact(ctx, trReqs(2, netlink.Acknowledge))
		cancel()
		if err != nil || res[0] != nil || !errors.Is(res[1], syscall.ENOENT) {
			t.Fatalf("Transact = %v, %v; want nil, ENOENT", res, err)
		}
	}
}

// A Socket that never answers, while another goroutine's Receive waits
// on it and ctx is cancelled after the send: Transact does not wait for
// answers that will never come, but says the outcome is unknown.
func TestTransactCancelledAfterSendNoAnswer(t *testing.T) {
	k, c := newTrKernel(t, func(reqs []netlink.Message) []netlink.Datagram { return nil })
	k.marker = func(netlink.Message) []netlink.Datagram { return nil }
	rctx, stop := context.WithCancel(context.Background())
	received := make(chan error, 1)
	go func() {
		_, err := c.Receive(rctx)
		received <- err
	}()
	defer func() {
		stop()
		<-received
	}()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	k.OnSend = func(b []byte, to netlink.Addr) error {
		err := k.send(b, to)
		cancel()
		return err
	}
	res, err := c.Transact(ctx, trReqs(2, netlink.Acknowledge))
	if !errors.Is(err, netlink.ErrOutcomeUnknown) || !errors.Is(err, context.Canceled) {
		t.Fatalf("Transact = %v; want context.Canceled in ErrOutcomeUnknown", err)
	}
	for i, r := range res {
		if !errors.Is(r, netlink.ErrOutcomeUnknown) {
			t.Errorf("result %d = %v, want ErrOutcomeUnknown", i, r)
		}
	}
}

// A context done before the datagram is sent: nothing went out, and the
// error does not wrap ErrOutcomeUnknown.
func TestTransactCancelledBeforeSend(t *testing.T) {
	k, c := newTrKernel(t, func(reqs []netlink.Message) []netlink.Datagram {
		return []netlink.Datagram{trAck(reqs[0], 0)}
	})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res, err := c.Transact(ctx, trReqs(1, netlink.Acknowledge))
	if !errors.Is(err, context.Canceled) || errors.Is(err, netlink.ErrOutcomeUnknown) {
		t.Fatalf("Transact = %v; want context.Canceled, not ErrOutcomeUnknown", err)
	}
	if !errors.Is(res[0], context.Canceled) {
		t.Errorf("result 0 = %v, want context.Canceled", res[0])
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if len(k.sent) != 0 {
		t.Errorf("sent %d datagrams, want none", len(k.sent))
	}
}

// The Conn is closed after the datagram went out and before the answers
// are read: ErrClosed, in ErrOutcomeUnknown.
func TestTransactClosedAfterSend(t *testing.T) {
	var c *netlink.Conn
	k, c := newTrKernel(t, func(reqs []netlink.Message) []netlink.Datagram { return nil })
	k.marker = func(netlink.Message) []netlink.Datagram {
		c.Close()
		return nil
	}
	res, err := c.Transact(trCtx(t), trReqs(1, netlink.Acknowledge))
	if !errors.Is(err, netlink.ErrClosed) || !errors.Is(err, netlink.ErrOutcomeUnknown) {
		t.Fatalf("Transact = %v; want ErrClosed in ErrOutcomeUnknown", err)
	}
	if !errors.Is(res[0], netlink.ErrOutcomeUnknown) {
		t.Errorf("result 0 = %v, want ErrOutcomeUnknown", res[0])
	}
}

// On the fake kernel, which runs a datagram's requests while it is sent,
// as the kernel does: a batch whose ctx is cancelled as the send returns
// gets its results, the refused request's error among them.
func TestTransactCancelledAfterSendNltest(t *testing.T) {
	const typeAdd, typeBad = netlink.TypeMinType, netlink.TypeMinType + 1
	var mu sync.Mutex
	applied := 0
	k := nltest.New(12, func(req netlink.Message) ([]netlink.Message, error) {
		if req.Header.Type == typeBad {
			return nil, &nltest.Error{Errno: syscall.ENOENT, Message: "no such thing"}
		}
		mu.Lock()
		applied++
		mu.Unlock()
		return nil, nil
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c, err := k.Dial(&netlink.Config{Trace: &cancelAtSend{cancel: cancel}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	reqs := []netlink.Message{
		{Header: netlink.Header{Type: typeAdd, Flags: netlink.Acknowledge}},
		{Header: netlink.Header{Type: typeBad, Flags: netlink.Acknowledge}},
		{Header: netlink.Header{Type: typeAdd}},
	}
	res, err := c.Transact(ctx, reqs)
	if err != nil {
		t.Fatalf("Transact = %v; want the results", err)
	}
	var oe *netlink.OpError
	if res[0] != nil || !errors.As(res[1], &oe) || oe.Err != syscall.ENOENT || oe.Message != "no such thing" || res[2] != nil {
		t.Errorf("results %v, want nil, ENOENT (no such thing), nil", res)
	}
	if ctx.Err() == nil {
		t.Fatal("ctx was not cancelled: the test tested nothing")
	}
	mu.Lock()
	defer mu.Unlock()
	if applied != 2 {
		t.Errorf("the fake ran %d requests, want 2", applied)
	}
}
