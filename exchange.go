package netlink

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"iter"
	"sync"
	"syscall"
	"time"
)

// exchangeBit is set in the sequence numbers of Execute, Dump and Batch and
// clear in those of Send. A reply with it set that no exchange waits for is
// a leftover of a finished one (a late ACK, the rest of an abandoned dump)
// and is discarded, never handed to Receive or to another request.
const exchangeBit uint32 = 1 << 31

// waiter is an exchange in flight: the sequence numbers it owns and the
// datagrams other goroutines read for it.
type waiter struct {
	first, n uint32        // owns first, first+1, ... first+n-1
	echo     bool          // its requests carry NLM_F_ECHO: echoed notifications are its replies
	marker   bool          // its dump request was followed by a NOOP marker, numbered first+1 (see sendExchange)
	wake     chan struct{} // signalled when inbox or err change
	// Guarded by Conn.mu:
	sent  bool      // a request went out and is not complete: an overrun may have lost its replies
	turn  bool      // waits for the dump turn
	inbox []*[]byte // its datagrams, each a read buffer handed over whole
	spare []*[]byte // the inbox being processed
	err   error     // set by another reader: ErrOverrun, ErrTruncated
}

var waiters = sync.Pool{New: func() any { return &waiter{wake: make(chan struct{}, 1)} }}

func (w *waiter) owns(seq uint32) bool { return seq-w.first < w.n }

func (w *waiter) signal() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// begin registers a waiter for n new sequence numbers.
func (c *Conn) begin(n int, echo bool) *waiter {
	w := waiters.Get().(*waiter)
	w.n, w.echo = uint32(n), echo
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

// end unregisters w. Replies that still arrive for it are discarded; a dump
// the kernel still runs for it keeps the dump turn until its end is read.
func (c *Conn) end(w *waiter) {
	c.mu.Lock()
	for i, p := range c.pending {
		if p == w {
			last := len(c.pending) - 1
			c.pending[i], c.pending[last] = c.pending[last], nil
			c.pending = c.pending[:last]
			break
		}
	}
	for _, b := range w.inbox {
		c.putBuf(b)
	}
	clear(w.inbox[:cap(w.inbox)])
	clear(w.spare[:cap(w.spare)])
	w.inbox, w.spare, w.err, w.sent, w.turn = w.inbox[:0], w.spare[:0], nil, false, false
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

// sendExchange sends msgs for w, numbered from seq, one of w's. A dump first
// waits for the Conn's dump turn (the kernel runs one dump per socket and
// refuses a second with EBUSY), reading the socket meanwhile so that the
// running dump makes progress even when its owner does not read (a Dump
// whose loop body runs this one, or an abandoned Dump). The turn is taken
// and the request sent under the send lock, so a dump that holds the turn
// has always sent, and the turn ends only with a message that cannot be
// lost (the dump's DONE) or with the drain after an overrun.
func (c *Conn) sendExchange(ctx context.Context, w *waiter, seq uint32, msgs []Message, flags HeaderFlags, dump bool) (Header, error) {
	// A new request: what an overrun did to w's last one is past.
	c.mu.Lock()
	w.sent, w.err = false, nil
	c.mu.Unlock()
	for {
		if err := c.lockSend(ctx); err != nil {
			return Header{}, err
		}
		c.mu.Lock()
		if dump && c.dumpSeq != 0 {
			c.mu.Unlock()
			<-c.sendTok
			if err := c.waitDump(ctx, w); err != nil {
				return Header{}, err
			}
			continue
		}
		if dump {
			c.dumpSeq, c.peerRun = seq, 0
		}
		c.mu.Unlock()
		h, err := c.sendLocked(ctx, Addr{}, msgs, seq, flags)
		if err == errWouldBlock {
			err = syscall.EAGAIN // the kernel does not make senders wait
		}
		// The marker: a NOOP whose ACK the kernel queues after the dump's
		// first part. That part is made by this send, but the kernel
		// queues it only after letting go of the dump, and a read on
		// another goroutine can meanwhile make it finish the dump and queue
		// its DONE first. So a dump is complete at its DONE and the
		// marker's ACK, whichever comes last.
		w.marker = dump && err == nil && c.sendMarker(ctx, seq+1)
		c.mu.Lock()
		if err != nil && dump {
			c.endDump()
		}
		w.sent = err == nil
		c.mu.Unlock()
		<-c.sendTok
		return h, err
	}
}

// sendMarker sends the NOOP request, numbered seq, that follows a dump
// request (see sendExchange), and says whether it went out. The caller
// holds c.sendTok.
func (c *Conn) sendMarker(ctx context.Context, seq uint32) bool {
	_, err := c.sendLocked(ctx, Addr{}, []Message{{Header: Header{Type: TypeNoop}}}, seq, Request|Acknowledge)
	return err == nil
}

// waitDump waits until no dump holds the turn, reading the socket when no
// other goroutine does. For a lost dump it first sends a NOOP request (see
// followDump): reading its ACK also makes the kernel go on with a dump it
// runs.
func (c *Conn) waitDump(ctx context.Context, w *waiter) error {
	free := func() bool { return c.dumpSeq == 0 }
	defer func() {
		c.mu.Lock()
		w.turn = false
		c.mu.Unlock()
	}()
	for {
		if err := ctx.Err(); err != nil {
			return err // checked here too: reads may never wait, when peers flood the Conn
		}
		c.mu.Lock()
		if err := w.err; err != nil {
			c.mu.Unlock()
			return err // the dump is held back (see heldBack)
		}
		w.turn = !free()
		nudge := c.dumpSeq == lostDump && !c.noop
		if nudge {
			c.noop, c.seen = true, false
		}
		c.mu.Unlock()
		if !w.turn {
			return nil
		}
		if nudge {
			err := c.lockSend(ctx)
			if err == nil {
				err = c.sys.send(c.nudge, Addr{})
				<-c.sendTok
			}
			if err != nil {
				// No NOOP went out: the next waiter sends one. When the send
				// itself failed there is nothing to learn: give up on the
				// lost dump.
				c.mu.Lock()
				c.noop = false
				if ctx.Err() == nil {
					c.endDump()
				}
				c.mu.Unlock()
				if ctx.Err() != nil {
					return ctx.Err()
				}
			}
		}
		held, err := c.takeToken(ctx, w.wake, free)
		if err != nil {
			return err
		}
		if !held {
			continue
		}
		_, _, err = c.read(ctx, false)
		<-c.token
		if err != nil && !errors.Is(err, ErrOverrun) {
			return err
		}
	}
}

// await hands each message of w's datagrams to handle until handle says
// the exchange is done or fails, reading the socket when no other
// goroutine does. Messages are handled without the token, so handle may run
// other exchanges on c. What arrived before a failure (an overrun) is
// handled first: a request the kernel applied is not reported failed.
func (c *Conn) await(ctx context.Context, w *waiter, handle func(m Message, raw []byte) (bool, error)) error {
	for {
		n, done, err := c.handleInbox(w, handle)
		if done {
			return err
		}
		if n > 0 {
			continue
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		held, err := c.takeToken(ctx, w.wake, w.ready)
		if err != nil {
			return err
		}
		if !held {
			continue
		}
		_, _, err = c.read(ctx, false)
		<-c.token
		if err != nil && !errors.Is(err, ErrOverrun) {
			return err // an overrun sets w.err if it concerns w
		}
	}
}

// settle is await once ctx is done, for an exchange whose requests went
// out: it hands handle what is already there, the datagrams other readers
// handed w and those queued on the socket, read without waiting for more,
// and returns ctx.Err() if handle is not done by then. The kernel runs a
// request while it is sent and queues its answers then, so those of
// requests sent before are all there. Waiting for the token does not
// wait for ctx: another reader holds it while it reads a datagram, and
// one that waits for one while the socket has w's answers queued gets
// them at once. A Socket that never answers could keep that reader
// waiting, so settle gives up after settleGrace and returns ctx.Err().
// settleGrace bounds how long settle waits for another reader to hand
// over the token or the answers. A kernel's answers are queued before
// the send returns, so the bound matters only for a Socket that never
// answers.
const settleGrace = time.Second

func (c *Conn) settle(ctx context.Context, w *waiter, handle func(m Message, raw []byte) (bool, error)) error {
	empty := false // the socket had nothing queued when w last read it
	grace := time.NewTimer(settleGrace)
	defer grace.Stop()
	for {
		n, done, err := c.handleInbox(w, handle)
		if done {
			return err
		}
		if n > 0 {
			continue
		}
		if empty {
			return ctx.Err()
		}
		select {
		case c.token <- struct{}{}:
		case <-w.wake:
			continue
		case <-c.done:
			return ErrClosed
		case <-grace.C:
			return ctx.Err()
		}
		if !c.tokenReady(w.ready) {
			continue
		}
		_, _, err = c.read(ctx, false) // ctx is done: the read does not wait
		<-c.token
		switch {
		case err == ctx.Err():
			empty = true
		case err != nil && !errors.Is(err, ErrOverrun):
			return err
		}
	}
}

// handleInbox hands handle the datagrams other readers gave w, and returns
// how many there were. done is true when handle is done or failed (err),
// or, once they are handled, when a reader set w.err (err).
func (c *Conn) handleInbox(w *waiter, handle func(m Message, raw []byte) (bool, error)) (n int, done bool, err error) {
	c.mu.Lock()
	in, failed := w.inbox, w.err
	w.inbox, w.spare = w.spare[:0], in
	c.mu.Unlock()
	for i, b := range in {
		done, err := c.handleDatagram(w, *b, handle)
		if done || err != nil {
			for _, b := range in[i:] {
				c.putBuf(b)
			}
			clear(in)
			return len(in), true, err
		}
		c.putBuf(b)
	}
	clear(in)
	return len(in), failed != nil, failed
}

// ready says whether readers gave w something to look at. c.mu is held.
func (w *waiter) ready() bool { return len(w.inbox) > 0 || w.err != nil }

// handleDatagram hands handle the messages of b that are w's, each with
// its bytes (header and payload). The kernel never mixes replies to
// different requests in a datagram; should it, the others are counted as
// stale.
func (c *Conn) handleDatagram(w *waiter, b []byte, handle func(m Message, raw []byte) (bool, error)) (bool, error) {
	// A plain loop, not the Messages iterator: one call fewer per message
	// of a dump.
	for len(b) > 0 {
		n := 0
		if len(b) >= HeaderLen {
			n = int(binary.NativeEndian.Uint32(b))
		}
		if n < HeaderLen || n > len(b) {
			return true, messageError(b)
		}
		m := Message{Header: Header{
			Length:   uint32(n),
			Type:     HeaderType(binary.NativeEndian.Uint16(b[4:6])),
			Flags:    HeaderFlags(binary.NativeEndian.Uint16(b[6:8])),
			Sequence: binary.NativeEndian.Uint32(b[8:12]),
			PortID:   binary.NativeEndian.Uint32(b[12:16]),
		}, Data: b[HeaderLen:n:n]}
		raw := b[:n]
		b = b[min(Align(n), len(b)):]
		if !w.owns(m.Header.Sequence) {
			c.stale.Add(1)
			continue
		}
		if done, err := handle(m, raw); done || err != nil {
			return true, err
		}
	}
	return false, nil
}

// isDump says whether the kernel runs a request of type t with flags f,
// sent on a socket of protocol proto, as a dump. Each protocol's kernel code
// decides, from the type and the dump bits (NLM_F_ROOT and NLM_F_MATCH,
// which NEW, DEL and SET requests reuse as NLM_F_REPLACE, NLM_F_EXCL,
// NLM_F_NONREC and NLM_F_BULK); the other flags do not count:
//   - control messages (types below NLMSG_MIN_TYPE) are only acknowledged;
//   - rtnetlink (rtnetlink_rcv_msg) dumps a GET request, whose type is 2
//     modulo 4, on either dump bit, and never another kind;
//   - generic netlink (genl_family_rcv_msg) dumps on both dump bits
//     (NLM_F_DUMP), whatever the command;
//   - other protocols dump their GETs on either bit, and the core cannot
//     tell their GETs from the rest, so either bit counts. A request wrongly
//     counted waits for the dump turn, and one refused with EBUSY is sent
//     again (see resend).
func isDump(proto int, t HeaderType, f HeaderFlags) bool {
	const (
		netlinkRoute   = 0  // NETLINK_ROUTE
		netlinkGeneric = 16 // NETLINK_GENERIC
		rtnlKindGet    = 2  // RTNL_KIND_GET: RTM_GETLINK, RTM_GETADDR, ...
	)
	switch {
	case t < TypeMinType:
		return false
	case proto == netlinkRoute:
		return t&3 == rtnlKindGet && f&Dump != 0
	case proto == netlinkGeneric:
		return f&Dump == Dump
	}
	return f&Dump != 0
}

// Execute sends the request req, asking for an ACK, and returns its replies
// in memory the caller owns once the kernel has acknowledged it (or ended
// the dump it started): the messages before the ACK, without the ACK. An
// error reply is returned as an *OpError with the kernel's extended ACK;
// an ACK's warning goes to Config.OnWarning. Execute sets the Request and
// Acknowledge flags, the sequence number and the port ID. A dump marked interrupted returns
// its messages and an error wrapping ErrDumpInterrupted.
//
// With Config.SkipGetAck, the rtnetlink GETs of one object go without
// Acknowledge, and Execute is done at the kernel's answer.
//
// The replies are copied out of the Conn's read buffer into memory
// allocated for them (two allocations for a single reply); on hot paths
// ExecuteFunc, which lends each reply instead and allocates nothing, is
// the faster form (bench/README.md has the figures).
//
// Execute waits for the ACK, so the rare kernel code that ignores
// NLM_F_ACK (some custom protocols) must be talked to with SendTo and
// Receive instead.
func (c *Conn) Execute(ctx context.Context, req Message) ([]Message, error) {
	var out []byte
	var first Header
	n := 0
	intr, err := c.execute(ctx, req, func(m Message, raw []byte) bool {
		// Appended whole: a single reply costs a single allocation, not
		// cleared first.
		out = pad(append(out, raw...))
		if n++; n == 1 {
			first = m.Header
		}
		return true
	})
	if err != nil {
		return nil, err
	}
	if n == 1 {
		// The common case, without parsing the copy again.
		return []Message{{Header: first, Data: out[HeaderLen:first.Length:first.Length]}}, intr
	}
	msgs, err := collect(out)
	if err != nil {
		return nil, err
	}
	return msgs, intr
}

// ExecuteFunc is the zero-copy form of Execute: it calls fn with each
// reply message as it arrives, instead of returning the replies. The
// message aliases a read buffer of the Conn that is reused once fn
// returns: copy what must live longer. An error from fn ends the exchange
// at once (the rest of the reply is discarded when it arrives) and is
// returned as is. Otherwise ExecuteFunc returns what Execute would, after
// fn has seen every message: nil, or the kernel's error (an *OpError), or
// an error wrapping ErrDumpInterrupted.
func (c *Conn) ExecuteFunc(ctx context.Context, req Message, fn func(Message) error) error {
	var ferr error
	intr, err := c.execute(ctx, req, func(m Message, _ []byte) bool {
		ferr = fn(m)
		return ferr == nil
	})
	switch {
	case ferr != nil:
		return ferr
	case err != nil:
		return err
	}
	return intr
}

// execute runs Execute and ExecuteFunc: it hands each reply message to
// onMessage, with its bytes, until the exchange ends or onMessage returns
// false. It returns the exchange's failure in err, and for a dump the
// kernel marked interrupted, an error wrapping ErrDumpInterrupted in intr.
func (c *Conn) execute(ctx context.Context, req Message, onMessage func(m Message, raw []byte) bool) (intr, err error) {
	echo, dump := req.Header.Flags&Echo != 0, isDump(c.proto, req.Header.Type, req.Header.Flags)
	n := 1
	if dump {
		n = 2 // a dump owns its marker's number too
	}
	flags, answered := Request|Acknowledge, !dump && c.answers(req)
	if answered {
		flags = Request
	}
	w := c.begin(n, echo)
	defer c.end(w)
	overruns := c.overruns.Load()
	replied := false
	h, interrupted, err := c.exchange(ctx, "execute", w, req, flags, dump, func(m Message, raw []byte) bool {
		replied = true
		return onMessage(m, raw) && (!answered || m.Header.Flags&Multi != 0)
	})
	if err == nil && echo && !replied && c.overruns.Load() != overruns {
		// The kernel drops an echo it cannot queue without a word to the
		// request: with an overrun in between, it may have.
		req.Header = h
		err = c.requestError("execute", fmt.Errorf("%w: %w", ErrOverrun, syscall.ENOBUFS), h.Sequence, req, noExtAck)
	}
	if err != nil {
		return nil, c.opError("execute", err)
	}
	if interrupted {
		req.Header = h
		return c.requestError("execute", ErrDumpInterrupted, h.Sequence, req, noExtAck), nil
	}
	return nil, nil
}

// answers says whether Execute may send req without NLM_F_ACK (see
// Config.SkipGetAck) because the kernel answers it anyway, with a reply or
// an error: the rtnetlink GET requests for one object, whose handlers reply
// with the object (or, where a kernel lacks the handler, rtnetlink answers
// EOPNOTSUPP). Not a request with an empty payload, which rtnetlink drops
// without a word, and not every rtnetlink GET: the traffic control ones of
// older kernels send their answer as a notification the requester does
// not get.
func (c *Conn) answers(req Message) bool {
	h := req.Header
	const (
		netlinkRoute  = 0   // NETLINK_ROUTE
		rtmGetLink    = 18  // RTM_GETLINK
		rtmGetAddr    = 22  // RTM_GETADDR
		rtmGetRoute   = 26  // RTM_GETROUTE
		rtmGetNeigh   = 30  // RTM_GETNEIGH
		rtmGetNetconf = 82  // RTM_GETNETCONF
		rtmGetNSID    = 90  // RTM_GETNSID
		rtmGetStats   = 94  // RTM_GETSTATS
		rtmGetNexthop = 106 // RTM_GETNEXTHOP
	)
	if !c.skipGetAck || c.proto != netlinkRoute || h.Flags&(Acknowledge|Echo) != 0 || len(req.Data) == 0 {
		return false
	}
	switch h.Type {
	case rtmGetLink, rtmGetAddr, rtmGetRoute, rtmGetNeigh, rtmGetNetconf, rtmGetNSID, rtmGetStats, rtmGetNexthop:
		return true
	}
	return false
}

// exchange sends req for w with flags added and hands each reply message
// that is not NOOP, DONE or ERROR to onMessage, until the kernel has
// answered whole (its ACK, error or DONE) or onMessage returns false. It
// returns the request's header as sent and whether the kernel marked the
// reply interrupted (NLM_F_DUMP_INTR, which it checks once more at the
// DONE). A dump refused with EBUSY is sent again (see resend).
func (c *Conn) exchange(ctx context.Context, op string, w *waiter, req Message, flags HeaderFlags, dump bool, onMessage func(m Message, raw []byte) bool) (h Header, intr bool, err error) {
	overruns0 := c.overruns.Load()
	for resends := 0; ; resends++ {
		if h, err = c.sendExchange(ctx, w, w.first, []Message{req}, flags, dump); err != nil {
			return h, false, err
		}
		sent := req
		sent.Header = h
		done, marked := false, !w.marker
		var doneErr error
		err = c.await(ctx, w, func(m Message, raw []byte) (bool, error) {
			intr = intr || m.Header.Flags&DumpInterrupted != 0
			switch {
			case m.Header.Type == TypeNoop:
				return false, nil
			case m.Header.Type == TypeError && w.marker && m.Header.Sequence == h.Sequence+1:
				marked = true
				return done, doneErr
			case m.Header.Type == TypeDone:
				done, doneErr = true, c.doneError(op, m, sent)
				return marked || doneErr != nil, doneErr
			case m.Header.Type == TypeError:
				return c.ackDone(op, m, sent, dump)
			}
			return !onMessage(m, raw), nil
		})
		if done && doneErr == nil && !marked && errors.Is(err, ErrOverrun) {
			// The marker's ACK was dropped, but the drain after the
			// overrun read everything queued before it: the dump is whole.
			err = nil
		}
		if !c.resend(dump, err, resends, overruns0) {
			return h, intr, err
		}
	}
}

// maxResends bounds how often a dump is sent again after EBUSY.
const maxResends = 16

// resend says whether a dump request refused with err is sent again: the
// kernel said EBUSY because it runs a dump the Conn had lost track of, and
// the new request waits for its end (see followDump). When it is not sent
// again and overruns happened since the first attempt (since overruns0),
// they are why: notifications that keep overflowing the queue starve the
// kernel's dump, and err then wraps ErrOverrun too.
func (c *Conn) resend(dump bool, err error, resends int, overruns0 uint64) bool {
	if !dump || !errors.Is(err, syscall.EBUSY) {
		return false
	}
	if resends < maxResends {
		return true
	}
	var oe *OpError
	if errors.As(err, &oe) && c.overruns.Load() != overruns0 {
		oe.Err = fmt.Errorf("%w: %w", ErrOverrun, oe.Err)
	}
	return false
}

// ackDone handles the NLMSG_ERROR message m of an exchange: the request is
// done, with the error it carries. ENOBUFS for a dump is no end: the
// kernel runs the dump on (see route). EAGAIN is the kernel's word for a
// reply it could not queue: an overrun.
func (c *Conn) ackDone(op string, m Message, req Message, dump bool) (bool, error) {
	ack, err := ParseAck(m)
	if err != nil {
		return true, err
	}
	switch {
	case dump && ack.Errno == syscall.ENOBUFS:
		return false, nil
	case ack.Errno == syscall.EAGAIN:
		// The kernel could not queue the reply (netlink_unicast to a
		// congested socket) and says so in place of it.
		return true, c.requestError(op, fmt.Errorf("%w: %w", ErrOverrun, ack.Errno), m.Header.Sequence, req, ack.ExtAck)
	case ack.Errno != 0:
		return true, c.requestError(op, ack.Errno, m.Header.Sequence, req, ack.ExtAck)
	}
	if ack.Message != "" && c.onWarning != nil {
		c.onWarning(ack)
	}
	return true, nil
}

// Dump sends the dump request req (adding the Request, Dump and Acknowledge
// flags) and yields the messages of the reply as they arrive. Each message
// aliases a buffer that the next iteration reuses: copy what must live
// longer. Memory stays constant whatever the size of the table, because the
// kernel makes the next part of a dump only when the socket is read; but
// while another goroutine reads the Conn (Receive, another exchange, a dump
// started in the loop body), what it reads of this dump is kept for it
// until the loop gets there.
//
// An error ends the iteration; when the kernel marked the dump as
// interrupted (NLM_F_DUMP_INTR), every message is yielded and then an error
// wrapping ErrDumpInterrupted: see DumpAll to retry until consistent.
//
// The kernel runs one dump per socket at a time, so the dumps of a Conn
// (Dump, and Execute of a dump request) take turns. Breaking out of the
// loop, or ctx ending, returns at once; the rest of the dump is read and
// discarded by whichever call reads the Conn next, and the next dump waits
// for that.
func (c *Conn) Dump(ctx context.Context, req Message) iter.Seq2[Message, error] {
	return func(yield func(Message, error) bool) {
		w := c.begin(2, false) // the request, and its marker
		defer c.end(w)
		stopped := false
		h, intr, err := c.exchange(ctx, "dump", w, req, Request|Dump|Acknowledge, true, func(m Message, _ []byte) bool {
			stopped = !yield(m, nil)
			return !stopped
		})
		req.Header = h
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
// ignores other replies; a request the kernel runs as a dump is done at its
// NLMSG_DONE (Batch does not wait for the dump turn: use Dump for dumps).
// The error is for the batch as a whole (a failed send, ctx done, an
// overrun); every request that got no answer then has it as its result
// too, whether or not the kernel ran it.
func (c *Conn) Batch(ctx context.Context, reqs []Message) ([]error, error) {
	results := make([]error, len(reqs))
	if len(reqs) == 0 {
		return results, nil
	}
	rcvbuf, sndbuf := c.sys.buffers()
	maxCost := rcvbuf / 2
	maxBytes := max(4096, sndbuf/2)
	w := c.begin(len(reqs), false)
	defer c.end(w)
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
		if _, err := c.sendExchange(ctx, w, w.first+uint32(start), reqs[start:end], Request|Acknowledge, false); err != nil {
			return fail(err)
		}
		left := end - start
		err := c.await(ctx, w, func(m Message, _ []byte) (bool, error) {
			i := int(m.Header.Sequence - w.first)
			if i < start || i >= end || results[i] != errNoAnswer {
				return false, nil
			}
			switch m.Header.Type {
			case TypeError:
				results[i] = c.ackError("batch", m, reqs[i])
			case TypeDone:
				results[i] = c.doneError("batch", m, reqs[i])
			default:
				return false, nil
			}
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
