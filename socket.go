package netlink

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Config says how Dial sets up a Conn. The zero Config (or nil) is a socket
// with a port ID chosen by the kernel, in the calling thread's network
// namespace, with extended ACK on.
type Config struct {
	// PortID to bind; 0 lets the kernel choose one.
	PortID uint32
	// Groups are multicast groups to join, by number (any number, not only
	// the first 32).
	Groups []uint32
	// NetNS is the path of a network namespace to create the socket in,
	// such as /var/run/netns/x, /proc/PID/ns/net, or /proc/self/fd/N for a
	// namespace file descriptor. Only the socket is created there; no
	// goroutine of the caller changes namespace.
	NetNS string
	// ReadBuffer and WriteBuffer are the socket's buffers, SO_RCVBUF and
	// SO_SNDBUF, in bytes, as net.UDPConn's SetReadBuffer and
	// SetWriteBuffer set them: the room the kernel has to queue datagrams
	// for the Conn before it drops them (ENOBUFS). When the process may
	// (CAP_NET_ADMIN), they are forced past the system limits. A Conn that
	// joins groups gets a ReadBuffer of 8 MiB unless one is given, so that
	// ordinary bursts of notifications are not lost.
	ReadBuffer  int
	WriteBuffer int
	// DatagramBuffer is the size of the buffer each datagram is read into
	// (default 32 KiB, the most the kernel puts in one dump datagram). A
	// larger datagram still arrives whole, in the same system call.
	DatagramBuffer int
	// Options to turn on after binding. ExtendedAck is on unless
	// DisableExtendedAck is set (and is left off without an error on
	// kernels that lack it).
	Options            []Option
	DisableExtendedAck bool
	// AcceptPeers accepts datagrams from user-space ports. Without it, a
	// Conn takes datagrams only from the kernel (port 0) and drops and
	// counts the rest (see Stats).
	AcceptPeers bool
	// QueueLimit bounds the datagrams kept for Receive while requests run
	// (default 1024). Past it, Receive reports ErrOverrun.
	QueueLimit int
	// OnWarning, when set, is called with each ACK that carries a warning
	// (an extended ACK message on a request that succeeded), from the
	// goroutine whose request it acknowledges.
	OnWarning func(Ack)
	// SkipGetAck makes Execute send the rtnetlink GET requests for one
	// object (a link, an address, a route, a neighbour, a next hop,
	// netconf, a namespace ID, a link's statistics; not dumps) without
	// asking for an ACK: the kernel answers each with the object or an
	// error anyway, and the ACK is a second datagram to build and read,
	// about a tenth of such a round trip. Execute then returns at that
	// answer, and the ACK's warnings are not seen. Requests with
	// Acknowledge or Echo set still get their ACK.
	SkipGetAck bool
	// Trace, when set, gets a readable account of every datagram the Conn
	// sends and receives, as FormatMessages writes it. NLKIT_DEBUG=1 in the
	// environment traces every Conn to standard error.
	Trace io.Writer
	// Capture, when set, gets every datagram the Conn sends and receives
	// as a pcap file (LINKTYPE_NETLINK) that Wireshark and tshark decode.
	Capture io.Writer
}

// Option is a netlink socket option (SOL_NETLINK), for SetOption and
// Config.Options.
type Option int

// Netlink socket options from <linux/netlink.h>.
const (
	PacketInfo     Option = 3  // NETLINK_PKTINFO: report each datagram's multicast group (always on: the Conn needs it)
	BroadcastError Option = 4  // NETLINK_BROADCAST_ERROR: report multicast delivery failures to the sender
	NoENOBUFS      Option = 5  // NETLINK_NO_ENOBUFS: do not report receive queue overruns (refused: see SetOption)
	ListenAllNSID  Option = 8  // NETLINK_LISTEN_ALL_NSID: receive notifications from every peer namespace
	CapAck         Option = 10 // NETLINK_CAP_ACK: do not echo the request's payload in errors
	ExtendedAck    Option = 11 // NETLINK_EXT_ACK: errors and ACKs carry extended ACK attributes
	GetStrictCheck Option = 12 // NETLINK_GET_STRICT_CHK: strict checking of GET requests
)

// String names the option as the C constant does.
func (o Option) String() string {
	switch o {
	case PacketInfo:
		return "NETLINK_PKTINFO"
	case BroadcastError:
		return "NETLINK_BROADCAST_ERROR"
	case NoENOBUFS:
		return "NETLINK_NO_ENOBUFS"
	case ListenAllNSID:
		return "NETLINK_LISTEN_ALL_NSID"
	case CapAck:
		return "NETLINK_CAP_ACK"
	case ExtendedAck:
		return "NETLINK_EXT_ACK"
	case GetStrictCheck:
		return "NETLINK_GET_STRICT_CHK"
	}
	return fmt.Sprintf("Option(%d)", int(o))
}

// MaxProtocol is the kernel's MAX_LINKS: netlink protocols are 0 to 31.
const MaxProtocol = 32

const (
	defaultDatagramBuffer = 32 << 10
	defaultQueueLimit     = 1024
	groupReadBuffer       = 8 << 20 // as systemd's sd-netlink
)

// Stats counts what a Conn did with datagrams it did not hand out.
type Stats struct {
	Dropped uint64 // datagrams from a user-space port on a Conn that accepts only the kernel
	Stale   uint64 // replies to requests that had already finished (late ACKs, cancelled requests)
}

// Datagram is one received datagram: its bytes and where it came from.
type Datagram struct {
	Data  []byte // one or more netlink messages
	From  Addr   // the sender; From.Groups has the group bit for multicast groups 1 to 32
	Group uint32 // the multicast group it was sent to, 0 for unicast (needs PacketInfo, which Dial turns on)
	NSID  int    // the peer namespace ID with ListenAllNSID; -1 when the kernel gave none
}

// Messages walks the messages in d.
func (d Datagram) Messages() iter.Seq2[Message, error] { return Messages(d.Data) }

// sock is the socket under a Conn: the kernel's (sysConn, in
// socket_linux.go), or a Socket given to NewConn (userSock, in
// newconn.go); tapSock (trace.go) wraps either to trace and capture what
// passes. recv and send move whole datagrams; recv's how is recvTry,
// recvWait or recvDrain, and recv and send return errWouldBlock when they
// would have to wait and may not.
type sock interface {
	recv(buf *[]byte, how int) (Datagram, error)
	send(b []byte, to Addr) error
	setDeadline(read bool, t time.Time) error
	setOption(o Option, on bool) error
	option(o Option) (bool, error)
	membership(g uint32, join bool) error
	setReadBuffer(n int) error
	setWriteBuffer(n int) error
	buffers() (rcv, snd int)
	rawConn() (syscall.RawConn, error)
	close() error
	release() // frees what the socket holds once no call can use it
}

// Conn is a netlink socket. Its methods are safe for concurrent use, except
// that the views ReceiveDatagram returns stay valid only until its next call.
type Conn struct {
	sys         sock
	proto       int
	local       Addr
	acceptPeers bool
	onWarning   func(Ack)
	skipGetAck  bool // Config.SkipGetAck
	ownBuffer   bool // Config.ReadBuffer was given: joining groups keeps it

	seq       atomic.Uint32 // sequence numbers for Send
	xseq      atomic.Uint32 // sequence numbers for exchanges (exchangeBit set)
	dropped   atomic.Uint64
	stale     atomic.Uint64
	overruns  atomic.Uint64 // drains begun
	closeOnce sync.Once
	done      chan struct{} // closed by Close

	// token is held (a value sent into it) by the one goroutine that reads
	// from the socket; it hands other goroutines what is theirs.
	token chan struct{}
	// sendTok is held by the one goroutine that sends.
	sendTok chan struct{}
	bufs    sync.Pool              // *[]byte read buffers
	sbufs   sync.Pool              // *[]byte send buffers
	lent    atomic.Pointer[[]byte] // the buffer ReceiveDatagram's last datagram is in
	nudge   []byte                 // the NOOP request that checks on a lost dump (see followDump)

	mu         sync.Mutex          // guards the fields below
	pending    []*waiter           // exchanges in flight
	dumpSeq    uint32              // the dump the kernel runs for the Conn, 0 if none
	noop       bool                // a NOOP that checks on a lost dump awaits its ACK
	seen       bool                // something of a lost dump came since that NOOP went out
	peerRun    int                 // datagrams from user-space ports since the running dump's last (see heldBack)
	peerLimit  int                 // the most peerRun may reach before the dump counts as held back
	queue      []Datagram          // copies kept for Receive
	lost       bool                // the queue overflowed, or ENOBUFS: Receive reports ErrOverrun
	queueLimit int                 // the most datagrams queue holds
	queueWake  chan struct{}       // signalled when the queue grows
	deadline   time.Time           // the read deadline the caller set
	pokes      uint64              // generations of context cancellations of reads
	groups     map[uint32]struct{} // joined groups
}

// Dial opens a netlink socket for protocol (unix.NETLINK_ROUTE,
// unix.NETLINK_GENERIC, ... or a custom protocol below MaxProtocol) and
// binds it as cfg says. cfg may be nil.
func Dial(protocol int, cfg *Config) (*Conn, error) {
	c, cfg, err := newConn(protocol, cfg)
	if err != nil {
		return nil, err
	}
	s := new(sysConn)
	local, err := s.open(protocol, cfg)
	if err != nil {
		return nil, c.opError("dial", err)
	}
	c.sys = s
	return c.setup(local, cfg)
}

// newConn makes a Conn without a socket, and returns the Config to open its
// socket with.
func newConn(protocol int, cfg *Config) (*Conn, *Config, error) {
	if cfg == nil {
		cfg = &Config{}
	}
	c := &Conn{proto: protocol, acceptPeers: cfg.AcceptPeers, queueLimit: cfg.QueueLimit, onWarning: cfg.OnWarning, skipGetAck: cfg.SkipGetAck}
	if protocol < 0 || protocol >= MaxProtocol {
		return nil, nil, c.opError("dial", fmt.Errorf("protocol %d is out of range 0 to %d (the kernel's MAX_LINKS is %d): %w",
			protocol, MaxProtocol-1, MaxProtocol, syscall.EPROTONOSUPPORT))
	}
	size := cfg.DatagramBuffer
	if size <= 0 {
		size = defaultDatagramBuffer
	}
	if c.queueLimit <= 0 {
		c.queueLimit = defaultQueueLimit
	}
	c.done = make(chan struct{})
	c.token = make(chan struct{}, 1)
	c.sendTok = make(chan struct{}, 1)
	c.queueWake = make(chan struct{}, 1)
	c.groups = make(map[uint32]struct{})
	c.bufs.New = func() any { b := make([]byte, size); return &b }
	c.sbufs.New = func() any { b := make([]byte, 0, 4096); return &b }

	c.ownBuffer = cfg.ReadBuffer > 0
	if len(cfg.Groups) > 0 && !c.ownBuffer {
		cfg2 := *cfg
		cfg2.ReadBuffer = groupReadBuffer
		cfg = &cfg2
	}
	return c, cfg, nil
}

// setup turns on the options and joins the groups cfg asks for, on a Conn
// whose socket is open and bound to local. It closes the socket when it
// fails.
func (c *Conn) setup(local Addr, cfg *Config) (*Conn, error) {
	c.local = local
	c.sys = tap(c.sys, c.proto, cfg)
	c.nudge = AppendMessage(nil, Header{Type: TypeNoop, Flags: Request | Acknowledge, Sequence: lostDump, PortID: local.PortID}, nil)
	if !cfg.DisableExtendedAck {
		// Kernels before 4.12 lack it: work without.
		if err := c.sys.setOption(ExtendedAck, true); err != nil && !errors.Is(err, syscall.ENOPROTOOPT) {
			c.sys.close()
			c.sys.release()
			return nil, c.opError("dial", fmt.Errorf("set %v: %w", ExtendedAck, err))
		}
	}
	// PacketInfo tells multicast datagrams from replies, even for groups
	// past 32 that sockaddr_nl cannot name.
	for _, o := range append(cfg.Options, PacketInfo) {
		if err := c.setOption(o, true); err != nil {
			c.sys.close()
			c.sys.release()
			return nil, c.opError("dial", fmt.Errorf("set %w", err))
		}
	}
	for _, g := range cfg.Groups {
		if err := c.join(g); err != nil {
			c.sys.close()
			c.sys.release()
			return nil, c.opError("dial", err)
		}
	}
	return c, nil
}

// LocalAddr returns the address the socket is bound to.
func (c *Conn) LocalAddr() Addr {
	c.mu.Lock()
	defer c.mu.Unlock()
	a := c.local
	for g := range c.groups {
		if g >= 1 && g <= 32 {
			a.Groups |= 1 << (g - 1)
		}
	}
	return a
}

// Protocol returns the netlink protocol the Conn was dialled with.
func (c *Conn) Protocol() int { return c.proto }

// Stats returns what the Conn dropped so far.
func (c *Conn) Stats() Stats {
	return Stats{Dropped: c.dropped.Load(), Stale: c.stale.Load()}
}

// Close closes the socket. It wakes every blocked call, which returns an
// error wrapping ErrClosed. Closing a closed Conn does nothing and returns
// nil.
func (c *Conn) Close() error {
	var err error
	c.closeOnce.Do(func() {
		close(c.done)
		err = c.opError("close", c.sys.close())
		// The reader, woken, lets go of the token; no other takes it after
		// done is closed (takeToken checks), so the socket's memory can go.
		c.token <- struct{}{}
		c.sys.release()
	})
	return err
}

// JoinGroup joins multicast group g (NETLINK_ADD_MEMBERSHIP). The first
// group joined raises the socket's receive buffer to 8 MiB, unless
// Config.ReadBuffer was given.
func (c *Conn) JoinGroup(g uint32) error {
	return c.opError("join group", c.join(g))
}

func (c *Conn) join(g uint32) error {
	c.mu.Lock()
	grow := len(c.groups) == 0 && !c.ownBuffer
	c.mu.Unlock()
	if grow {
		if err := c.sys.setReadBuffer(groupReadBuffer); err != nil {
			return err
		}
	}
	if err := c.sys.membership(g, true); err != nil {
		return fmt.Errorf("group %d: %w", g, err)
	}
	c.mu.Lock()
	c.groups[g] = struct{}{}
	c.mu.Unlock()
	return nil
}

// LeaveGroup leaves multicast group g (NETLINK_DROP_MEMBERSHIP).
func (c *Conn) LeaveGroup(g uint32) error {
	if err := c.sys.membership(g, false); err != nil {
		return c.opError("leave group", fmt.Errorf("group %d: %w", g, err))
	}
	c.mu.Lock()
	delete(c.groups, g)
	c.mu.Unlock()
	return nil
}

// SetOption turns a netlink socket option on or off. Two settings are
// refused, because the Conn relies on what they turn off: PacketInfo off
// (it tells notifications from replies), and NoENOBUFS on (without the
// kernel's report of an overrun, a request whose reply was dropped would
// wait for ever).
func (c *Conn) SetOption(o Option, on bool) error {
	return c.opError("set option", c.setOption(o, on))
}

func (c *Conn) setOption(o Option, on bool) error {
	switch {
	case o == PacketInfo && !on:
		return fmt.Errorf("%v off: the Conn needs it to tell notifications from replies: %w", o, syscall.EINVAL)
	case o == NoENOBUFS && on:
		return fmt.Errorf("%v: the Conn needs the kernel's overrun reports, or requests whose replies were dropped would wait for ever: %w", o, syscall.EINVAL)
	}
	return wrapOpt(o, c.sys.setOption(o, on))
}

// Option reads a netlink socket option back from the kernel.
func (c *Conn) Option(o Option) (bool, error) {
	on, err := c.sys.option(o)
	return on, c.opError("get option", wrapOpt(o, err))
}

func wrapOpt(o Option, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%v: %w", o, err)
}

// SyscallConn returns the raw socket, for options this package does not
// wrap. Reading from it bypasses the Conn's bookkeeping: a datagram read
// there is lost to the Conn's calls, and a read that races a running Dump
// can make the kernel fail that dump with EINVAL (two reads continuing
// one dump). The Conn may hold a datagram it read from the socket for
// its next read, so the descriptor's readiness does not say whether
// Receive has something. Control runs on the Conn's own descriptor. Read and Write wait in the runtime poller and
// honour the Conn's deadlines, so their first call makes a second
// descriptor of the socket for the poller (it fails when the process is
// out of descriptors), which Close closes; from then on every datagram
// queued on the socket may wake a thread parked in the poller, a cost the
// Conn otherwise avoids (its reads wait through an epoll instance of its
// own, made by Dial, which watches the socket only while a read waits).
// After Close, its methods fail with ErrClosed.
func (c *Conn) SyscallConn() (syscall.RawConn, error) {
	return c.sys.rawConn()
}

// SetDeadline sets the read and write deadlines, as net.Conn does. A call
// blocked past the deadline returns an error for which os.IsTimeout and
// errors.Is(err, os.ErrDeadlineExceeded) hold.
func (c *Conn) SetDeadline(t time.Time) error {
	if err := c.SetReadDeadline(t); err != nil {
		return err
	}
	return c.SetWriteDeadline(t)
}

// SetReadDeadline sets the deadline for calls that wait for messages.
func (c *Conn) SetReadDeadline(t time.Time) error {
	return c.opError("set deadline", c.setDeadline(true, t))
}

// SetWriteDeadline sets the deadline for sending.
func (c *Conn) SetWriteDeadline(t time.Time) error {
	return c.opError("set deadline", c.setDeadline(false, t))
}

func (c *Conn) setDeadline(read bool, t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if read {
		c.deadline = t
	}
	return c.sys.setDeadline(read, t)
}

// nextSeq returns the next sequence number for Send: never 0, and never with
// exchangeBit set, so replies to Send are told from replies to exchanges.
func (c *Conn) nextSeq() uint32 {
	for {
		s := c.seq.Add(1) &^ exchangeBit
		if s != 0 {
			return s
		}
	}
}

// Send sends m to the kernel. It fills in the length, a sequence number
// when m has none and the port ID when m has none; it adds no flags, so set
// Request and whatever else the message needs. It returns the header as
// sent, once the message is sent, ctx is done, or the write deadline passes.
// Replies come through Receive. A sequence number of the caller's must not
// have bit 31 set: those belong to Execute, Dump and Batch, whose leftover
// replies are discarded.
func (c *Conn) Send(ctx context.Context, m Message) (Header, error) {
	return c.SendTo(ctx, m, Addr{})
}

// SendTo sends m to the socket at to: the kernel when to.PortID is 0, a
// user-space peer otherwise (NETLINK_USERSOCK, or a custom protocol), or
// multicast groups in to.Groups. It fills in the header as Send does. A
// peer whose receive queue is full is retried, backing off up to 10 ms,
// until ctx is done or the write deadline passes. Toward the kernel, bit 31
// of the sequence number is refused, as Send says; toward peers, any number
// goes.
func (c *Conn) SendTo(ctx context.Context, m Message, to Addr) (Header, error) {
	if m.Header.Sequence&exchangeBit != 0 && to.PortID == 0 && to.Groups == 0 {
		return Header{}, c.opError("send", fmt.Errorf("sequence number %#x: numbers with bit 31 set are reserved for Execute, Dump and Batch", m.Header.Sequence))
	}
	if m.Header.Sequence == 0 {
		m.Header.Sequence = c.nextSeq()
	}
	// Toward the kernel a send does not block. Toward a full peer the
	// kernel would never wake a waiting sender, so the send is retried
	// after a pause, without holding the send token.
	for delay := 50 * time.Microsecond; ; delay = min(2*delay, 10*time.Millisecond) {
		if err := c.lockSend(ctx); err != nil {
			return Header{}, c.opError("send", err)
		}
		h, err := c.sendLocked(ctx, to, []Message{m}, 0, 0)
		<-c.sendTok
		if err != errWouldBlock {
			return h, c.opError("send", err)
		}
		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-ctx.Done():
			err = ctx.Err()
		case <-c.done:
			err = ErrClosed
		}
		t.Stop()
		if err != errWouldBlock {
			return Header{}, c.opError("send", err)
		}
	}
}

// lockSend takes the send token, or fails when ctx is done or c closed.
func (c *Conn) lockSend(ctx context.Context) error {
	select {
	case c.sendTok <- struct{}{}:
		return nil
	default:
	}
	select {
	case c.sendTok <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-c.done:
		return ErrClosed
	}
}

// sendLocked encodes msgs and sends them in one datagram, without changing
// msgs; it returns errWouldBlock when a peer's queue is full. When seq is
// not 0, the messages get the sequence numbers seq, seq+1, ...; flags are
// added to each. It returns the header of the first message as sent. The
// caller holds c.sendTok.
func (c *Conn) sendLocked(ctx context.Context, to Addr, msgs []Message, seq uint32, flags HeaderFlags) (Header, error) {
	if err := ctx.Err(); err != nil {
		return Header{}, err
	}
	bp := c.sbufs.Get().(*[]byte)
	defer c.sbufs.Put(bp)
	b := (*bp)[:0]
	var first Header
	for i, m := range msgs {
		h := m.Header
		h.Flags |= flags
		h.Length = uint32(MessageLen(len(m.Data)))
		if seq != 0 {
			h.Sequence = seq + uint32(i)
		}
		if h.PortID == 0 {
			h.PortID = c.local.PortID
		}
		if i == 0 {
			first = h
		}
		b = AppendMessage(b, h, m.Data)
	}
	*bp = b
	return first, c.sys.send(b, to)
}

// Receive waits for the next datagram that no request is waiting for (a
// notification, or a reply to Send) and returns its messages in memory the
// caller owns. It returns when ctx is done or the read deadline passes.
func (c *Conn) Receive(ctx context.Context) ([]Message, error) {
	d, b, err := c.receive(ctx)
	if err != nil {
		return nil, c.opError("receive", err)
	}
	if b != nil {
		d.Data = append([]byte(nil), d.Data...)
		c.putBuf(b)
	}
	return collect(d.Data)
}

// ReceiveDatagram is the zero-copy form of Receive: the returned Datagram's
// Data, and every Message parsed from it, alias a buffer of the Conn that
// the next ReceiveDatagram call reuses. Copy what must live longer. It is
// the form that reports the multicast group and namespace ID. Only one
// goroutine at a time may use it.
func (c *Conn) ReceiveDatagram(ctx context.Context) (Datagram, error) {
	if b := c.lent.Swap(nil); b != nil {
		c.putBuf(b)
	}
	d, b, err := c.receive(ctx)
	if b != nil {
		c.lent.Store(b)
	}
	return d, c.opError("receive", err)
}

// collect copies nothing: it parses b, which the caller owns, into a slice
// of messages aliasing it.
func collect(b []byte) ([]Message, error) {
	n := 0
	for _, err := range Messages(b) {
		if err != nil {
			return nil, err
		}
		n++
	}
	msgs := make([]Message, 0, n)
	for m := range Messages(b) {
		msgs = append(msgs, m)
	}
	return msgs, nil
}

// withContext runs the blocking read fn, making ctx's cancellation expire
// the read deadline so that fn returns promptly, then restores the caller's
// deadline. Arming the context costs allocations, so fn is first called
// with wait false, and armed only when it returns errWouldBlock: a kernel's
// reply is usually queued already. When ctx is done already, that first
// call is all: a read then takes what is queued, or returns ctx.Err()
// without waiting. Reads run one at a time (the token), so
// a generation counter tells a poke that is still on its way from one that
// took effect.
func (c *Conn) withContext(ctx context.Context, fn func(wait bool) error) error {
	if ctx.Done() == nil {
		return fn(true)
	}
	if err := fn(false); err != errWouldBlock {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err // nothing queued, and ctx done already: no need to arm it
	}
	c.mu.Lock()
	gen := c.pokes
	c.mu.Unlock()
	stop := context.AfterFunc(ctx, func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.pokes == gen {
			c.pokes++
			c.sys.setDeadline(true, aLongTimeAgo)
		}
	})
	err := fn(true)
	if !stop() {
		c.mu.Lock()
		if c.pokes != gen {
			c.sys.setDeadline(true, c.deadline)
		}
		c.pokes++ // a poke still on its way now does nothing
		c.mu.Unlock()
		// Only the poke's own timeout becomes ctx.Err(): when fn finished
		// (a datagram read) or failed otherwise before the poke took
		// effect, that result stands, or a datagram would be lost.
		if errors.Is(err, os.ErrDeadlineExceeded) && ctx.Err() != nil {
			return ctx.Err()
		}
	}
	return err
}

var aLongTimeAgo = time.Unix(1, 0)
