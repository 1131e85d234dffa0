package netlink

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"syscall"
)

// The reader: one goroutine at a time (the holder of Conn.token) reads the
// socket and hands each datagram to its owner; after an overrun it drains
// the socket; it follows the dump the kernel runs for the Conn. See the
// package documentation for the rules, and exchange.go for the calls that
// wait on what it hands out.

// getBuf and putBuf lend read buffers.
func (c *Conn) getBuf() *[]byte {
	b := c.bufs.Get().(*[]byte)
	*b = (*b)[:cap(*b)]
	return b
}

func (c *Conn) putBuf(b *[]byte) { c.bufs.Put(b) }

// read reads one datagram and routes it (see route). A datagram for Receive
// is returned, with the buffer it is in, when receiver is true (the reader
// is Receive); otherwise it is queued for Receive, and read returns no
// datagram. After ENOBUFS, read drains the socket and returns an error
// wrapping ErrOverrun. The caller holds c.token.
func (c *Conn) read(ctx context.Context, receiver bool) (Datagram, *[]byte, error) {
	b := c.getBuf()
	var d Datagram
	err := c.withContext(ctx, func(wait bool) error {
		how := recvTry
		if wait {
			how = recvWait
		}
		var err error
		d, err = c.sys.recv(b, how)
		return err
	})
	if errors.Is(err, ErrOverrun) {
		c.putBuf(b)
		c.drain(!receiver)
		return Datagram{}, nil, err
	}
	if err != nil && (!errors.Is(err, ErrTruncated) || len(d.Data) < HeaderLen) {
		c.putBuf(b)
		return Datagram{}, nil, err
	}
	to, overran := c.route(d, b, err)
	switch {
	case to == forReceive && receiver:
		return d, b, err
	case to == forReceive:
		c.keep(d, err)
	}
	if to != handedOver {
		c.putBuf(b)
	}
	if overran {
		c.drain(true)
	}
	return Datagram{}, nil, nil
}

// Where route sends a datagram.
const (
	handedOver = iota // to an exchange, with its buffer
	forReceive        // the caller hands it to Receive
	discarded         // dropped, or stale: the buffer is free again
)

// route hands the datagram d, read into b, to its owner. A datagram is one
// kernel skb: the reply to one request (a dump chunk, an ACK, an echo) or
// one notification, so the first message's header decides where all of it
// goes:
//   - from a user-space port: to Receive with AcceptPeers, dropped otherwise;
//     a peer cannot answer an exchange;
//   - unicast from the kernel with an exchange's sequence number: to that
//     exchange, or discarded as stale when none waits for it;
//   - multicast with the sequence number and port of an exchange that asked
//     for NLM_F_ECHO: to that exchange (the kernel's echo is the
//     notification, unicast to the requester);
//   - anything else (notifications, replies to Send): to Receive.
//
// When readErr is not nil (a datagram cut short), its owner gets readErr
// instead. route also follows the dump the kernel runs for the Conn (see
// followDump), and reports an overrun there, for the caller to drain.
func (c *Conn) route(d Datagram, b *[]byte, readErr error) (to int, overran bool) {
	if d.From.PortID != 0 {
		c.mu.Lock()
		c.heldBack()
		c.mu.Unlock()
		if !c.acceptPeers {
			c.dropped.Add(1)
			return discarded, false
		}
		return forReceive, false
	}
	h, err := ParseHeader(d.Data)
	multicast := d.Group != 0 || d.From.Groups != 0
	if err != nil || multicast && h.Sequence&exchangeBit == 0 {
		return forReceive, false // Receive reports what does not parse
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var w *waiter
	if h.Sequence&exchangeBit != 0 {
		w = c.find(h.Sequence)
	}
	if multicast && (w == nil || !w.echo || h.PortID != c.local.PortID || d.NSID != -1) {
		return forReceive, false // a notification (from another namespace, with ListenAllNSID)
	}
	switch {
	case readErr == nil && (h.Sequence == c.dumpSeq || w == nil || c.dumpSeq == lostDump):
		overran = c.followDump(h, d.Data)
	case readErr != nil && h.Sequence == c.dumpSeq:
		c.dumpSeq = lostDump // its end may be in what was cut off
	}
	if h.Sequence&exchangeBit == 0 {
		return forReceive, overran // a reply to Send
	}
	switch {
	case w == nil:
		c.stale.Add(1)
		return discarded, overran
	case readErr != nil:
		w.err = readErr
		w.signal()
		return discarded, overran
	}
	*b = d.Data
	w.inbox = append(w.inbox, b)
	w.signal()
	return handedOver, overran
}

// lostDump is the dumpSeq of a dump the kernel runs that no exchange
// follows, and the sequence number of the NOOP request that checks for one:
// no exchange ever owns it.
const lostDump = exchangeBit

// followDump notes what a unicast datagram from the kernel, with header h
// and bytes b, says of the dump the kernel runs for the Conn, even when its
// exchange has gone. c.mu is held.
//
// For the exchange holding the dump turn, NLMSG_DONE or an NLMSG_ERROR (a
// refusal, or the ACK of a request that was no dump) ends the dump, with
// two exceptions. ENOBUFS means the receive queue was full as the dump
// started: the kernel runs the dump on, and other replies may have been
// lost, so followDump reports an overrun. EBUSY means the kernel runs a
// dump the Conn lost track of (the drain after an overrun let go of its
// turn; a Batch or a Send started one): the turn passes to that lost dump,
// and the refused request is sent again once it ends.
//
// A lost dump ends with an NLMSG_DONE of any datagram the kernel sends the
// Conn. Or, when nothing came between a NOOP request that waitDump sent
// and the NOOP's ACK, it had ended already: reading the ACK would have made
// the kernel go on with a dump it runs. (The ACK comes before anything
// caused by requests sent after the NOOP, so an ACK is never mistaken for
// one of a later check.)
func (c *Conn) followDump(h Header, b []byte) (overran bool) {
	lost := c.dumpSeq == lostDump
	switch {
	case h.Sequence == lostDump: // the ACK of waitDump's NOOP
		c.noop = false
		if lost && !c.seen {
			c.endDump()
		} else if lost {
			c.wakeTurn() // dump traffic came: check again
		}
		return false
	case lost:
		c.seen = true
	case h.Sequence != c.dumpSeq:
		return false
	}
	c.peerRun = 0 // the kernel went on with the dump
	// Only the headers: a plain loop, as this runs for every datagram of
	// a dump before its messages are handed over.
	for len(b) >= HeaderLen {
		n := int(binary.NativeEndian.Uint32(b))
		if n < HeaderLen || n > len(b) {
			break
		}
		data := b[HeaderLen:n]
		switch t := HeaderType(binary.NativeEndian.Uint16(b[4:])); {
		case t == TypeDone:
			c.endDump()
		case t != TypeError || lost || len(data) < 4:
		case errnoOf(data) == syscall.ENOBUFS:
			overran = true
		case errnoOf(data) == syscall.EBUSY:
			c.dumpSeq = lostDump
		default:
			c.endDump()
		}
		b = b[min(Align(n), len(b)):]
	}
	return overran
}

// endDump gives the dump turn back. c.mu is held.
func (c *Conn) endDump() {
	c.peerRun = 0
	if c.dumpSeq != 0 {
		c.dumpSeq = 0
		c.wakeTurn()
	}
}

// heldBack counts a datagram from a user-space port, read while the kernel
// runs a dump for the Conn. The kernel makes a dump's next part only at a
// read that leaves the receive queue at most half full, and queues it
// behind what the queue holds; it reports nothing when it does not. So a
// dump part made at a read comes at the latest after as many datagrams as
// a full queue holds, and when twice that many came from peers since the
// dump's last datagram, peers refilled the queue at every read of a full
// queue's worth: they hold the dump back, and may do so for ever. The
// exchanges that wait for the dump then fail (see errHeldBack): its owner,
// and those waiting for the dump turn. c.mu is held.
func (c *Conn) heldBack() {
	if c.dumpSeq == 0 {
		return
	}
	if c.peerRun == 0 {
		rcvbuf, _ := c.sys.buffers()
		c.peerLimit = 2 * (rcvbuf/minTruesize + 1)
	}
	c.peerRun++
	if c.peerRun <= c.peerLimit {
		return
	}
	c.peerRun = 0
	for _, w := range c.pending {
		if w.turn || w.sent && w.owns(c.dumpSeq) {
			w.err = errHeldBack
			w.signal()
		}
	}
}

// errHeldBack is the error of exchanges that wait for a dump that
// datagrams from user-space ports hold back (see heldBack): the kernel
// does not drop the dump, but makes no more of it while they come.
var errHeldBack = fmt.Errorf("%w: %w: datagrams from user-space ports keep the receive queue over half full, and the kernel makes no more of the dump until it is not", ErrOverrun, syscall.ENOBUFS)

// wakeTurn wakes the exchanges that wait for the dump turn. c.mu is held.
func (c *Conn) wakeTurn() {
	for _, w := range c.pending {
		if w.turn {
			w.signal()
		}
	}
}

// maxDrain bounds the datagrams drain reads once the queue may have been
// emptied, against a peer that floods the socket as fast as it is read.
// While the socket is congested the kernel queues nothing new, so the
// queue only shrinks: drain reads at least what a full queue can hold.
const maxDrain = 1 << 16

// minTruesize is less than the memory the kernel charges for any datagram
// (an skb's truesize), to bound how many a full receive queue holds.
const minTruesize = 256

// drain reads the socket until it is empty, after the kernel reported an
// overrun (ENOBUFS). Until its receive queue is empty the kernel keeps the
// socket congested and silently drops every reply and notification, so
// reading less would leave requests waiting for replies that never come.
// What is read goes to its owners, the drainer's own replies included.
//
// Then every exchange whose request went out before the queue emptied and
// that is not complete fails with ErrOverrun: its replies may be lost. No
// request is sent while drain runs, so those are exactly the exchanges
// that have sent. A dump's messages are never dropped (the kernel makes
// them as the socket is read), so a dump the kernel ran has usually been
// read to its DONE, which completes its exchange. The dump turn is let go:
// the request that held it may have been refused in a lost reply. Should
// the kernel still run a dump (it makes the next part only after a read,
// and gives up with ENOBUFS when notifications filled the queue meanwhile),
// the next dump's EBUSY says so, and that dump is sent again once the
// kernel has ended the one it runs.
//
// When tellReceive is set, Receive reports the overrun when it is next
// called. The caller holds c.token.
func (c *Conn) drain(tellReceive bool) {
	c.overruns.Add(1)
	c.sendTok <- struct{}{}
	defer func() { <-c.sendTok }()
	b := c.getBuf()
	rcvbuf, _ := c.sys.buffers()
	for range maxDrain + rcvbuf/minTruesize {
		d, err := c.sys.recv(b, recvDrain)
		if errors.Is(err, ErrOverrun) {
			continue // dropped again: read on
		}
		if err != nil && (!errors.Is(err, ErrTruncated) || len(d.Data) < HeaderLen) {
			break // empty (errWouldBlock), or closed
		}
		switch to, _ := c.route(d, b, err); to {
		case handedOver:
			b = c.getBuf()
		case forReceive:
			c.keep(d, err)
		}
	}
	c.putBuf(b)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.lost = c.lost || tellReceive
	for _, w := range c.pending {
		if w.sent {
			w.err = fmt.Errorf("%w: %w", ErrOverrun, syscall.ENOBUFS)
			w.signal()
		}
	}
	c.endDump()
	c.wakeReceive()
}

// keep gives Receive the datagram d that route sent it: a copy in the
// queue, or, when reading it failed (err, a datagram cut short), the loss,
// which Receive reports.
func (c *Conn) keep(d Datagram, err error) {
	if err == nil {
		c.enqueue(d)
		return
	}
	c.mu.Lock()
	c.lost = true
	c.wakeReceive()
	c.mu.Unlock()
}

// enqueue keeps a copy of d for Receive, or notes the loss when the queue
// is full.
func (c *Conn) enqueue(d Datagram) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.queue) >= c.queueLimit {
		c.lost = true
	} else {
		d.Data = append([]byte(nil), d.Data...)
		c.queue = append(c.queue, d)
	}
	c.wakeReceive()
}

// wakeReceive wakes a goroutine waiting in Receive for the queue to grow.
func (c *Conn) wakeReceive() {
	select {
	case c.queueWake <- struct{}{}:
	default:
	}
}

// receive returns the next datagram for Receive: from the queue (a copy,
// with a nil buffer), or read into a buffer of the Conn's. Once the Conn is
// closed it returns ErrClosed, whatever the queue still holds.
func (c *Conn) receive(ctx context.Context) (Datagram, *[]byte, error) {
	for {
		select {
		case <-c.done:
			return Datagram{}, nil, ErrClosed
		default:
		}
		c.mu.Lock()
		if len(c.queue) > 0 {
			d := c.queue[0]
			c.queue[0] = Datagram{}
			c.queue = c.queue[1:]
			if len(c.queue) > 0 {
				c.wakeReceive() // another Receive may wait for the next one
			}
			c.mu.Unlock()
			return d, nil, nil
		}
		if c.lost {
			c.lost = false
			c.mu.Unlock()
			return Datagram{}, nil, fmt.Errorf("%w: %w", ErrOverrun, syscall.ENOBUFS)
		}
		c.mu.Unlock()
		held, err := c.takeToken(ctx, c.queueWake, func() bool { return len(c.queue) > 0 || c.lost })
		if err != nil {
			return Datagram{}, nil, err
		}
		if !held {
			continue
		}
		d, b, err := c.read(ctx, true)
		<-c.token
		if err != nil || b != nil {
			return d, b, err
		}
	}
}

// takeToken waits until the caller holds c.token, and returns true then.
// It returns false, without the token, when wake is signalled or when ready
// (called under c.mu once the token is taken) says that another reader has
// already handed the caller something: the caller looks at that first.
func (c *Conn) takeToken(ctx context.Context, wake <-chan struct{}, ready func() bool) (bool, error) {
	select {
	case c.token <- struct{}{}:
		// Free: the common case, without the cost of a four-way select.
		// A wake or an end that came meanwhile shows at the next turn.
		return c.tokenReady(ready), nil
	default:
	}
	select {
	case <-wake:
		return false, nil
	case <-ctx.Done():
		return false, ctx.Err()
	case <-c.done:
		return false, ErrClosed
	case c.token <- struct{}{}:
	}
	return c.tokenReady(ready), nil
}

// tokenReady is takeToken's end, once it has taken the token: it keeps it
// and returns true unless ready says that the caller has something to look
// at first.
func (c *Conn) tokenReady(ready func() bool) bool {
	c.mu.Lock()
	r := ready()
	c.mu.Unlock()
	if r {
		<-c.token
		return false
	}
	return true
}
