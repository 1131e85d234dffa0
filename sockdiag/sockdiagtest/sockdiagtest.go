// Package sockdiagtest is a fake NETLINK_SOCK_DIAG kernel for unit tests
// of code that uses package sockdiag: a table of inet and unix sockets
// the test adds, which answers sockdiag.Conn's calls as the kernel does.
// It runs on package nltest, needs no root and builds on every GOOS.
//
// # What it models
//
// What follows is checked against Linux 6.18 by TestSameAsKernel, which
// mirrors the sockets of a network namespace into the fake and compares
// the answers of both.
//
// Listings (SOCK_DIAG_BY_FAMILY dumps) of inet sockets select by family,
// protocol (TCP, UDP, UDP-Lite, MPTCP; raw sockets of every protocol for
// sockdiag.ProtoRaw), the state mask (syn-recv includes new-syn-recv; a
// closed TCP socket, which the kernel lists from its bind table, needs
// sockdiag.StateBoundInactive and is reported closed; raw sockets are
// listed whatever their state, as by the kernel), the
// request's source and destination ports when not zero (a TCP listener
// not at all when the destination port is set), and the request's
// INET_DIAG bytecode, which the fake audits as the kernel's
// inet_diag_bc_audit (EINVAL for a program the kernel refuses, EPERM for
// a mark condition without CAP_NET_ADMIN) and runs as its
// inet_diag_bc_run. Each socket is reported as the kernel's
// inet_sk_diag_fill reports it: the attributes the request's extensions
// ask for (memory, tcp_info, congestion control, TOS, traffic class with
// the class ID, sk_meminfo, the congestion control's own info) and those
// always sent (shutdown, v6only of an IPv6 listener or closed socket,
// mark, cgroup id, socket options, a raw socket's protocol, a TCP
// socket's upper layer protocol with tcp_info), in the kernel's order;
// a time-wait socket without attributes, a new-syn-recv one as syn-recv
// with its mark alone. TCP listeners come first, then the rest, in the
// order they were added.
//
// A request for one socket (sockdiag.Conn.InetSocket) finds it as the
// kernel's lookups do: TCP by its addresses and ports, then a listener
// of the source port whose address is the request's or the wildcard;
// UDP with the request's source and destination swapped, as the kernel's
// udp_dump_one looks it up "for historical reasons"; raw by the raw
// protocol, its addresses or the wildcard; MPTCP by the token in the
// cookie's low 32 bits. A missing socket is ENOENT, so is a TCP socket of
// another cookie (UDP: ESTALE). SOCK_DESTROY (Destroy, DestroyMatching)
// finds the socket the same way (UDP without the swap; ENOENT for a
// cookie that differs; a closed TCP socket is not found) and aborts it as
// the kernel does: a socket whose port the kernel chose (Autobound),
// raw, time-wait and request sockets go; one whose owner bound its port
// stays, closed (a UDP one also without its peer's port, its IPv4 peer
// and its device). The peer of a destroyed TCP connection, which the
// kernel resets, is left as it is. MPTCP sockets
// cannot be destroyed (EOPNOTSUPP), nor can any without CAP_NET_ADMIN
// (EPERM, see SetNetAdmin).
//
// Unix sockets are listed by state, with the attributes the request's
// UnixShow* flags ask for and the shutdown state always, or found by
// inode (EINVAL for inode 0, ENOENT when none has it, ESTALE for another
// cookie). Other families are ENOENT, SOCK_DESTROY of a unix socket
// EOPNOTSUPP, other message types EINVAL.
//
// # What it does not
//
// Sockets are what the test says they are: the fake keeps no
// connections, timers or queues, does not check that a socket's state
// fits its protocol (a TCP socket added in the closed state is listed,
// where the kernel lists only those in its hash tables), and reports
// queue lengths, timers and counters as given. The legacy TCPDIAG_GETSOCK
// requests, SCTP and the BPF socket storage are not modelled.
package sockdiagtest

import (
	"encoding/binary"
	"net/netip"
	"slices"
	"sync"
	"syscall"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/nltest"
	"github.com/nlkit/netlink/sockdiag"
)

// Constants of <linux/sock_diag.h> and <linux/inet_diag.h>.
const (
	msgByFamily = 20 // SOCK_DIAG_BY_FAMILY
	msgDestroy  = 21 // SOCK_DESTROY
	afUnix      = 1
	afInet      = 2
	afInet6     = 10
	afMax       = 46 // AF_MAX: a family from here is EINVAL, below without a handler ENOENT

	inetReqLen  = 56 // struct inet_diag_req_v2
	unixReqLen  = 24 // struct unix_diag_req
	reqBytecode = 1  // INET_DIAG_REQ_BYTECODE
	reqProtocol = 3  // INET_DIAG_REQ_PROTOCOL

	protoUDPLite = 136
)

// Kernel is the fake kernel. Its methods are safe for concurrent use, and
// with the requests of its Conns.
type Kernel struct {
	nl *nltest.Kernel

	mu         sync.Mutex
	inet       []*InetSocket
	unix       []*UnixSocket
	cookie     uint64 // the last cookie given
	inode      uint32 // the last inode given
	noNetAdmin bool
}

// New returns a fake kernel without sockets, whose Conns have
// CAP_NET_ADMIN.
func New() *Kernel {
	k := &Kernel{cookie: 0x1000, inode: 10000}
	k.nl = nltest.New(sockdiag.NetlinkSockDiag, k.handle)
	return k
}

// Dial returns a sockdiag.Conn on the fake kernel (cfg may be nil).
func (k *Kernel) Dial(cfg *netlink.Config) (*sockdiag.Conn, error) {
	nl, err := k.nl.Dial(cfg)
	if err != nil {
		return nil, err
	}
	return sockdiag.New(nl), nil
}

// SetNetAdmin says whether the Conns have CAP_NET_ADMIN, as they do at
// first. Without it, as with the kernel, sockets are listed without their
// mark and upper layer protocol, a filter with a mark condition is
// refused (EPERM), and so is SOCK_DESTROY.
func (k *Kernel) SetNetAdmin(on bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.noNetAdmin = !on
}

// AddInet adds s and returns it as the fake holds it: with a cookie if it
// had none, an inode if it had none (but a time-wait or new-syn-recv
// socket, which the kernel reports with inode 0), and, for a raw socket,
// RawProtocol as its source port.
func (k *Kernel) AddInet(s InetSocket) InetSocket {
	k.mu.Lock()
	defer k.mu.Unlock()
	s = s.Clone()
	if s.Cookie == 0 {
		k.cookie++
		s.Cookie = k.cookie
	}
	if s.Inode == 0 && s.full() {
		k.inode++
		s.Inode = k.inode
	}
	if s.Protocol == sockdiag.ProtoRaw {
		s.Src = netip.AddrPortFrom(s.Src.Addr(), uint16(s.RawProtocol))
	}
	k.inet = append(k.inet, &s)
	return s.Clone()
}

// AddUnix adds s and returns it as the fake holds it: with a cookie and
// an inode if it had none.
func (k *Kernel) AddUnix(s UnixSocket) UnixSocket {
	k.mu.Lock()
	defer k.mu.Unlock()
	s = s.Clone()
	if s.Cookie == 0 {
		k.cookie++
		s.Cookie = k.cookie
	}
	if s.Inode == 0 {
		k.inode++
		s.Inode = k.inode
	}
	k.unix = append(k.unix, &s)
	return s.Clone()
}

// InetSockets returns copies of the inet sockets, in the order they were
// added, as the requests left them.
func (k *Kernel) InetSockets() []InetSocket {
	k.mu.Lock()
	defer k.mu.Unlock()
	out := make([]InetSocket, len(k.inet))
	for i, s := range k.inet {
		out[i] = s.Clone()
	}
	return out
}

// UnixSockets returns copies of the unix sockets, in the order they were
// added.
func (k *Kernel) UnixSockets() []UnixSocket {
	k.mu.Lock()
	defer k.mu.Unlock()
	out := make([]UnixSocket, len(k.unix))
	for i, s := range k.unix {
		out[i] = s.Clone()
	}
	return out
}

// RemoveInet removes the inet socket with cookie, as its owner closing it
// would, and reports whether there was one.
func (k *Kernel) RemoveInet(cookie uint64) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	n := len(k.inet)
	k.inet = slices.DeleteFunc(k.inet, func(s *InetSocket) bool { return s.Cookie == cookie })
	return len(k.inet) < n
}

// RemoveUnix removes the unix socket with inode, and reports whether
// there was one.
func (k *Kernel) RemoveUnix(inode uint32) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	n := len(k.unix)
	k.unix = slices.DeleteFunc(k.unix, func(s *UnixSocket) bool { return s.Inode == inode })
	return len(k.unix) < n
}

// handle answers a request as the kernel's sock_diag_rcv_msg.
func (k *Kernel) handle(req netlink.Message) ([]netlink.Message, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	t := req.Header.Type
	if t != msgByFamily && t != msgDestroy {
		return nil, syscall.EINVAL
	}
	if len(req.Data) < 2 || req.Data[0] >= afMax {
		return nil, syscall.EINVAL
	}
	dump := t == msgByFamily && req.Header.Flags&netlink.Dump != 0
	switch req.Data[0] {
	case afUnix:
		if t == msgDestroy {
			return nil, syscall.EOPNOTSUPP
		}
		if len(req.Data) < unixReqLen {
			return nil, syscall.EINVAL
		}
		return k.unixRequest(req.Data, dump)
	case afInet, afInet6:
		if len(req.Data) < inetReqLen {
			return nil, syscall.EINVAL
		}
		return k.inetRequest(req, dump)
	}
	return nil, syscall.ENOENT
}

// appendAttr appends attribute typ with data.
func appendAttr(b []byte, typ uint16, data []byte) []byte {
	b = binary.NativeEndian.AppendUint16(b, uint16(4+len(data)))
	b = binary.NativeEndian.AppendUint16(b, typ)
	b = append(b, data...)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

func reply(data []byte) netlink.Message {
	return netlink.Message{Header: netlink.Header{Type: msgByFamily}, Data: data}
}
