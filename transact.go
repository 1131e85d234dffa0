package netlink

import (
	"context"
	"errors"
	"fmt"
	"math"
	"syscall"
)

// ErrNoAnswer is the result Transact gives a request that asked for an ACK
// and got no answer: the kernel did not run it, as when it refused the
// transaction as a whole (the answer to an earlier request says why).
var ErrNoAnswer = errors.New("netlink: the kernel did not answer the request")

// ErrOutcomeUnknown is wrapped by Transact's error when the datagram went
// out but the answers could not all be read: ctx was done before the
// answer that ends them (the NOOP's ACK) was there, an overrun dropped
// answers, the Conn was closed. The error wraps that cause too (errors.Is
// with context.Canceled, ErrOverrun or ErrClosed holds). The kernel ran the
// datagram while it was sent, so it applied the transaction or refused it;
// only the answers that did not come would say which. The results of the
// requests whose answers came stand; the others have this error. An error
// of Transact that does not wrap ErrOutcomeUnknown means that the datagram
// did not go out, and the kernel applied nothing of it.
var ErrOutcomeUnknown = errors.New("netlink transaction sent, but its outcome is unknown")

// maxDatagram is the largest datagram the kernel takes: its send buffer,
// twice what SO_SNDBUF is set to, is at most INT_MAX, less the 32 bytes
// netlink_sendmsg keeps.
const maxDatagram = math.MaxInt32 - 32

// Transact sends reqs in one datagram, which the kernel takes as one skb,
// as a protocol that runs a datagram's messages as one transaction needs
// (nfnetlink's batches: NFNL_MSG_BATCH_BEGIN, the changes,
// NFNL_MSG_BATCH_END), and returns each request's result in order: nil when
// the kernel acknowledged it, or did not answer a request that asked for no
// ACK; its *OpError when the kernel refused it; ErrNoAnswer (wrapped) when
// it asked for an ACK and got none. Transact sets Request on each request
// and leaves the other flags as they are: set Acknowledge where an answer is
// wanted. A request the kernel runs as a dump is answered by the dump's
// NLMSG_DONE, which comes in time only for a dump of one part: use Dump for
// dumps.
//
// The kernel runs the datagram while Transact sends it, so all its answers
// are queued by then: Transact follows it with a NOOP request and is done at
// that request's ACK. Transact grows the socket's send buffer to hold the
// datagram and its receive buffer to hold the answers (past the system
// limits when the process has CAP_NET_ADMIN). A datagram the kernel still
// finds too large is refused whole, with an error wrapping EMSGSIZE, so
// nothing of it is applied.
//
// ctx bounds Transact's waits: to send, and for the answers. Once the
// datagram is sent, though, its answers are queued, and a ctx done from
// then on does not make Transact give up: it still sends the NOOP, reads
// the answers already there without waiting for more, and returns the
// results as if ctx were not done when they are all there (the NOOP's ACK
// is); only when they are not is the transaction's outcome unknown
// (ErrOutcomeUnknown, wrapping ctx.Err()).
//
// The error is for the transaction as a whole (a failed send, ctx done, an
// overrun); every request without an answer has it as its result too. It
// wraps ErrOutcomeUnknown when the datagram went out; otherwise nothing of
// the transaction was applied.
func (c *Conn) Transact(ctx context.Context, reqs []Message) ([]error, error) {
	results := make([]error, len(reqs))
	if len(reqs) == 0 {
		return results, nil
	}
	// Summed in 64 bits: where int has 32, payloads that share memory can
	// add up past it.
	size, answers := int64(0), int64(ackCost) // the NOOP's ACK
	capAck, _ := c.sys.option(CapAck)
	for _, r := range reqs {
		n := int64(MessageSpace(len(r.Data)))
		size += n
		// Every request may be refused, echoing itself unless CapAck.
		answers += ackCost
		if !capAck {
			answers += 2 * n
		}
	}
	if size > maxDatagram {
		return nil, c.opError("transact", fmt.Errorf("%d messages of %d bytes in all: more than the %d bytes of the largest datagram the kernel takes: %w",
			len(reqs), size, maxDatagram, syscall.EMSGSIZE))
	}
	rcvbuf, sndbuf := c.sys.buffers()
	if size+32 > int64(sndbuf) {
		// The kernel doubles what is set, and the datagram needs 32 bytes
		// more than its length.
		c.sys.setWriteBuffer(int(min(size/2+64, math.MaxInt32/2)))
	}
	if answers > int64(rcvbuf/2) {
		c.sys.setReadBuffer(int(min(answers, math.MaxInt32/2)))
	}

	w := c.begin(len(reqs)+1, false)
	defer c.end(w)
	for i := range results {
		results[i] = errNoAnswer
	}
	fail := func(err error) ([]error, error) {
		err = c.opError("transact", err)
		for i := range results {
			if results[i] == errNoAnswer {
				results[i] = err
			}
		}
		return results, err
	}
	overruns0 := c.overruns.Load()
	if _, err := c.sendExchange(ctx, w, w.first, reqs, Request, false); err != nil {
		if errors.Is(err, syscall.EMSGSIZE) {
			_, sndbuf = c.sys.buffers()
			err = fmt.Errorf("%d messages of %d bytes in all, past the socket's send buffer of %d bytes (raising it needs CAP_NET_ADMIN): %w",
				len(reqs), size, sndbuf, err)
		}
		return fail(err)
	}
	// The kernel has run the datagram: from here a failure leaves the
	// outcome unknown, and ctx done is no reason not to send the NOOP,
	// which does not block (only another sender can delay it).
	unknown := func(err error) ([]error, error) {
		return fail(&OpError{Op: "transact", Protocol: c.proto, Err: fmt.Errorf("%w: %w", ErrOutcomeUnknown, err), ExtAck: noExtAck})
	}
	marker := w.first + uint32(len(reqs))
	sendCtx := context.WithoutCancel(ctx)
	if err := c.lockSend(sendCtx); err != nil {
		return unknown(err)
	}
	sent := c.sendMarker(sendCtx, marker)
	<-c.sendTok
	if !sent {
		return unknown(errors.New("the NOOP request that ends the transaction could not be sent"))
	}
	handle := func(m Message, _ []byte) (bool, error) {
		if m.Header.Type != TypeError && m.Header.Type != TypeDone {
			return false, nil
		}
		if m.Header.Sequence == marker {
			if m.Header.Type == TypeDone {
				return false, nil
			}
			// An overrun since the datagram went out may have dropped
			// answers queued before the marker's ACK: a reader that drained
			// the socket in between let the kernel queue the ACK again.
			if c.overruns.Load() != overruns0 {
				return true, fmt.Errorf("%w: %w", ErrOverrun, syscall.ENOBUFS)
			}
			return true, nil
		}
		i := int(m.Header.Sequence - w.first)
		if results[i] != errNoAnswer {
			return false, nil
		}
		if m.Header.Type == TypeDone {
			// A request the kernel ran as a dump: done at its DONE.
			results[i] = c.doneError("transact", m, reqs[i])
		} else {
			results[i] = c.ackError("transact", m, reqs[i])
		}
		return false, nil
	}
	err := c.await(ctx, w, handle)
	if err != nil && ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		// Done after the send: what the kernel answered is there already.
		err = c.settle(ctx, w, handle)
	}
	if err != nil {
		return unknown(err)
	}
	for i, r := range results {
		if r != errNoAnswer {
			continue
		}
		results[i] = nil
		if reqs[i].Header.Flags&Acknowledge != 0 {
			results[i] = c.requestError("transact", ErrNoAnswer, w.first+uint32(i), reqs[i], noExtAck)
		}
	}
	return results, nil
}
