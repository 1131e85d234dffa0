package netlink

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"iter"
	"slices"
	"sync"
	"syscall"
)

// exchangeBit is set in the sequence numbers of Execute, Dump and Batch and
// clear in those of Send. A reply with it set that no exchange waits for is
// a leftover of a finished one (a late ACK, the rest of a cancelled dump)
// and is discarded, never handed to Receive or to another request.
const exchangeBit uint32 = 1 << 31

// waiter is an exchange in flight: the sequence numbers it owns and the
// messages other goroutines read for it.
type waiter struct {
	first, n uint32        // owns first, first+1, ... first+n-1
	wake     chan struct{} // signalled when inbox or err change
	inbox    []byte        // its messages, copied by other readers; guarded by Conn.mu
	spare    []byte        // the inbox buffer being processed
	err      error         // set by another reader: ErrOverrun
	dump     uint8         // its part in the dumps' turns; guarded by Conn.mu
}

// Dump states of a waiter. The kernel runs one dump per socket at a time
// and refuses another with EBUSY meanwhile, so dumps take turns: a dump
// holds the turn from before its request is sent until the kernel ends it
// (its DONE, an error, or a reply that was no dump).
const (
	dumpNone    = iota
	dumpWaiting // waits for the turn
	dumpClaimed // holds the turn; its request is not sent yet
	dumpRunning // holds the turn; the kernel runs its dump
	dumpGhost   // holds the turn for a dump its exchange gave up: the rest is discarded
)

var waiters = sync.Pool{New: func() any { return &waiter{wake: make(chan struct{}, 1)} }}

func (w *waiter) owns(seq uint32) bool { return seq-w.first < w.n }

func (w *waiter) signal() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// begin registers a waiter for n new sequence numbers.
func (c *Conn) begin(n int) *waiter {
	w := waiters.Get().(*waiter)
	w.n = uint32(n)
	for {
		// A compare-and-swap, not Add then Store: two exchanges that both
		// moved the counter would get the same numbers.
		old := c.xseq.Load()
		first, last := old+1, old+w.n
		if first&exchangeBit == 0 || last < first || last&exchangeBit == 0 {
			// Move the counter into the exchange range and past a wrap.
			first, last = exchangeBit+1, exchangeBit+w.n
		}
		if c.xseq.CompareAndSwap(old, last) {
			w.first = first
			break
		}
	}
	c.mu.Lock()
	c.pending = append(c.pending, w)
	c.mu.Unlock()
	return w
}

// end unregisters w; replies that still arrive for it are discarded.
func (c *Conn) end(w *waiter) {
	c.mu.Lock()
	for i, p := range c.pending {
		if p == w {
			if w.dump == dumpRunning && w.err == nil {
				// The kernel still runs the dump: a ghost keeps the turn
				// until the rest, which readers discard, is through.
				c.pending[i] = &waiter{first: w.first, n: w.n, dump: dumpGhost}
				break
			}
			c.pending = append(c.pending[:i], c.pending[i+1:]...)
			c.pending[len(c.pending):cap(c.pending)][0] = nil
			if w.dump >= dumpClaimed {
				c.nextDump()
			}
			break
		}
	}
	w.inbox, w.spare, w.err, w.dump = w.inbox[:0], w.spare[:0], nil, dumpNone
	c.mu.Unlock()
	select {
	case <-w.wake:
	default:
	}
	waiters.Put(w)
}

// find returns the exchange that owns seq, or nil. c.mu is held.
func (c *Conn) find(seq uint32) *waiter {
	for _, w := range c.pending {
		if w.owns(seq) {
			return w
		}
	}
	return nil
}

func isGhost(w *waiter) bool { return w.dump == dumpGhost }

// dumpEnded notes that the kernel ended w's dump. c.mu is held.
func (c *Conn) dumpEnded(w *waiter) {
	if w.dump == dumpGhost {
		c.pending = slices.DeleteFunc(c.pending, isGhost)
	} else {
		w.dump = dumpNone
	}
	c.nextDump()
}

// nextDump wakes the dumps that wait for their turn. c.mu is held.
func (c *Conn) nextDump() {
	for _, p := range c.pending {
		if p.dump == dumpWaiting {
			p.signal()
		}
	}
}

// claimDump waits for w's turn to dump and claims it. While the kernel runs
// another exchange's dump, it reads for it, so that the dump ends even when
// its owner is busy (as the loop of a Dump that called this Dump is).
func (c *Conn) claimDump(ctx context.Context, w *waiter, buf *[]byte) error {
	for {
		c.mu.Lock()
		holder, err := c.dumpHolder(w), w.err
		if holder == dumpNone && err == nil {
			w.dump = dumpClaimed
		} else {
			w.dump = dumpWaiting
		}
		c.mu.Unlock()
		if err != nil {
			return err
		}
		if holder == dumpNone {
			return nil
		}
		token := c.token
		if holder == dumpClaimed {
			token = nil // its request is not sent: nothing to read for it yet
		}
		select {
		case <-w.wake:
			continue
		case <-ctx.Done():
			return ctx.Err()
		case <-c.done:
			return ErrClosed
		case token <- struct{}{}:
		}
		c.mu.Lock()
		running := c.dumpHolder(w) >= dumpRunning
		c.mu.Unlock()
		if running { // its messages keep coming until the kernel ends it
			_, err = c.read(ctx, buf, w)
		}
		<-c.token
		if err != nil {
			return err
		}
	}
}

// dumpHolder returns the dump state of the exchange other than w that holds
// the turn, or dumpNone. c.mu is held.
func (c *Conn) dumpHolder(w *waiter) uint8 {
	for _, p := range c.pending {
		if p != w && p.dump >= dumpClaimed {
			return p.dump
		}
	}
	return dumpNone
}

// dumpSent notes that w's dump request went out. The waiting dumps may now
// read for it.
func (c *Conn) dumpSent(w *waiter) {
	c.mu.Lock()
	if w.dump == dumpClaimed {
		w.dump = dumpRunning
		c.nextDump()
	}
	c.mu.Unlock()
}

// getBuf and putBuf lend read buffers to exchanges and Receive.
func (c *Conn) getBuf() *[]byte  { return c.bufs.Get().(*[]byte) }
func (c *Conn) putBuf(b *[]byte) { c.bufs.Put(b) }

// read reads one datagram into *buf and hands out what is not self's: other
// exchanges' messages go to their inboxes, leftovers of finished exchanges
// are discarded, datagrams from user-space ports are dropped unless
// accepted, and the rest is for Receive. When self is nil (the reader is
// Receive) that rest is returned; otherwise it is queued for Receive and
// read returns the datagram for self to pick its own messages from. The
// caller holds c.token.
func (c *Conn) read(ctx context.Context, buf *[]byte, self *waiter) (Datagram, error) {
	var d Datagram
	err := c.withContext(ctx, true, func(wait bool) error {
		var err error
		d, err = c.sys.recv(buf, wait)
		return err
	})
	if errors.Is(err, ErrOverrun) {
		c.drain(buf)
		c.overrun(self)
	}
	if err != nil {
		return Datagram{}, err
	}
	return c.dispatch(d, self)
}

// maxDrain bounds the datagrams drain reads, should they keep coming.
const maxDrain = 1 << 16

// drain reads what is queued on the socket after an overrun, without
// blocking, and hands it out as read does. Until its receive queue is empty
// the kernel keeps the socket congested and silently drops every reply, so
// a request sent meanwhile would wait for ever.
func (c *Conn) drain(buf *[]byte) {
	for range maxDrain {
		d, err := c.sys.recv(buf, false)
		if err != nil {
			return
		}
		if r, err := c.dispatch(d, nil); err == nil && r.Data != nil {
			c.enqueue(r)
		}
	}
}

// dispatch hands out the datagram d that read got; see read.
func (c *Conn) dispatch(d Datagram, self *waiter) (Datagram, error) {
	if d.From.PortID != 0 && !c.acceptPeers {
		c.dropped.Add(1)
		return Datagram{}, nil
	}
	if d.Group != 0 || d.From.Groups != 0 || d.From.PortID != 0 {
		// Multicast, even when it carries the sequence number of the
		// request that caused it, or a user-space peer (accepted above):
		// for Receive. Exchanges talk to the kernel only, so a peer
		// cannot answer in the kernel's place.
		if self != nil {
			c.enqueue(d)
			return Datagram{}, nil
		}
		return d, nil
	}
	// Every waiter, self included, owns only sequence numbers with
	// exchangeBit set; the others are replies to Send, for Receive.
	c.mu.Lock()
	defer c.mu.Unlock()
	rest, all := 0, true
	for m, err := range Messages(d.Data) {
		if err != nil {
			return Datagram{}, err
		}
		seq := m.Header.Sequence
		if seq&exchangeBit == 0 {
			rest++
			continue
		}
		all = false
		w := c.find(seq)
		if w != nil && w.dump >= dumpClaimed && (m.Header.Type == TypeDone || m.Header.Flags&Multi == 0) {
			c.dumpEnded(w)
		}
		switch {
		case w != nil && w == self:
			// self picks its own messages from d.
		case w == nil || w.dump == dumpGhost:
			c.stale.Add(1)
		default:
			w.inbox = AppendMessage(w.inbox, m.Header, m.Data)
			w.signal()
		}
	}
	if rest == 0 {
		if self == nil {
			return Datagram{}, nil // nothing in d is for Receive
		}
		return d, nil
	}
	r := d
	if !all {
		r.Data, r.copied = nil, true
		for m := range Messages(d.Data) {
			if m.Header.Sequence&exchangeBit == 0 {
				r.Data = AppendMessage(r.Data, m.Header, m.Data)
			}
		}
	}
	if self == nil {
		return r, nil
	}
	c.enqueueLocked(r)
	return d, nil
}

// enqueue keeps a copy of d for Receive, or notes the loss when the queue
// is full.
func (c *Conn) enqueue(d Datagram) {
	c.mu.Lock()
	c.enqueueLocked(d)
	c.mu.Unlock()
}

func (c *Conn) enqueueLocked(d Datagram) {
	if len(c.queue) >= c.queueLimit {
		c.lost = true
	} else {
		if !d.copied {
			d.Data, d.copied = append([]byte(nil), d.Data...), true
		}
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

// overrun records that the kernel dropped messages: Receive reports it, and
// every exchange in flight fails, since its replies may be lost (self learns
// of it from read's error).
func (c *Conn) overrun(self *waiter) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if self != nil {
		c.lost = true // Receive was not the reader: it learns of it later
	}
	for _, w := range c.pending {
		// self too: it must not leave a ghost behind, since the reply that
		// would end the ghost (an error refusing the dump) may be lost.
		w.err = fmt.Errorf("%w: %w", ErrOverrun, syscall.ENOBUFS)
		if w != self {
			w.signal()
		}
	}
	// What would end a ghost's dump may be among the lost messages.
	if i := slices.IndexFunc(c.pending, isGhost); i >= 0 {
		c.pending = slices.Delete(c.pending, i, i+1)
		c.nextDump()
	}
	c.wakeReceive()
}

// receive returns the next datagram for Receive: from the queue, or read
// into *buf.
func (c *Conn) receive(ctx context.Context, buf *[]byte) (Datagram, error) {
	for {
		c.mu.Lock()
		if len(c.queue) > 0 {
			d := c.queue[0]
			c.queue[0] = Datagram{}
			c.queue = c.queue[1:]
			if len(c.queue) > 0 {
				c.wakeReceive() // another Receive may wait for the next one
			}
			c.mu.Unlock()
			return d, nil
		}
		if c.lost {
			c.lost = false
			c.mu.Unlock()
			return Datagram{}, c.opError("receive", fmt.Errorf("%w: %w", ErrOverrun, syscall.ENOBUFS))
		}
		c.mu.Unlock()
		held, err := c.takeToken(ctx, c.queueWake, func() bool { return len(c.queue) > 0 || c.lost })
		if err != nil {
			return Datagram{}, c.opError("receive", err)
		}
		if !held {
			continue
		}
		d, err := c.read(ctx, buf, nil)
		<-c.token
		if err != nil {
			return Datagram{}, c.opError("receive", err)
		}
		if d.Data != nil {
			return d, nil
		}
	}
}

// takeToken waits until the caller holds c.token, and returns true then.
// It returns false, without the token, when wake is signalled or when ready
// (called under c.mu once the token is taken) says that another reader has
// already handed the caller something: the caller looks at that first.
func (c *Conn) takeToken(ctx context.Context, wake <-chan struct{}, ready func() bool) (bool, error) {
	select {
	case <-wake:
		return false, nil
	case <-ctx.Done():
		return false, ctx.Err()
	case <-c.done:
		return false, ErrClosed
	case c.token <- struct{}{}:
	}
	c.mu.Lock()
	r := ready()
	c.mu.Unlock()
	if r {
		<-c.token
		return false, nil
	}
	return true, nil
}

// await reads until handle, called with each message for w, says the
// exchange is done or fails. Messages read from the socket are handled
// after the token is released, so handle may run other exchanges on c.
func (c *Conn) await(ctx context.Context, w *waiter, buf *[]byte, handle func(Message) (bool, error)) error {
	for {
		if err := ctx.Err(); err != nil {
			return err // before select, which could pick a ready read instead
		}
		c.mu.Lock()
		// Swap the buffers: others append to one while this goroutine
		// reads the other, however it leaves the loop.
		in, failed := w.inbox, w.err
		w.inbox, w.spare = w.spare[:0], in[:0]
		c.mu.Unlock()
		// What arrived before a failure (an overrun) may complete the
		// exchange: a request the kernel applied is not reported failed.
		for m := range Messages(in) {
			if done, err := handle(m); done || err != nil {
				return err
			}
		}
		if failed != nil {
			return failed
		}
		if len(in) > 0 {
			continue
		}
		held, err := c.takeToken(ctx, w.wake, func() bool { return len(w.inbox) > 0 || w.err != nil })
		if err != nil {
			return err
		}
		if !held {
			continue
		}
		d, err := c.read(ctx, buf, w)
		<-c.token
		if err != nil {
			return err
		}
		for m := range Messages(d.Data) {
			if !w.owns(m.Header.Sequence) {
				continue
			}
			if done, err := handle(m); done || err != nil {
				return err
			}
		}
	}
}

// Execute sends the request req and returns its replies in memory the
// caller owns, once the request is complete: after the ACK when req asks for
// one (the ACK message is then the last message returned, for ParseAck to
// read warnings from), after DONE for a dump, after the single reply
// otherwise. A request the kernel answers with nothing must ask for an ACK,
// or Execute waits until ctx is done. Execute sets the Request flag, the
// sequence number and the port ID. An NLMSG_ERROR reply is returned as an
// *OpError with the kernel's extended ACK. A dump marked interrupted
// returns its messages and an error wrapping ErrDumpInterrupted.
func (c *Conn) Execute(ctx context.Context, req Message) ([]Message, error) {
	w := c.begin(1)
	defer c.end(w)
	buf := c.getBuf()
	defer c.putBuf(buf)
	isDump := req.Header.Flags&Dump == Dump
	if isDump {
		if err := c.claimDump(ctx, w, buf); err != nil {
			return nil, c.opError("execute", err)
		}
	}
	h, err := c.send(ctx, Addr{}, []Message{req}, w.first, Request)
	if err != nil {
		return nil, c.opError("execute", err)
	}
	if isDump {
		c.dumpSent(w)
	}
	req.Header = h
	ack := req.Header.Flags&Acknowledge != 0
	var out []byte
	var intr bool
	err = c.await(ctx, w, buf, func(m Message) (bool, error) {
		// The kernel checks consistency once more when it ends a dump.
		intr = intr || m.Header.Flags&DumpInterrupted != 0
		done := m.Header.Flags&Multi == 0 && !ack
		switch m.Header.Type {
		case TypeNoop:
			return false, nil
		case TypeDone:
			return !ack || isDump, c.doneError("execute", m, req)
		case TypeError:
			if err := c.ackError("execute", m, req); err != nil {
				return true, err
			}
			done = true // the ACK, kept for ParseAck
		}
		// Grown to fit first: a single reply costs a single allocation.
		out = AppendMessage(slices.Grow(out, MessageSpace(len(m.Data))), m.Header, m.Data)
		return done, nil
	})
	if err != nil {
		return nil, c.opError("execute", err)
	}
	msgs, err := collect(out)
	if err == nil && intr {
		err = c.requestError("execute", ErrDumpInterrupted, req.Header.Sequence, req, noExtAck)
	}
	return msgs, err
}

// Dump sends the dump request req (adding the Request and Dump flags) and
// yields the messages of the reply as they arrive. Each message aliases a
// buffer that the next iteration reuses: copy what must live longer. Memory
// stays constant whatever the size of the table, because the kernel makes
// the next part of a dump only when the socket is read; but while another
// goroutine reads the Conn (Receive, another exchange, a dump started in
// the loop body), what it reads of this dump is kept for it until the loop
// gets there. Breaking out of the
// loop reads and discards the rest of the dump, so the Conn stays usable.
// An error ends the iteration; when the kernel marked the dump as
// interrupted (NLM_F_DUMP_INTR), every message is yielded and then an error
// wrapping ErrDumpInterrupted: see DumpAll to retry until consistent. The
// kernel runs one dump per socket at a time, so the dumps of a Conn (Dump,
// and Execute with the Dump flags) take turns: one waits until the kernel
// has ended the one before, reading it through if its owner does not.
func (c *Conn) Dump(ctx context.Context, req Message) iter.Seq2[Message, error] {
	return func(yield func(Message, error) bool) {
		w := c.begin(1)
		defer c.end(w)
		buf := c.getBuf()
		defer c.putBuf(buf)
		if err := c.claimDump(ctx, w, buf); err != nil {
			yield(Message{}, c.opError("dump", err))
			return
		}
		h, err := c.send(ctx, Addr{}, []Message{req}, w.first, Request|Dump)
		if err != nil {
			yield(Message{}, c.opError("dump", err))
			return
		}
		c.dumpSent(w)
		req.Header = h
		stopped, intr := false, false
		err = c.await(ctx, w, buf, func(m Message) (bool, error) {
			// The kernel checks consistency once more when it ends a dump.
			intr = intr || m.Header.Flags&DumpInterrupted != 0
			switch m.Header.Type {
			case TypeNoop:
				return false, nil
			case TypeError:
				return true, c.ackError("dump", m, req)
			case TypeDone:
				return true, c.doneError("dump", m, req)
			}
			if !stopped && !yield(m, nil) {
				stopped = true
			}
			return m.Header.Flags&Multi == 0, nil
		})
		switch {
		case stopped:
		case err != nil:
			yield(Message{}, c.opError("dump", err))
		case intr:
			yield(Message{}, c.requestError("dump", ErrDumpInterrupted, h.Sequence, req, noExtAck))
		}
	}
}

// DumpAll runs the dump req until the kernel completes it without
// NLM_F_DUMP_INTR, at most ten times, and returns the messages of the first
// consistent run in memory the caller owns.
func (c *Conn) DumpAll(ctx context.Context, req Message) ([]Message, error) {
	var err error
	for range 10 {
		var out []byte
		err = nil
		for m, e := range c.Dump(ctx, req) {
			if e != nil {
				err = e
				break
			}
			out = AppendMessage(out, m.Header, m.Data)
		}
		if !errors.Is(err, ErrDumpInterrupted) {
			if err != nil {
				return nil, err
			}
			return collect(out)
		}
	}
	return nil, err
}

// ackCost is what the kernel charges the receive buffer for one ACK (the
// skb's truesize, rounded up), used to size Batch's chunks so their ACKs fit.
const ackCost = 1024

// Batch sends the requests reqs, as many per datagram as the socket buffers
// allow, without waiting for each reply, and returns each request's result
// in order: nil or its *OpError. Batch asks every request for an ACK and
// ignores other replies. The error is for the batch as a whole (a failed
// send, ctx done, an overrun); every request that got no answer then has it
// as its result too, whether or not the kernel ran it.
func (c *Conn) Batch(ctx context.Context, reqs []Message) ([]error, error) {
	results := make([]error, len(reqs))
	if len(reqs) == 0 {
		return results, nil
	}
	rcvbuf, sndbuf := c.sys.buffers()
	maxCost := rcvbuf / 2
	maxBytes := max(4096, sndbuf/2)
	w := c.begin(len(reqs))
	defer c.end(w)
	buf := c.getBuf()
	defer c.putBuf(buf)
	// fail gives its error to every request that has no answer: those of
	// the chunk in flight still waiting, and those not sent.
	sent := 0
	fail := func(err error) ([]error, error) {
		err = c.opError("batch", err)
		for i := range results {
			if results[i] == errNoAnswer || i >= sent {
				results[i] = err
			}
		}
		return results, err
	}
	for start := 0; start < len(reqs); {
		end, size, cost := start, 0, 0
		for end < len(reqs) {
			n := MessageSpace(len(reqs[end].Data))
			// Without NETLINK_CAP_ACK an error echoes its request, in a
			// buffer that the allocator may round up to twice its size.
			cost += ackCost + 2*n
			if end > start && (size+n > maxBytes || cost > maxCost) {
				break
			}
			size += n
			end++
		}
		for i := start; i < end; i++ {
			results[i] = errNoAnswer
		}
		sent = end
		if _, err := c.send(ctx, Addr{}, reqs[start:end], w.first+uint32(start), Request|Acknowledge); err != nil {
			return fail(err)
		}
		left := end - start
		err := c.await(ctx, w, buf, func(m Message) (bool, error) {
			i := int(m.Header.Sequence - w.first)
			if m.Header.Type != TypeError || i < start || i >= end || results[i] != errNoAnswer {
				return false, nil
			}
			results[i] = c.ackError("batch", m, reqs[i])
			left--
			return left == 0, nil
		})
		if err != nil {
			return fail(err)
		}
		start = end
	}
	return results, nil
}

// errNoAnswer marks, inside Batch, a request whose answer has not come.
var errNoAnswer = errors.New("no answer yet")

// Extended ACK attributes (enum nlmsgerr_attrs).
const (
	errAttrMsg      = 1
	errAttrOffs     = 2
	errAttrCookie   = 3
	errAttrPolicy   = 4
	errAttrMissType = 5
	errAttrMissNest = 6
)

// ExtAck is what the kernel said about a request through extended ACK.
type ExtAck struct {
	Message     string // NLMSGERR_ATTR_MSG: the kernel's explanation or warning
	Offset      int    // NLMSGERR_ATTR_OFFS: offset of the bad attribute in the request, -1 if none
	AttrType    uint16 // the type of the request's attribute at Offset, 0 if unknown
	Cookie      []byte // NLMSGERR_ATTR_COOKIE
	MissingType uint16 // NLMSGERR_ATTR_MISS_TYPE: the attribute that was missing
	MissingNest int    // NLMSGERR_ATTR_MISS_NEST: offset of the nest it was missing from, -1 if none
	Policy      []byte // NLMSGERR_ATTR_POLICY: the policy that failed, as nested attributes
}

// noExtAck is the ExtAck of an error the kernel said nothing more about.
var noExtAck = ExtAck{Offset: -1, MissingNest: -1}

// ParseAck reads an NLMSG_ERROR message: the error code (0 for an ACK, an
// errno otherwise), the header of the request it answers, and any extended
// ACK. Works with and without NETLINK_CAP_ACK.
func ParseAck(m Message) (syscall.Errno, Header, ExtAck, error) {
	if m.Header.Type != TypeError {
		return 0, Header{}, noExtAck, fmt.Errorf("netlink: message type %v is not an ACK or error: %w", m.Header.Type, ErrMalformed)
	}
	if len(m.Data) < 4+HeaderLen {
		return 0, Header{}, noExtAck, fmt.Errorf("netlink: %d-byte error message is shorter than an error code and header: %w", len(m.Data), ErrMalformed)
	}
	errno := errnoOf(m.Data)
	req, _ := ParseHeader(m.Data[4:])
	rest := 4 + HeaderLen
	if m.Header.Flags&Capped == 0 {
		rest = 4 + Align(int(req.Length))
	}
	if m.Header.Flags&AckTLVs == 0 || rest > len(m.Data) {
		return errno, req, noExtAck, nil
	}
	ext, err := parseExtAck(m.Data[rest:])
	return errno, req, ext, err
}

// errnoOf reads the error code that starts the payload of NLMSG_ERROR and
// NLMSG_DONE: a negative errno, or 0.
func errnoOf(b []byte) syscall.Errno {
	code := int32(binary.NativeEndian.Uint32(b))
	if code < 0 {
		code = -code
	}
	return syscall.Errno(code)
}

// parseExtAck reads extended ACK attributes (NLMSGERR_ATTR_*).
func parseExtAck(b []byte) (ExtAck, error) {
	ext := noExtAck
	for a, err := range Attrs(b) {
		if err != nil {
			return ext, err
		}
		switch a.Type {
		case errAttrMsg:
			ext.Message = a.Str()
		case errAttrOffs:
			if v, err := a.Uint32(); err == nil {
				ext.Offset = int(v)
			}
		case errAttrCookie:
			ext.Cookie = append([]byte(nil), a.Data...)
		case errAttrPolicy:
			ext.Policy = append([]byte(nil), a.Data...)
		case errAttrMissType:
			if v, err := a.Uint32(); err == nil {
				ext.MissingType = uint16(v)
			}
		case errAttrMissNest:
			if v, err := a.Uint32(); err == nil {
				ext.MissingNest = int(v)
			}
		}
	}
	return ext, nil
}

// requestError is the *OpError for the request req with sequence number
// seq. The extended ACK offset is mapped to the type of the request's
// attribute it points at.
func (c *Conn) requestError(op string, err error, seq uint32, req Message, ext ExtAck) error {
	if off := ext.Offset - HeaderLen; ext.Offset >= HeaderLen && off+AttrHeaderLen <= len(req.Data) {
		ext.AttrType = binary.NativeEndian.Uint16(req.Data[off+2:]) & AttrTypeMask
	}
	return &OpError{Op: op, Protocol: c.proto, Err: err, Sequence: seq, ExtAck: ext}
}

// ackError turns an NLMSG_ERROR reply to req into an *OpError, or nil for
// an ACK.
func (c *Conn) ackError(op string, m Message, req Message) error {
	errno, _, ext, err := ParseAck(m)
	if err != nil {
		return err
	}
	if errno == 0 {
		return nil
	}
	return c.requestError(op, errno, m.Header.Sequence, req, ext)
}

// doneError reads the error code some dumps put in NLMSG_DONE, with its
// extended ACK.
func (c *Conn) doneError(op string, m Message, req Message) error {
	if len(m.Data) < 4 || errnoOf(m.Data) == 0 {
		return nil
	}
	ext := noExtAck
	if m.Header.Flags&AckTLVs != 0 {
		ext, _ = parseExtAck(m.Data[4:]) // what parsed before an error still helps
	}
	return c.requestError(op, errnoOf(m.Data), m.Header.Sequence, req, ext)
}
