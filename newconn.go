package netlink

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"syscall"
	"time"
)

// Socket is a datagram socket that stands in for the kernel's under a Conn
// made by NewConn. Package nltest has one: a fake kernel, in memory, for
// unit tests.
//
// The Conn calls Recv from one goroutine at a time, and Send from one
// goroutine at a time, but Recv, Send, SetReadDeadline, Membership and
// Close may run at once.
type Socket interface {
	// Recv returns the next datagram queued for the Conn; the Conn copies
	// its Data before it calls Recv again. When none is queued, Recv
	// returns ok false at once if wait is false (whatever the deadline);
	// if wait is true it blocks until one is, until the read deadline
	// passes (an error wrapping os.ErrDeadlineExceeded), or until Close
	// (ErrClosed). An error wrapping syscall.ENOBUFS says that the queue
	// overflowed, as the kernel's does. A datagram that is not multicast
	// has Group 0; NSID is -1 unless it comes from another namespace.
	Recv(wait bool) (d Datagram, ok bool, err error)
	// Send takes one datagram, addressed to the kernel when to is the zero
	// Addr. It must not keep b after it returns.
	Send(b []byte, to Addr) error
	// SetReadDeadline sets the deadline for Recv, waking a Recv that
	// waits past it.
	SetReadDeadline(t time.Time) error
	// Membership joins multicast group g when join is true and leaves it
	// otherwise, as NETLINK_ADD_MEMBERSHIP and NETLINK_DROP_MEMBERSHIP do:
	// the Conn calls it for Config.Groups, JoinGroup and LeaveGroup, and
	// joins or leaves only when it returns nil. A multicast datagram goes
	// only to the sockets in its group.
	Membership(g uint32, join bool) error
	// Close makes Recv and Send fail with ErrClosed, waking a Recv that
	// waits.
	Close() error
}

// NewConn runs a Conn on s instead of a kernel socket: everything above the
// socket (sequence numbers, ACKs, dumps, overruns, contexts, Close) works as
// with Dial. The Conn is bound to cfg.PortID. The fields of cfg that set
// up the kernel's socket (NetNS, ReadBuffer, WriteBuffer) do nothing;
// options are recorded, and read back by Option, without reaching s;
// groups are joined through s.Membership. As with the kernel's socket, a
// read or a send past its deadline fails, even when it need not wait.
func NewConn(protocol int, s Socket, cfg *Config) (*Conn, error) {
	c, cfg, err := newConn(protocol, cfg)
	if err != nil {
		return nil, err
	}
	c.sys = &userSock{s: s, opts: make(map[Option]bool)}
	return c.setup(Addr{PortID: cfg.PortID}, cfg)
}

// userSock is a Socket as a Conn's sock. As with the kernel's socket
// under the runtime poller, a read (but the drain's) or a send past its
// deadline fails, even when it would not have to wait.
type userSock struct {
	s     Socket
	mu    sync.Mutex
	opts  map[Option]bool
	rdead time.Time // the read deadline
	wdead time.Time // the write deadline
	shut  bool      // closed: options fail with ErrClosed, as on a closed socket
}

// expired says whether the deadline *t has passed.
func (u *userSock) expired(t *time.Time) bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	return !t.IsZero() && !time.Now().Before(*t)
}

func (u *userSock) recv(buf *[]byte, how int) (Datagram, error) {
	if how != recvDrain && u.expired(&u.rdead) {
		return Datagram{}, os.ErrDeadlineExceeded
	}
	d, ok, err := u.s.Recv(how == recvWait)
	switch {
	case errors.Is(err, syscall.ENOBUFS):
		return Datagram{}, fmt.Errorf("%w: %w", ErrOverrun, err)
	case err != nil:
		return Datagram{}, err
	case !ok:
		return Datagram{}, errWouldBlock
	}
	if len(d.Data) > len(*buf) {
		*buf = make([]byte, Align(len(d.Data)))
	}
	d.Data = (*buf)[:copy(*buf, d.Data)]
	return d, nil
}

func (u *userSock) send(b []byte, to Addr) error {
	if u.expired(&u.wdead) {
		return os.ErrDeadlineExceeded
	}
	return u.s.Send(b, to)
}

func (u *userSock) setDeadline(read bool, t time.Time) error {
	u.mu.Lock()
	if read {
		u.rdead = t
	} else {
		u.wdead = t
	}
	u.mu.Unlock()
	if read {
		return u.s.SetReadDeadline(t) // wakes a Recv that waits
	}
	return nil // sending never waits
}

func (u *userSock) setOption(o Option, on bool) error {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.shut {
		return ErrClosed
	}
	u.opts[o] = on
	return nil
}

func (u *userSock) option(o Option) (bool, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.shut {
		return false, ErrClosed
	}
	return u.opts[o], nil
}

func (u *userSock) membership(g uint32, join bool) error { return u.s.Membership(g, join) }
func (u *userSock) setReadBuffer(int) error              { return nil }
func (u *userSock) setWriteBuffer(int) error             { return nil }
func (u *userSock) buffers() (int, int)                  { return 208 << 10, 208 << 10 }
func (u *userSock) rawConn() (syscall.RawConn, error)    { return nil, ErrNotSupported }
func (u *userSock) release()                             {}

func (u *userSock) close() error {
	u.mu.Lock()
	u.shut = true
	u.mu.Unlock()
	return u.s.Close()
}
