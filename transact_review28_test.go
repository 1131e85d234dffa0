package netlink_test

import (
	"context"
	"encoding/binary"
	"errors"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/socktest"
)

// Transact against a scripted kernel: what the kernel answers, in what
// order, is what each test queues.

const trPort = 4242

// trKernel is a scripted kernel for Transact: answer gets every request of
// the transaction's datagram (with its sequence number as sent) and returns
// the datagrams to queue for it; the NOOP marker that follows is answered
// with marker (nil: its ACK).
type trKernel struct {
	*socktest.Sock
	mu     sync.Mutex
	sent   [][]netlink.Message
	answer func(reqs []netlink.Message) []netlink.Datagram
	marker func(m netlink.Message) []netlink.Datagram
}

func newTrKernel(t *testing.T, answer func([]netlink.Message) []netlink.Datagram) (*trKernel, *netlink.Conn) {
	k := &trKernel{answer: answer}
	k.Sock = socktest.New(k.send)
	c, err := netlink.NewConn(12, k, &netlink.Config{PortID: trPort})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return k, c
}

func (k *trKernel) send(b []byte, _ netlink.Addr) error {
	var msgs []netlink.Message
	for m, err := range netlink.Messages(b) {
		if err != nil {
			return err
		}
		msgs = append(msgs, m)
	}
	k.mu.Lock()
	k.sent = append(k.sent, msgs)
	k.mu.Unlock()
	if len(msgs) == 1 && msgs[0].Header.Type == netlink.TypeNoop {
		if k.marker != nil {
			k.Queue(k.marker(msgs[0])...)
			return nil
		}
		k.Queue(trAck(msgs[0], 0))
		return nil
	}
	k.Queue(k.answer(msgs)...)
	return nil
}

// trAck is the kernel's NLMSG_ERROR answer to req with errno (0: an ACK),
// its request's header echoed.
func trAck(req netlink.Message, errno syscall.Errno) netlink.Datagram {
	data := make([]byte, 4+netlink.HeaderLen)
	binary.NativeEndian.PutUint32(data, uint32(-int32(errno)))
	h := req.Header
	binary.NativeEndian.PutUint32(data[4:], uint32(netlink.HeaderLen))
	binary.NativeEndian.PutUint16(data[8:], uint16(h.Type))
	binary.NativeEndian.PutUint16(data[10:], uint16(h.Flags))
	binary.NativeEndian.PutUint32(data[12:], h.Sequence)
	binary.NativeEndian.PutUint32(data[16:], h.PortID)
	flags := netlink.HeaderFlags(0)
	if errno == 0 {
		flags = netlink.Capped
	}
	return netlink.Datagram{
		Data: netlink.AppendMessage(nil, netlink.Header{Type: netlink.TypeError, Flags: flags, Sequence: h.Sequence, PortID: trPort}, data),
		NSID: -1,
	}
}

func trReqs(n int, flags netlink.HeaderFlags) []netlink.Message {
	reqs := make([]netlink.Message, n)
	for i := range reqs {
		reqs[i] = netlink.Message{Header: netlink.Header{Type: 0x100, Flags: flags}, Data: []byte{byte(i), 0, 0, 0}}
	}
	return reqs
}

func trCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// A request that the kernel runs as a dump is answered with NLMSG_DONE,
// not an ACK: Transact takes it as the request's answer (its error, when
// the DONE carries one), not as a request the kernel did not run.
func TestTransactDumpDoneReview28(t *testing.T) {
	_, c := newTrKernel(t, func(reqs []netlink.Message) []netlink.Datagram {
		var out []netlink.Datagram
		for i, r := range reqs {
			// The dump's only part: a reply and DONE in one datagram, as
			// the kernel sends a small dump.
			b := netlink.AppendMessage(nil, netlink.Header{Type: 0x100, Flags: netlink.Multi, Sequence: r.Header.Sequence, PortID: trPort}, []byte("obj"))
			errno := []byte{0, 0, 0, 0}
			if i == 1 {
				e := syscall.EINVAL
				binary.NativeEndian.PutUint32(errno, uint32(-int32(e)))
			}
			b = netlink.AppendMessage(b, netlink.Header{Type: netlink.TypeDone, Flags: netlink.Multi, Sequence: r.Header.Sequence, PortID: trPort}, errno)
			out = append(out, netlink.Datagram{Data: b, NSID: -1})
		}
		return out
	})
	res, err := c.Transact(trCtx(t), trReqs(2, netlink.Dump|netlink.Acknowledge))
	if err != nil {
		t.Fatal(err)
	}
	if res[0] != nil {
		t.Errorf("result 0 = %v, want nil: the kernel ran the dump to its DONE", res[0])
	}
	if !errors.Is(res[1], syscall.EINVAL) {
		t.Errorf("result 1 = %v, want EINVAL, the error its DONE carries", res[1])
	}
}

// The kernel drops an answer (an overrun) while it runs the transaction,
// and then queues more, the marker's ACK among them: the overrun is
// reported, not a transaction that went through with an unanswered
// request.
func TestTransactOverrunBeforeMarkerReview28(t *testing.T) {
	_, c := newTrKernel(t, func(reqs []netlink.Message) []netlink.Datagram {
		// Request 0's ACK, then request 1's error lost to an overrun, then
		// request 2's ACK.
		return []netlink.Datagram{trAck(reqs[0], 0), {}, trAck(reqs[2], 0)}
	})
	reqs := trReqs(3, 0)
	reqs[0].Header.Flags = netlink.Acknowledge
	reqs[2].Header.Flags = netlink.Acknowledge
	res, err := c.Transact(trCtx(t), reqs)
	if !errors.Is(err, netlink.ErrOverrun) || !errors.Is(err, netlink.ErrOutcomeUnknown) {
		t.Fatalf("Transact = %v, %v; want an error wrapping ErrOverrun and ErrOutcomeUnknown: request 1's answer may be lost", res, err)
	}
	if res[0] != nil {
		t.Errorf("result 0 = %v, want nil (its ACK came)", res[0])
	}
	if !errors.Is(res[1], netlink.ErrOverrun) {
		t.Errorf("result 1 = %v, want the overrun: its answer may have been dropped", res[1])
	}
}

// Hostile answers: out of order, duplicated, outside the transaction's
// numbers, a truncated NLMSG_ERROR; Transact neither panics nor mixes
// them up.
func TestTransactHostileAnswersReview28(t *testing.T) {
	_, c := newTrKernel(t, func(reqs []netlink.Message) []netlink.Datagram {
		short := netlink.AppendMessage(nil, netlink.Header{Type: netlink.TypeError, Sequence: reqs[1].Header.Sequence, PortID: trPort}, []byte{1, 2})
		stray := reqs[0]
		stray.Header.Sequence += 1000
		return []netlink.Datagram{
			trAck(reqs[2], syscall.EPERM),
			trAck(stray, syscall.EEXIST),
			trAck(reqs[0], syscall.ENOENT),
			trAck(reqs[0], 0), // a second answer to request 0: ignored
			{Data: short, NSID: -1},
		}
	})
	res, err := c.Transact(trCtx(t), trReqs(3, netlink.Acknowledge))
	if err != nil {
		t.Fatal(err)
	}
	if !errors.Is(res[0], syscall.ENOENT) || res[1] == nil || !errors.Is(res[2], syscall.EPERM) {
		t.Errorf("results %v, want ENOENT, an error (a truncated answer), EPERM", res)
	}
}

// Close from another goroutine ends a Transact whose kernel never answers.
func TestTransactCloseReview28(t *testing.T) {
	k, c := newTrKernel(t, func([]netlink.Message) []netlink.Datagram { return nil })
	k.marker = func(netlink.Message) []netlink.Datagram { return nil }
	sent := make(chan struct{})
	k.OnSend = func(b []byte, to netlink.Addr) error {
		err := k.send(b, to)
		if h, _ := netlink.ParseHeader(b); h.Type == netlink.TypeNoop {
			close(sent)
		}
		return err
	}
	done := make(chan error, 1)
	var res []error
	go func() {
		var err error
		res, err = c.Transact(context.Background(), trReqs(2, netlink.Acknowledge))
		done <- err
	}()
	<-sent
	c.Close()
	err := <-done
	if !errors.Is(err, netlink.ErrClosed) {
		t.Fatalf("Transact = %v, want ErrClosed", err)
	}
	for i, r := range res {
		if !errors.Is(r, netlink.ErrClosed) {
			t.Errorf("result %d = %v, want ErrClosed", i, r)
		}
	}
}

// A context cancelled while the kernel has not answered the marker ends
// Transact with the context's error, wrapped in ErrOutcomeUnknown, for
// every request without an answer; the answer that was there stands.
func TestTransactCancelReview28(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	k, c := newTrKernel(t, func(reqs []netlink.Message) []netlink.Datagram {
		return []netlink.Datagram{trAck(reqs[0], 0)}
	})
	k.marker = func(netlink.Message) []netlink.Datagram {
		cancel()
		return nil
	}
	res, err := c.Transact(ctx, trReqs(2, netlink.Acknowledge))
	if !errors.Is(err, context.Canceled) || !errors.Is(err, netlink.ErrOutcomeUnknown) {
		t.Fatalf("Transact = %v, want context.Canceled in ErrOutcomeUnknown", err)
	}
	if res[0] != nil {
		t.Errorf("result 0 = %v, want nil: its ACK was queued before ctx was done", res[0])
	}
	if !errors.Is(res[1], context.Canceled) || !errors.Is(res[1], netlink.ErrOutcomeUnknown) {
		t.Errorf("result 1 = %v, want context.Canceled in ErrOutcomeUnknown", res[1])
	}
	// The Conn still works: a late answer is discarded.
	k.marker = nil
	k.answer = func(reqs []netlink.Message) []netlink.Datagram {
		return []netlink.Datagram{trAck(reqs[0], syscall.EPERM)}
	}
	res, err = c.Transact(trCtx(t), trReqs(1, netlink.Acknowledge))
	if err != nil || !errors.Is(res[0], syscall.EPERM) {
		t.Fatalf("Transact after a cancelled one = %v, %v; want EPERM", res, err)
	}
}

// Many requests, none of which asks for an ACK, and requests whose
// sequence numbers and port IDs were set by the caller: Transact numbers
// them itself and answers each.
func TestTransactManyReview28(t *testing.T) {
	k, c := newTrKernel(t, func(reqs []netlink.Message) []netlink.Datagram {
		return []netlink.Datagram{trAck(reqs[len(reqs)-1], syscall.E2BIG)}
	})
	reqs := trReqs(100000, 0)
	for i := range reqs {
		reqs[i].Header.Sequence = 7
	}
	res, err := c.Transact(trCtx(t), reqs)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res[:len(res)-1] {
		if r != nil {
			t.Fatalf("result %d = %v, want nil", i, r)
		}
	}
	if !errors.Is(res[len(res)-1], syscall.E2BIG) {
		t.Errorf("last result %v, want E2BIG", res[len(res)-1])
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if got := len(k.sent[0]); got != len(reqs) {
		t.Fatalf("first datagram had %d messages, want %d", got, len(reqs))
	}
	for i, m := range k.sent[0] {
		if m.Header.Sequence != k.sent[0][0].Header.Sequence+uint32(i) || m.Header.Flags&netlink.Request == 0 {
			t.Fatalf("message %d sent as %+v", i, m.Header)
		}
	}
	if res, err := c.Transact(trCtx(t), nil); err != nil || len(res) != 0 {
		t.Errorf("Transact of nothing = %v, %v", res, err)
	}
}

// Requests whose datagram would pass the largest the kernel takes are
// refused before anything is sent, with EMSGSIZE, even where int is 32
// bits and their sizes add up past it (the payloads here share memory).
func TestTransactTooLargeReview28(t *testing.T) {
	k, c := newTrKernel(t, func([]netlink.Message) []netlink.Datagram { return nil })
	big := make([]byte, 800<<20)
	reqs := []netlink.Message{{Data: big}, {Data: big}, {Data: big}}
	res, err := c.Transact(trCtx(t), reqs)
	if !errors.Is(err, syscall.EMSGSIZE) {
		t.Fatalf("Transact of 2.4 GB = %v, %v; want EMSGSIZE", res, err)
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if len(k.sent) != 0 {
		t.Errorf("%d datagrams sent, want none", len(k.sent))
	}
}
