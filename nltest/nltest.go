// Package nltest is a fake kernel for unit tests of code that uses
// netlink: a *netlink.Conn that talks to a function of the test's, in
// memory, instead of the kernel. It needs no root and no Linux, so tests
// built on it run anywhere Go does.
//
// The test's Handler gets each request and answers as the kernel would:
// with replies, with a multipart dump (nltest adds NLM_F_MULTI and the
// NLMSG_DONE), with an error (and extended ACK), or with nothing. The
// Kernel fills in the replies' headers and the ACKs. A Handler that
// changes something reports the change (Report), which notifies the
// Conns that joined the group and echoes it to a request that asked for
// NLM_F_ECHO, as the kernel does. The test can also send notifications of
// its own (Notify) and overflow Conns' receive queues (Overrun).
// Everything the Conn does above its socket (sequence numbers, ACKs,
// echoes, dumps, interrupted dumps, overruns, contexts, deadlines, Close)
// runs as with a kernel socket.
package nltest

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"slices"
	"sync"
	"syscall"
	"time"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/uapi"
)

// A Handler answers one request, a message with NLM_F_REQUEST and a type
// from NLMSG_MIN_TYPE up (the Kernel answers control messages itself), as
// the kernel would:
//
//   - for a dump request (NLM_F_DUMP), its replies are the dump's
//     messages: the Kernel sets NLM_F_MULTI on each, packs them into
//     datagrams of up to 4 KiB, and ends the dump with NLMSG_DONE, which
//     carries NLM_F_DUMP_INTR when a reply does;
//   - for any other request, each reply goes in a datagram of its own,
//     followed by an ACK when the request asked for one (or when it is a
//     NETLINK_ROUTE GET that got no reply: the kernel always answers
//     those, so Conn.Execute may not have asked);
//   - an error (a syscall.Errno, or an *Error with extended ACK) is sent
//     as NLMSG_ERROR instead, with the request echoed and the errno as
//     Linux numbers it (on other platforms the host's errno goes out as
//     Linux's number of the same name, which the root package turns back
//     into the host's, so syscall.EEXIST round-trips); an *Error with
//     InDone ends a dump with the error in its NLMSG_DONE, after the
//     replies, as a dump that fails once started does;
//   - ErrNoReply sends nothing at all, not even the ACK.
//
// A reply's Type and Flags are the Handler's; the Kernel sets its length,
// sequence number and port ID to the request's. A Handler runs on the
// goroutine that sends the request, one request at a time (of all the
// Kernel's Conns).
type Handler func(req netlink.Message) ([]netlink.Message, error)

// ErrNoReply, returned by a Handler, sends no reply and no ACK: as a reply
// the kernel dropped.
var ErrNoReply = errors.New("nltest: no reply")

// routeGet says whether h is an rtnetlink GET request, which the kernel
// answers with the object or an error, so that Conn.Execute sends some
// without asking for an ACK. A Handler that answers one with nothing gets
// an ACK sent for it, rather than leave the caller waiting for ever.
func (k *Kernel) routeGet(h netlink.Header) bool {
	const rtmBase = 16 // RTM_BASE; RTM_GETLINK is 18, and GETs come every four from it
	return k.proto == 0 && h.Type >= rtmBase && (h.Type-rtmBase)%4 == 2
}

// Error is a Handler's refusal with extended ACK attributes.
type Error struct {
	Errno   syscall.Errno
	Message string // NLMSGERR_ATTR_MSG, if not empty
	Offset  int    // NLMSGERR_ATTR_OFFS: the bad attribute's offset from the start of the request's header, if not 0
	InDone  bool   // for a dump request: send the replies, then the error in NLMSG_DONE rather than in NLMSG_ERROR
}

func (e *Error) Error() string { return fmt.Sprintf("%v: %s", e.Errno, e.Message) }

// dumpDatagram is the most a dump datagram holds (besides a larger
// message alone), as the kernel's first dump datagrams.
const dumpDatagram = 4096

// Kernel is a fake kernel for one netlink protocol. Its methods are safe
// for concurrent use.
type Kernel struct {
	proto   int
	handler Handler

	mu    sync.Mutex
	port  uint32
	socks []*socket
	hmu   sync.Mutex // one request at a time, as Handler says
}

// New returns a fake kernel for protocol (unix.NETLINK_ROUTE, ...) that
// answers requests with h.
func New(protocol int, h Handler) *Kernel {
	return &Kernel{proto: protocol, handler: h, port: 1000}
}

// Dial returns a Conn on the fake kernel, made as netlink.Dial makes one
// from cfg (which may be nil), bound to cfg.PortID or, when that is 0, a
// port the Kernel picks. A port another open Conn has fails with
// EADDRINUSE, as with the kernel. The Conn joins cfg.Groups.
func (k *Kernel) Dial(cfg *netlink.Config) (*netlink.Conn, error) {
	var c netlink.Config
	if cfg != nil {
		c = *cfg
	}
	k.mu.Lock()
	if c.PortID == 0 {
		k.port++
		c.PortID = k.port
	}
	for _, o := range k.socks {
		if o.port == c.PortID {
			k.mu.Unlock()
			return nil, fmt.Errorf("nltest: dial: port %d: %w", c.PortID, syscall.EADDRINUSE)
		}
	}
	s := &socket{k: k, port: c.PortID, groups: make(map[uint32]bool), wake: make(chan struct{})}
	k.socks = append(k.socks, s)
	k.mu.Unlock()
	return netlink.NewConn(k.proto, s, &c)
}

// Notify sends msgs in one datagram to the Conns that joined multicast
// group g, as the kernel sends a notification: with sequence number and
// port ID 0 unless msgs set them. For the notification of a change that a
// request made, a Handler calls Report instead.
func (k *Kernel) Notify(g uint32, msgs ...netlink.Message) {
	d := multicast(g, msgs)
	for _, s := range k.open() {
		if s.member(g) {
			s.deliver(d, false)
		}
	}
}

// Report sends msgs in one datagram as the notification of the change the
// request req made, as the kernel does: with req's sequence number and port
// ID, to the Conns that joined multicast group g. When req asked for
// NLM_F_ECHO, the requester gets the notification unicast instead, as the
// echo that Execute returns among its replies, whether or not it joined
// g. A Handler calls it for the request it answers, before it returns, so
// that the notification comes before the ACK.
func (k *Kernel) Report(req netlink.Message, g uint32, msgs ...netlink.Message) {
	msgs = slices.Clone(msgs)
	for i := range msgs {
		msgs[i].Header.Sequence, msgs[i].Header.PortID = req.Header.Sequence, req.Header.PortID
	}
	d := multicast(g, msgs)
	echo := req.Header.Flags&netlink.Echo != 0
	for _, s := range k.open() {
		if echo && s.port == req.Header.PortID {
			s.deliver(d, false) // the echo, in place of the group's copy
		} else if s.member(g) {
			s.deliver(d, false)
		}
	}
}

// multicast makes the datagram of a notification of msgs to group g.
func multicast(g uint32, msgs []netlink.Message) netlink.Datagram {
	var b []byte
	for _, m := range msgs {
		b = netlink.AppendMessage(b, m.Header, m.Data)
	}
	d := netlink.Datagram{Data: b, Group: g, NSID: -1}
	if g >= 1 && g <= 32 {
		d.From.Groups = 1 << (g - 1)
	}
	return d
}

// Overrun overflows the receive queues of conns (Conns of this Kernel), or
// of every open Conn when conns is empty, as a burst of notifications
// does: what is queued stays, the Conn's next read fails with ENOBUFS, and
// every datagram for it but a dump's is dropped until it has read its
// queue empty (the kernel makes a dump's parts as the queue has room, and
// never drops them). A Handler may call it to lose its own replies.
func (k *Kernel) Overrun(conns ...*netlink.Conn) {
	ports := make(map[uint32]bool, len(conns))
	for _, c := range conns {
		ports[c.LocalAddr().PortID] = true
	}
	for _, s := range k.open() {
		if len(conns) > 0 && !ports[s.port] {
			continue
		}
		s.mu.Lock()
		s.overrun, s.congested = true, true
		s.signal()
		s.mu.Unlock()
	}
}

func (k *Kernel) open() []*socket {
	k.mu.Lock()
	defer k.mu.Unlock()
	return append([]*socket(nil), k.socks...)
}

// socket is one Conn's netlink.Socket.
type socket struct {
	k    *Kernel
	port uint32

	mu        sync.Mutex
	groups    map[uint32]bool // the multicast groups joined
	queue     []netlink.Datagram
	closed    bool
	overrun   bool // the next Recv fails with ENOBUFS
	congested bool // datagrams are dropped until the queue is read empty
	deadline  time.Time
	wake      chan struct{} // closed and replaced when anything changes
}

func (s *socket) signal() {
	close(s.wake)
	s.wake = make(chan struct{})
}

// deliver queues d, unless the socket is closed, or congested and d is
// not part of a dump.
func (s *socket) deliver(d netlink.Datagram, dump bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || s.congested && !dump {
		return
	}
	s.queue = append(s.queue, d)
	s.signal()
}

func (s *socket) member(g uint32) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.groups[g]
}

// Membership joins or leaves group g. Any group can be joined: the fake
// kernel does not know which the protocol has.
func (s *socket) Membership(g uint32, join bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return netlink.ErrClosed
	}
	if join {
		s.groups[g] = true
	} else {
		delete(s.groups, g)
	}
	return nil
}

func (s *socket) Recv(wait bool) (netlink.Datagram, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		switch {
		case s.closed:
			return netlink.Datagram{}, false, netlink.ErrClosed
		case s.overrun:
			s.overrun = false
			return netlink.Datagram{}, false, os.NewSyscallError("recvmsg", syscall.ENOBUFS)
		case len(s.queue) > 0:
			d := s.queue[0]
			s.queue[0] = netlink.Datagram{}
			s.queue = s.queue[1:]
			return d, true, nil
		}
		s.congested = false
		if !wait {
			return netlink.Datagram{}, false, nil
		}
		var timeout <-chan time.Time
		if !s.deadline.IsZero() {
			left := time.Until(s.deadline)
			if left <= 0 {
				return netlink.Datagram{}, false, os.ErrDeadlineExceeded
			}
			t := time.NewTimer(left)
			defer t.Stop()
			timeout = t.C
		}
		wake := s.wake
		s.mu.Unlock()
		select {
		case <-wake:
		case <-timeout:
		}
		s.mu.Lock()
	}
}

func (s *socket) SetReadDeadline(t time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return netlink.ErrClosed
	}
	s.deadline = t
	s.signal()
	return nil
}

func (s *socket) Close() error {
	s.mu.Lock()
	s.closed = true
	s.queue = nil
	s.signal()
	s.mu.Unlock()
	k := s.k
	k.mu.Lock()
	defer k.mu.Unlock()
	for i, o := range k.socks {
		if o == s {
			k.socks = append(k.socks[:i], k.socks[i+1:]...)
			break
		}
	}
	return nil
}

// Send runs the requests in b, as the kernel runs a datagram's messages
// one after the other.
func (s *socket) Send(b []byte, to netlink.Addr) error {
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed {
		return netlink.ErrClosed
	}
	if to.PortID != 0 || to.Groups != 0 {
		return fmt.Errorf("nltest: sending to port %d, groups %#x: only the kernel is there: %w", to.PortID, to.Groups, syscall.ECONNREFUSED)
	}
	for m, err := range netlink.Messages(b) {
		if err != nil {
			return nil // the kernel drops what does not parse
		}
		s.run(m)
	}
	return nil
}

// run answers one request as the kernel's netlink_rcv_skb does.
func (s *socket) run(req netlink.Message) {
	h := req.Header
	if h.Flags&netlink.Request == 0 || h.Type < netlink.TypeMinType {
		if h.Flags&netlink.Acknowledge != 0 {
			s.ack(req, nil)
		}
		return
	}
	dump := h.Flags&netlink.Dump == netlink.Dump
	s.k.hmu.Lock()
	replies, err := s.k.handler(req)
	s.k.hmu.Unlock()
	var ext *Error
	inDone := dump && errors.As(err, &ext) && ext.InDone
	switch {
	case errors.Is(err, ErrNoReply):
		return
	case err != nil && !inDone:
		s.ack(req, err)
		return
	}
	reply := func(m netlink.Message, b []byte) []byte {
		m.Header.Sequence, m.Header.PortID = h.Sequence, h.PortID
		return netlink.AppendMessage(b, m.Header, m.Data)
	}
	if !dump {
		for _, m := range replies {
			s.deliver(netlink.Datagram{Data: reply(m, nil), NSID: -1}, false)
		}
		if h.Flags&netlink.Acknowledge != 0 || len(replies) == 0 && s.k.routeGet(h) {
			s.ack(req, nil)
		}
		return
	}
	var b []byte
	intr := netlink.HeaderFlags(0)
	for _, m := range replies {
		m.Header.Flags |= netlink.Multi
		intr |= m.Header.Flags & netlink.DumpInterrupted
		if len(b) > 0 && len(b)+netlink.MessageSpace(len(m.Data)) > dumpDatagram {
			s.deliver(netlink.Datagram{Data: b, NSID: -1}, true)
			b = nil
		}
		b = reply(m, b)
	}
	done := netlink.Message{Header: netlink.Header{Type: netlink.TypeDone, Flags: netlink.Multi | intr}, Data: make([]byte, 4)}
	if inDone {
		putErrno(done.Data, ext.Errno)
		done.Data, done.Header.Flags = appendExtAck(done.Data, done.Header.Flags, ext)
	}
	s.deliver(netlink.Datagram{Data: reply(done, b), NSID: -1}, true)
}

// ack sends the NLMSG_ERROR that acknowledges req (err nil) or refuses it:
// the request echoed whole on an error, its header alone on an ACK, as the
// kernel does.
func (s *socket) ack(req netlink.Message, err error) {
	var errno syscall.Errno
	var ext *Error
	switch {
	case errors.As(err, &ext):
		errno = ext.Errno
	case errors.As(err, &errno):
	case err != nil:
		errno = syscall.EINVAL
		ext = &Error{Message: err.Error()}
	}
	h := netlink.Header{Type: netlink.TypeError, Sequence: req.Header.Sequence, PortID: req.Header.PortID}
	data := make([]byte, 4, 64)
	putErrno(data, errno)
	if errno == 0 {
		h.Flags |= netlink.Capped
		data = netlink.AppendHeader(data, req.Header)
	} else {
		data = netlink.AppendMessage(data, req.Header, req.Data)
	}
	data, h.Flags = appendExtAck(data, h.Flags, ext)
	s.deliver(netlink.Datagram{Data: netlink.AppendMessage(nil, h, data), NSID: -1}, false)
}

// appendExtAck appends the extended ACK attributes of ext, if any, to the
// payload of an NLMSG_ERROR or NLMSG_DONE with flags, and says so in them.
func appendExtAck(data []byte, flags netlink.HeaderFlags, ext *Error) ([]byte, netlink.HeaderFlags) {
	if ext == nil || ext.Message == "" && ext.Offset <= 0 {
		return data, flags
	}
	e := netlink.NewAttrEncoder(data)
	if ext.Message != "" {
		e.String(1, ext.Message) // NLMSGERR_ATTR_MSG
	}
	if ext.Offset > 0 {
		e.Uint32(2, uint32(ext.Offset)) // NLMSGERR_ATTR_OFFS
	}
	data, _ = e.Finish()
	return data, flags | netlink.AckTLVs
}

// putErrno writes the kernel's negative error code for e, with Linux's
// number for it on every platform (see uapi.ErrnoToLinux).
func putErrno(b []byte, e syscall.Errno) {
	binary.NativeEndian.PutUint32(b, uint32(-int32(uapi.ErrnoToLinux(e))))
}
