//go:build linux

package netlink

import (
	"errors"
	"fmt"
	"math"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// sysConn is the Linux socket under a Conn. Its receive fields are used only
// by the goroutine holding Conn.token and its send fields only by the one
// holding Conn.sendTok, so the functions handed to the runtime are made
// once, in open, and a datagram costs no allocation.
//
// The socket stays out of the runtime poller's epoll set: a descriptor
// there wakes the thread parked in epoll_wait, as one is whenever the
// process has a pending timer, at every datagram queued on it, whether or
// not a goroutine waits for it. That cost about a context switch per
// Execute. The kernel has queued its answer to most requests by the time
// sendmsg returns, so reads and sends do not wait (MSG_DONTWAIT), and only
// a read that finds nothing queued waits: the socket then joins an epoll
// instance of the Conn's own (ep), which is in the runtime poller, for as
// long as the read waits. Deadlines and Close work on ep, so they wake a
// waiting read as they would on the socket; sends check the write deadline
// (they never wait: see send).
type sysConn struct {
	f      *os.File // the socket, made while blocking so the runtime does not poll it
	rc     syscall.RawConn
	ep     *os.File // the Conn's epoll instance, in the runtime poller
	eprc   syscall.RawConn
	closed atomic.Bool // set by close before the files are closed

	// Deadlines in Unix nanoseconds, 0 for none. Set under dmu, read
	// without it.
	rdl, wdl atomic.Int64
	dmu      sync.Mutex
	raw      *os.File // a descriptor of the socket in the runtime poller, for SyscallConn (see rawConn)

	// Reads take up to two datagrams in one recvmmsg (see recvmsg): the
	// first into the caller's buffer, the second into held, which the
	// next recv hands out without a system call. An exchange's reply and
	// its ACK are queued together, and so are a dump's parts (the kernel
	// makes the next one as the last is read), so this saves a system
	// call per ACK and per dump datagram. Two only where address space
	// is plentiful (64-bit), for the second slot's spare, and only while
	// datagrams come more than one at a time (see pairs): an empty second
	// slot costs the kernel a futile attempt.
	msgs    [2]mmsghdr
	slots   [2]rslot
	maxMsgs int    // 2, or 1 on 32-bit
	nmsgs   int    // datagrams the last read asked for
	held    []byte // the second slot's buffer
	hasHeld bool   // held has a datagram the next recv returns
	pair    bool   // read two at a time
	streak  int    // datagrams read since the last send or empty read
	sendsAt uint64 // sends counted when streak began
	sends   atomic.Uint64
	// cmsg says whether recv asks for the control messages: only once a
	// group is joined, ListenAllNSID set, or the raw socket handed out.
	// Without a group no multicast datagram comes, and replies need no
	// NETLINK_PKTINFO; leaving it out saves the kernel work on each read.
	cmsg     atomic.Bool
	rerr     error
	recvFn   func(fd uintptr)      // recvmsg, without waiting
	waitFn   func(ep uintptr) bool // waitRead
	disarmFn func(ep uintptr)
	ctlFn    func(fd uintptr) // epoll_ctl(efd, eop, fd)
	efd      uintptr          // ep's descriptor, during ctlFn
	eop      int
	eerr     error
	werr     error // waitRead's own failure
	armed    bool  // the socket is in ep
	first    bool  // waitRead's first call in a Read

	sto    unix.RawSockaddrNetlink
	sbuf   []byte
	serr   error
	sendFn func(fd uintptr)
}

func (s *sysConn) open(proto int, cfg *Config) (Addr, error) {
	fd, err := socketIn(proto, cfg.NetNS)
	if err != nil {
		return Addr{}, err
	}
	local, rcvbuf, err := setup(fd, proto, cfg)
	if err != nil {
		unix.Close(fd)
		return Addr{}, err
	}
	if err := s.openFiles(fd); err != nil {
		return Addr{}, err
	}
	n := max(rcvbuf, minSpare)
	s.maxMsgs, s.pair = 2, true
	if strconv.IntSize == 32 {
		n = minSpare // address space is scarce: grow when a datagram needs it
		s.maxMsgs = 1
	}
	for i := range s.maxMsgs {
		sp := new(spareMap)
		if err := sp.remap(n); err != nil {
			s.release()
			s.ep.Close()
			s.f.Close()
			return Addr{}, err
		}
		s.slots[i].spare = sp
		runtime.AddCleanup(s, (*spareMap).unmap, sp)
	}
	s.recvFn = s.recvmsg
	s.waitFn = s.waitRead
	s.disarmFn = s.disarm
	s.ctlFn = func(fd uintptr) { s.eerr = epollCtl(int(s.efd), s.eop, int(fd)) }
	s.sendFn = s.sendto
	s.sto.Family = unix.AF_NETLINK
	return local, nil
}

// openFiles wraps the socket fd, and makes and wraps the Conn's epoll
// instance (see sysConn). It closes fd when it fails.
func (s *sysConn) openFiles(fd int) error {
	// os.NewFile leaves a blocking descriptor out of the runtime poller;
	// O_NONBLOCK is the socket's, so it is set again afterwards, for code
	// that uses the descriptor SyscallConn hands out.
	if err := unix.SetNonblock(fd, false); err != nil {
		unix.Close(fd)
		return fmt.Errorf("socket: %w", err)
	}
	s.f = os.NewFile(uintptr(fd), "netlink")
	if err := unix.SetNonblock(fd, true); err != nil {
		s.f.Close()
		return fmt.Errorf("socket: %w", err)
	}
	s.rc, _ = s.f.SyscallConn()
	efd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err == nil {
		err = unix.SetNonblock(efd, true)
		if err != nil {
			unix.Close(efd)
		}
	}
	if err != nil {
		s.f.Close()
		return fmt.Errorf("epoll_create1: %w", err)
	}
	s.ep = os.NewFile(uintptr(efd), "netlink-wait")
	s.eprc, _ = s.ep.SyscallConn()
	return nil
}

// epollCtl adds fd to the epoll instance efd, for reading, or deletes it.
func epollCtl(efd, op, fd int) error {
	ev := unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(fd)}
	return os.NewSyscallError("epoll_ctl", unix.EpollCtl(efd, op, fd, &ev))
}

// spareMap is the spare buffer a datagram larger than the caller's buffer
// spills into. It is mapped, not allocated: untouched pages cost no memory,
// and recv gives back the pages a large datagram touched. Close unmaps it
// once no reader can use it, and a cleanup does for a Conn never closed.
type spareMap struct{ b []byte }

// minSpare is the least spare mapped: a datagram up to this size, or up to
// the socket's receive buffer if larger, is never cut short.
const minSpare = 1 << 20

func (m *spareMap) remap(n int) error {
	b, err := unix.Mmap(-1, 0, n, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS|unix.MAP_NORESERVE)
	if err != nil {
		return fmt.Errorf("map a %d-byte receive buffer: %w", n, err)
	}
	m.unmap()
	m.b = b
	return nil
}

func (m *spareMap) unmap() {
	if m.b != nil {
		unix.Munmap(m.b)
		m.b = nil
	}
}

// socketIn opens a non-blocking netlink socket, inside the network namespace
// at path when one is given. The namespace switch happens on a locked
// thread of a goroutine of its own; if the thread cannot go back to its
// namespace, it stays locked and exits with the goroutine.
func socketIn(proto int, path string) (int, error) {
	if path == "" {
		return socket(proto)
	}
	type result struct {
		fd  int
		err error
	}
	ch := make(chan result, 1)
	go func() {
		runtime.LockOSThread()
		fd, restored, err := socketInLocked(proto, path)
		if restored {
			runtime.UnlockOSThread()
		}
		ch <- result{fd, err}
	}()
	r := <-ch
	return r.fd, r.err
}

func socketInLocked(proto int, path string) (fd int, restored bool, err error) {
	orig, err := unix.Open("/proc/thread-self/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, true, fmt.Errorf("open own network namespace: %w", err)
	}
	defer unix.Close(orig)
	ns, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, true, fmt.Errorf("open network namespace %s: %w", path, err)
	}
	defer unix.Close(ns)
	if err := unix.Setns(ns, unix.CLONE_NEWNET); err != nil {
		return -1, true, fmt.Errorf("enter network namespace %s: %w", path, err)
	}
	fd, err = socket(proto)
	if unix.Setns(orig, unix.CLONE_NEWNET) != nil {
		return fd, false, err
	}
	return fd, true, err
}

func socket(proto int) (int, error) {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, proto)
	if errors.Is(err, unix.EPROTONOSUPPORT) {
		return -1, fmt.Errorf("socket: protocol %d: %w (the kernel has no netlink socket for it: is its module loaded?)", proto, err)
	}
	if err != nil {
		return -1, fmt.Errorf("socket: %w", err)
	}
	return fd, nil
}

// setup sizes the buffers and binds fd. It returns the bound address and the
// receive buffer size the kernel set.
func setup(fd, proto int, cfg *Config) (Addr, int, error) {
	if cfg.ReadBuffer > 0 {
		if err := setBuffer(fd, unix.SO_RCVBUFFORCE, unix.SO_RCVBUF, cfg.ReadBuffer); err != nil {
			return Addr{}, 0, err
		}
	}
	if cfg.WriteBuffer > 0 {
		if err := setBuffer(fd, unix.SO_SNDBUFFORCE, unix.SO_SNDBUF, cfg.WriteBuffer); err != nil {
			return Addr{}, 0, err
		}
	}
	err := unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK, Pid: cfg.PortID})
	if errors.Is(err, unix.EADDRINUSE) {
		return Addr{}, 0, fmt.Errorf("bind: port ID %d is already in use on protocol %d: %w", cfg.PortID, proto, err)
	}
	if err != nil {
		return Addr{}, 0, fmt.Errorf("bind port ID %d: %w", cfg.PortID, err)
	}
	sa, err := unix.Getsockname(fd)
	if err != nil {
		return Addr{}, 0, fmt.Errorf("getsockname: %w", err)
	}
	nl, ok := sa.(*unix.SockaddrNetlink)
	if !ok {
		return Addr{}, 0, fmt.Errorf("getsockname: not a netlink address: %T", sa)
	}
	rcvbuf, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUF)
	if err != nil {
		return Addr{}, 0, fmt.Errorf("getsockopt SO_RCVBUF: %w", err)
	}
	return Addr{PortID: nl.Pid}, rcvbuf, nil
}

// setBuffer sets a socket buffer size, past the system limit when the
// process is privileged.
func setBuffer(fd, force, plain, n int) error {
	if unix.SetsockoptInt(fd, unix.SOL_SOCKET, force, n) == nil {
		return nil
	}
	if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, plain, n); err != nil {
		return fmt.Errorf("set socket buffer to %d bytes: %w", n, err)
	}
	return nil
}

func (s *sysConn) control(fn func(fd int) error) error {
	var err error
	if cerr := s.rc.Control(func(fd uintptr) { err = fn(int(fd)) }); cerr != nil {
		return s.closedErr(cerr)
	}
	return err
}

func (s *sysConn) setOption(o Option, on bool) error {
	v := 0
	if on {
		v = 1
	}
	if o == ListenAllNSID && on {
		s.cmsg.Store(true)
	}
	return s.control(func(fd int) error {
		return os.NewSyscallError("setsockopt", unix.SetsockoptInt(fd, unix.SOL_NETLINK, int(o), v))
	})
}

func (s *sysConn) option(o Option) (bool, error) {
	var v int
	err := s.control(func(fd int) error {
		var err error
		v, err = unix.GetsockoptInt(fd, unix.SOL_NETLINK, int(o))
		return os.NewSyscallError("getsockopt", err)
	})
	return v != 0, err
}

func (s *sysConn) membership(g uint32, join bool) error {
	opt := unix.NETLINK_DROP_MEMBERSHIP
	if join {
		opt = unix.NETLINK_ADD_MEMBERSHIP
		s.cmsg.Store(true) // before the first notification can come
	}
	return s.control(func(fd int) error {
		return os.NewSyscallError("setsockopt", unix.SetsockoptInt(fd, unix.SOL_NETLINK, opt, int(g)))
	})
}

// rawConn hands out the socket, which may then join groups behind the
// Conn's back: recv asks for control messages from then on.
func (s *sysConn) rawConn() (syscall.RawConn, error) {
	s.cmsg.Store(true)
	return rawConn{s}, nil
}

// rawConn is the socket as SyscallConn hands it out. Control runs on the
// Conn's descriptor. Read and Write wait in the runtime poller and honour
// the Conn's deadlines, as a RawConn's do, so they go through a second
// descriptor of the socket, made at the first such call and watched by the
// poller from then on (pollFile); the Conn's own reads and sends stay as
// they are (see sysConn). Should the process be out of descriptors then,
// that call fails, and the next one tries again.
type rawConn struct{ s *sysConn }

// After Close, each method fails with ErrClosed, as the Conn's do.
func (r rawConn) Control(f func(fd uintptr)) error { return r.s.closedErr(r.s.rc.Control(f)) }

func (r rawConn) Read(f func(fd uintptr) bool) error {
	rc, err := r.s.pollFile()
	if err != nil {
		return r.s.closedErr(err)
	}
	return r.s.closedErr(rc.Read(f))
}

func (r rawConn) Write(f func(fd uintptr) bool) error {
	rc, err := r.s.pollFile()
	if err != nil {
		return r.s.closedErr(err)
	}
	return r.s.closedErr(rc.Write(f))
}

// pollFile returns the descriptor of the socket in the runtime poller,
// made at the first call (see rawConn).
func (s *sysConn) pollFile() (syscall.RawConn, error) {
	s.dmu.Lock()
	defer s.dmu.Unlock()
	if s.raw == nil {
		if s.closed.Load() {
			return nil, os.ErrClosed
		}
		var nfd int
		var err error
		if cerr := s.rc.Control(func(fd uintptr) { nfd, err = unix.FcntlInt(fd, unix.F_DUPFD_CLOEXEC, 0) }); cerr != nil {
			return nil, cerr
		}
		if err != nil {
			return nil, os.NewSyscallError("fcntl F_DUPFD_CLOEXEC", err)
		}
		raw := os.NewFile(uintptr(nfd), "netlink") // non-blocking: polled
		if ns := s.rdl.Load(); ns != 0 {
			raw.SetReadDeadline(time.Unix(0, ns))
		}
		if ns := s.wdl.Load(); ns != 0 {
			raw.SetWriteDeadline(time.Unix(0, ns))
		}
		s.raw = raw
	}
	return s.raw.SyscallConn()
}

func (s *sysConn) setDeadline(read bool, t time.Time) error {
	ns := deadlineNanos(t)
	s.dmu.Lock()
	defer s.dmu.Unlock()
	if s.closed.Load() {
		return ErrClosed
	}
	if !read {
		s.wdl.Store(ns)
		if s.raw != nil {
			s.raw.SetWriteDeadline(t)
		}
		return nil
	}
	s.rdl.Store(ns)
	if s.raw != nil {
		s.raw.SetReadDeadline(t)
	}
	return s.closedErr(s.ep.SetReadDeadline(t))
}

// deadlineNanos returns t in Unix nanoseconds for rdl and wdl: 0 for
// none (the zero Time), and within 1 and math.MaxInt64 otherwise, where
// UnixNano would overflow (before 1678, after 2262).
func deadlineNanos(t time.Time) int64 {
	switch sec := t.Unix(); {
	case t.IsZero():
		return 0
	case sec <= 0:
		return 1 // passed long ago
	case sec >= math.MaxInt64/int64(time.Second):
		return math.MaxInt64
	}
	return t.UnixNano()
}

// expired says whether the deadline dl (rdl or wdl) has passed.
func expired(dl *atomic.Int64) bool {
	ns := dl.Load()
	return ns != 0 && time.Now().UnixNano() >= ns
}

// setReadBuffer sets SO_RCVBUF, past the system limit when the process
// may. The spare buffer stays as it is: it grows when a datagram does not
// fit.
func (s *sysConn) setReadBuffer(n int) error {
	return s.control(func(fd int) error { return setBuffer(fd, unix.SO_RCVBUFFORCE, unix.SO_RCVBUF, n) })
}

// setWriteBuffer sets SO_SNDBUF, past the system limit when the process
// may.
func (s *sysConn) setWriteBuffer(n int) error {
	return s.control(func(fd int) error { return setBuffer(fd, unix.SO_SNDBUFFORCE, unix.SO_SNDBUF, n) })
}

func (s *sysConn) close() error {
	s.dmu.Lock()
	s.closed.Store(true)
	if s.raw != nil {
		s.raw.Close()
	}
	s.dmu.Unlock()
	s.ep.Close() // wakes a read waiting there
	return s.f.Close()
}

// release frees what the socket holds besides its descriptor. The caller
// makes sure no read runs or follows.
func (s *sysConn) release() {
	for _, sl := range s.slots {
		if sl.spare != nil {
			sl.spare.unmap()
		}
	}
}

// closedErr turns the poller's error for a closed file into ErrClosed. The
// RawConn methods return internal/poll's ErrFileClosing, which does not
// match os.ErrClosed, so an error once close has begun counts as closed.
func (s *sysConn) closedErr(err error) error {
	if err != nil && (s.closed.Load() || errors.Is(err, os.ErrClosed)) {
		return ErrClosed
	}
	return err
}

// How recv waits.
const (
	recvTry   = iota // without waiting, checking the read deadline
	recvWait         // the same, then waiting for a datagram when none is queued (see sysConn)
	recvDrain        // without waiting, and without the deadline: an expired deadline must not stop a drain
)

// recv reads one datagram into *buf, or into the spare when it is larger.
// A datagram that spilled into the spare is copied into a new, larger
// *buf, which later reads reuse. A datagram larger than both is cut short:
// recv returns what fits in *buf with ErrTruncated, and maps a spare that
// fits the next one. When the last read took two datagrams, recv returns
// the second at once, swapping *buf with the buffer it is in.
//
// Unless how is recvWait, recv does not block: it returns errWouldBlock
// when no datagram is queued.
func (s *sysConn) recv(buf *[]byte, how int) (Datagram, error) {
	if how != recvDrain && expired(&s.rdl) {
		return Datagram{}, os.ErrDeadlineExceeded
	}
	if s.hasHeld {
		if s.closed.Load() {
			return Datagram{}, ErrClosed
		}
		s.hasHeld = false
		*buf, s.held = s.held, *buf
		return s.datagram(1, buf)
	}
	s.nmsgs = 1
	if s.maxMsgs > 1 && s.pair {
		s.nmsgs = 2
		if len(s.held) < len(*buf) {
			s.held = make([]byte, len(*buf)) // rarely: the buffers only grow
		}
		s.prepare(1, s.held)
	}
	s.prepare(0, *buf)
	// A read that may wait tries first without ep: the answer it waits
	// for is usually queued, and ep's Read costs more than the read. Not
	// when the socket is in ep still: the last read waited, this one
	// likely will, and waitRead reads first anyway.
	var err error
	if how == recvWait && s.armed {
		err = s.wait()
	} else {
		err = s.rc.Control(s.recvFn)
		if err == nil && s.rerr != unix.EAGAIN && s.armed {
			s.eprc.Control(s.disarmFn) // see waitRead; when ep is closed, so is its set
		}
		if err == nil && s.rerr == unix.EAGAIN && how == recvWait {
			err = s.wait()
		}
	}
	if err != nil {
		return Datagram{}, s.closedErr(err)
	}
	s.pairs()
	if s.rerr == unix.EAGAIN {
		return Datagram{}, errWouldBlock
	}
	if s.rerr != nil {
		call := "recvmsg"
		if s.nmsgs > 1 {
			call = "recvmmsg"
		}
		if s.rerr == unix.ENOBUFS {
			return Datagram{}, fmt.Errorf("%w: %w", ErrOverrun, os.NewSyscallError(call, s.rerr))
		}
		return Datagram{}, os.NewSyscallError(call, s.rerr)
	}
	return s.datagram(0, buf)
}

// wait reads through ep, waiting for a datagram when none is queued (see
// waitRead).
func (s *sysConn) wait() error {
	// The socket ran empty: what the wait brings starts a new run (see
	// pairs).
	s.streak = 0
	s.werr, s.first = nil, true
	err := s.eprc.Read(s.waitFn)
	if err == nil {
		err = s.werr
	}
	return err
}

// pairs decides, after a read, whether the next reads take two datagrams
// at a time: yes once two were read since the last send without the
// socket running empty (an exchange's reply and ACK, a dump, a burst of
// notifications), no once a read of two found one. A Conn whose requests
// each get one answer then reads one at a time, and one whose answers
// come in twos reads them together.
func (s *sysConn) pairs() {
	if n := s.sends.Load(); n != s.sendsAt || s.rerr != nil {
		s.sendsAt, s.streak = n, 0
	}
	if s.rerr != nil {
		return
	}
	got := 1
	if s.hasHeld {
		got = 2
	}
	s.streak += got
	switch {
	case s.nmsgs == 2:
		s.pair = got == 2
	case s.streak >= 2:
		s.pair = true
	}
}

// prepare points slot i's message header at b, then the slot's spare.
func (s *sysConn) prepare(i int, b []byte) {
	sl := &s.slots[i]
	spare := sl.spare.b
	sl.iov[0] = unix.Iovec{Base: unsafe.SliceData(b)}
	sl.iov[0].SetLen(len(b))
	sl.iov[1] = unix.Iovec{Base: unsafe.SliceData(spare)}
	sl.iov[1].SetLen(len(spare))
	s.msgs[i] = mmsghdr{hdr: unix.Msghdr{
		Name:    (*byte)(unsafe.Pointer(&sl.from)),
		Namelen: unix.SizeofSockaddrNetlink,
		Iov:     &sl.iov[0],
	}}
	s.msgs[i].hdr.SetIovlen(len(sl.iov))
}

// datagram returns the datagram slot i read, whose buffer is now *buf.
func (s *sysConn) datagram(i int, buf *[]byte) (Datagram, error) {
	sl, m := &s.slots[i], &s.msgs[i]
	b, spare, n := *buf, sl.spare.b, int(m.n)
	d := Datagram{From: Addr{PortID: sl.from.Pid, Groups: sl.from.Groups}, NSID: -1}
	parseControl(&d, sl.oob[:], int(m.hdr.Controllen))
	if room := len(b) + len(spare); n > room || m.hdr.Flags&unix.MSG_TRUNC != 0 {
		sl.spare.remap(Align(n)) // so that the next one fits; on failure the old one stays
		d.Data = b[:min(n, len(b))]
		return d, fmt.Errorf("%d-byte datagram did not fit in %d bytes: %w", n, room, ErrTruncated)
	}
	if n > len(b) {
		spilled := n - len(b)
		nb := make([]byte, Align(n))
		copy(nb, b)
		copy(nb[len(b):], spare[:spilled])
		*buf, b = nb, nb
		unix.Madvise(spare[:spilled], unix.MADV_DONTNEED) // give back the pages it touched
	}
	d.Data = b[:n]
	return d, nil
}

// waitRead is ep's Read function, with which recv reads when it may wait
// (see sysConn): it reads, and when nothing is queued puts the socket in
// ep and returns false, to wait. (The runtime forgets ep's readiness at
// the start of each Read, so it must read before it waits.) The socket
// stays in ep after the wait, for the next read that waits, until a read
// finds a datagram queued at once: a Conn that waits at every read
// (Receive of notifications) pays no epoll_ctl, and one whose kernel
// answers are queued by the time it reads (exchanges) leaves ep at its
// first read.
func (s *sysConn) waitRead(efd uintptr) bool {
	if err := s.rc.Control(s.recvFn); err != nil {
		s.werr = err
		return true
	}
	first := s.first
	s.first = false
	switch {
	case s.rerr != unix.EAGAIN:
		if first && s.armed {
			s.disarm(efd)
		}
		return true
	case !s.armed:
		// A datagram queued since the read makes ep ready: the socket is
		// polled as it joins.
		s.eop = unix.EPOLL_CTL_ADD
		s.ctl(efd)
		if s.eerr != nil {
			s.werr = s.eerr
			return true
		}
		s.armed = true
	}
	return false
}

// disarm takes the socket out of ep, whose descriptor is efd.
func (s *sysConn) disarm(efd uintptr) {
	s.armed = false
	s.eop = unix.EPOLL_CTL_DEL
	s.ctl(efd)
}

// ctl runs epoll_ctl(efd, s.eop) on the socket, leaving its error in
// s.eerr.
func (s *sysConn) ctl(efd uintptr) {
	s.efd = efd
	if err := s.rc.Control(s.ctlFn); err != nil {
		s.eerr = err
	}
}

// recvmsg reads what prepare set up: one datagram with recvmsg, or up to
// two with recvmmsg, which stops at the first slot it finds nothing for.
// An error after the first datagram is kept by the kernel for the next
// read (do_recvmmsg), so an overrun is reported then, in order.
func (s *sysConn) recvmsg(fd uintptr) {
	for {
		// Decided at each attempt: a read that waited in the poller while
		// the Conn joined a group must get the group's control message.
		cmsg := s.cmsg.Load()
		for i := range s.nmsgs {
			h := &s.msgs[i].hdr
			h.Control, h.Controllen = nil, 0
			if cmsg {
				h.Control = (*byte)(unsafe.Pointer(&s.slots[i].oob[0]))
				h.SetControllen(len(s.slots[i].oob) * 8)
			}
		}
		var n uintptr
		var e syscall.Errno
		if s.nmsgs == 1 {
			n, _, e = unix.Syscall(unix.SYS_RECVMSG, fd, uintptr(unsafe.Pointer(&s.msgs[0].hdr)), unix.MSG_TRUNC|unix.MSG_DONTWAIT)
			s.msgs[0].n = uint32(n)
			n = 1
		} else {
			n, _, e = unix.Syscall6(unix.SYS_RECVMMSG, fd, uintptr(unsafe.Pointer(&s.msgs[0])), uintptr(s.nmsgs), unix.MSG_TRUNC|unix.MSG_DONTWAIT, 0, 0)
		}
		switch e {
		case unix.EINTR:
			continue
		case unix.ENOSYS, unix.EPERM:
			if s.nmsgs > 1 {
				// recvmmsg refused (a seccomp filter that knows only
				// recvmsg): read one at a time from now on.
				s.maxMsgs, s.nmsgs, s.pair = 1, 1, false
				continue
			}
			s.rerr = e
		case 0:
			s.rerr, s.hasHeld = nil, n == 2
		default:
			s.rerr = e // EAGAIN included
		}
		return
	}
}

// mmsghdr is struct mmsghdr, recvmmsg's element: a message header and the
// length of the datagram read into it.
type mmsghdr struct {
	hdr unix.Msghdr
	n   uint32
}

// rslot is where one datagram of a read goes besides the buffer it is
// given: its sender, control messages, and the spare it spills into.
type rslot struct {
	iov   [2]unix.Iovec // the buffer, then spare
	from  unix.RawSockaddrNetlink
	oob   [8]uint64 // control messages, aligned for unix.Cmsghdr
	spare *spareMap
}

// parseControl reads NETLINK_PKTINFO and NETLINK_LISTEN_ALL_NSID from the
// first n bytes of the control messages in oob, without allocating.
func parseControl(d *Datagram, oob8 []uint64, n int) {
	oob := unsafe.Slice((*byte)(unsafe.Pointer(&oob8[0])), len(oob8)*8)[:n]
	for len(oob) >= unix.SizeofCmsghdr {
		h := (*unix.Cmsghdr)(unsafe.Pointer(&oob[0]))
		if h.Len < unix.SizeofCmsghdr || int(h.Len) > len(oob) {
			return
		}
		data := oob[unix.CmsgLen(0):h.Len]
		if h.Level == unix.SOL_NETLINK && len(data) >= 4 {
			switch h.Type {
			case unix.NETLINK_PKTINFO:
				d.Group = *(*uint32)(unsafe.Pointer(&data[0]))
			case unix.NETLINK_LISTEN_ALL_NSID:
				d.NSID = int(*(*int32)(unsafe.Pointer(&data[0])))
			}
		}
		oob = oob[min(unix.CmsgSpace(int(h.Len)-unix.CmsgLen(0)), len(oob)):]
	}
}

// send sends b as one datagram to the given address, in one attempt. It
// returns errWouldBlock when the destination is a user-space port whose
// receive queue is full (the kernel never returns EAGAIN otherwise). It
// checks Close and the write deadline, but never waits (MSG_DONTWAIT): the
// kernel would not wake it when the peer reads.
func (s *sysConn) send(b []byte, to Addr) error {
	if expired(&s.wdl) {
		return os.ErrDeadlineExceeded
	}
	s.sto.Pid, s.sto.Groups = to.PortID, to.Groups
	s.sbuf = b
	s.sends.Add(1)
	err := s.rc.Control(s.sendFn)
	s.sbuf = nil
	if err != nil {
		return s.closedErr(err)
	}
	if s.serr == unix.EAGAIN {
		return errWouldBlock
	}
	return os.NewSyscallError("sendto", s.serr)
}

func (s *sysConn) sendto(fd uintptr) {
	for {
		_, _, e := unix.Syscall6(unix.SYS_SENDTO, fd, uintptr(unsafe.Pointer(unsafe.SliceData(s.sbuf))), uintptr(len(s.sbuf)),
			unix.MSG_DONTWAIT, uintptr(unsafe.Pointer(&s.sto)), unix.SizeofSockaddrNetlink)
		switch e {
		case unix.EINTR:
			continue
		case 0:
			s.serr = nil
		default:
			s.serr = e // EAGAIN included: see send
		}
		return
	}
}

// buffers returns the socket's receive and send buffer sizes.
func (s *sysConn) buffers() (rcv, snd int) {
	rcv, snd = 208<<10, 208<<10
	s.control(func(fd int) error {
		if v, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUF); err == nil {
			rcv = v
		}
		if v, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_SNDBUF); err == nil {
			snd = v
		}
		return nil
	})
	return rcv, snd
}
