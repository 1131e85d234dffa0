// Package sockdiag is the typed layer for NETLINK_SOCK_DIAG: the kernel's
// listing of TCP, UDP, raw, MPTCP and unix sockets that ss shows, with
// their extensions (tcp_info, memory, congestion control, marks,
// cgroups), filters the kernel runs (compiled from an ss-like expression
// to INET_DIAG bytecode by Compile), and SOCK_DESTROY.
//
// It runs on the root package's *netlink.Conn. Listings are streamed with
// iterators whose values alias the receive buffer, so a listing of any
// size runs in constant memory.
//
// # Other platforms
//
// The package builds on every GOOS: the types, parsers and the filter
// compiler work everywhere, and Dial fails off Linux with an error
// wrapping errors.ErrUnsupported.
package sockdiag

import (
	"context"
	"fmt"
	"iter"

	"github.com/nlkit/netlink"
)

// Conn runs socket diagnostics requests on a netlink Conn.
type Conn struct {
	// NL is the underlying NETLINK_SOCK_DIAG connection.
	NL *netlink.Conn
}

// Dial opens a NETLINK_SOCK_DIAG socket as cfg says (cfg may be nil; its
// NetNS chooses the namespace whose sockets are listed).
func Dial(cfg *netlink.Config) (*Conn, error) {
	nl, err := netlink.Dial(NetlinkSockDiag, cfg)
	if err != nil {
		return nil, err
	}
	return &Conn{NL: nl}, nil
}

// New returns a Conn that runs on nl, a NETLINK_SOCK_DIAG connection.
func New(nl *netlink.Conn) *Conn { return &Conn{NL: nl} }

// Close closes the underlying connection.
func (c *Conn) Close() error { return c.NL.Close() }

// InetSockets lists the inet sockets req selects. Each socket yielded
// aliases a buffer the next iteration reuses (see InetSocket.Clone); an
// error ends the listing.
func (c *Conn) InetSockets(ctx context.Context, req InetRequest) iter.Seq2[*InetSocket, error] {
	return func(yield func(*InetSocket, error) bool) {
		data, err := req.encode(make([]byte, 0, inetReqLen+16+filterLen(req.Filter)))
		if err != nil {
			yield(nil, err)
			return
		}
		var s InetSocket
		for m, err := range c.NL.Dump(ctx, netlink.Message{Header: netlink.Header{Type: msgSockDiagByFamily}, Data: data}) {
			if err != nil {
				yield(nil, netlink.WithObject(err, req.object()))
				return
			}
			if err := s.Parse(m.Data, req.Protocol); err != nil {
				yield(nil, err)
				return
			}
			if !yield(&s, nil) {
				return
			}
		}
	}
}

func filterLen(f *Filter) int {
	if f == nil {
		return 0
	}
	return len(f.Bytecode)
}

// InetSocket returns the one socket that req.ID names (its addresses,
// ports and, unless zero, its cookie), with the extensions req asks for.
func (c *Conn) InetSocket(ctx context.Context, req InetRequest) (InetSocket, error) {
	data, err := req.encode(nil)
	if err != nil {
		return InetSocket{}, err
	}
	msgs, err := c.NL.Execute(ctx, netlink.Message{Header: netlink.Header{Type: msgSockDiagByFamily}, Data: data})
	if err != nil {
		return InetSocket{}, netlink.WithObject(err, sockObject(req))
	}
	for _, m := range msgs {
		if m.Header.Type == msgSockDiagByFamily {
			var s InetSocket
			err := s.Parse(m.Data, req.Protocol)
			return s, err
		}
	}
	return InetSocket{}, fmt.Errorf("sockdiag: %s: no reply", sockObject(req))
}

// sockObject names the socket req.ID identifies.
func sockObject(req InetRequest) string {
	return fmt.Sprintf("%s socket %s -> %s", protoName(req.Protocol), req.ID.Src, req.ID.Dst)
}

// Destroy closes the inet socket s (SOCK_DESTROY): the kernel aborts
// it as if reset, and its owner's reads and writes fail. protocol is the
// socket's (ProtoTCP, ProtoUDP, ...). The kernel needs
// CONFIG_INET_DIAG_DESTROY and the caller CAP_NET_ADMIN.
//
// A raw socket (ProtoRaw) is found by its protocol (s.Protocol), its
// addresses and its device alone: the kernel ignores the cookie, and an
// unbound, unconnected socket of the protocol matches any addresses, so
// of two sockets that match, the kernel destroys the first it finds.
// A destroyed raw socket is disconnected and no longer listed.
func (c *Conn) Destroy(ctx context.Context, protocol int, s *InetSocket) error {
	req := destroyRequest(protocol, s)
	data, err := req.encode(nil)
	if err != nil {
		return err
	}
	_, err = c.NL.Execute(ctx, netlink.Message{Header: netlink.Header{Type: msgSockDestroy}, Data: data})
	return netlink.WithObject(err, sockObject(req))
}

func destroyRequest(protocol int, s *InetSocket) InetRequest {
	r := InetRequest{Family: s.Family, Protocol: protocol, States: AllStates, ID: s.ID}
	if protocol == ProtoRaw && s.Protocol <= 0xff {
		r.RawProtocol = uint8(s.Protocol)
	}
	return r
}

// DestroyMatching destroys every socket req selects (its filter, states,
// family and protocol) and returns how many the kernel destroyed. A
// socket that went away on its own between the listing and its
// destruction (ENOENT) is not counted and not an error.
func (c *Conn) DestroyMatching(ctx context.Context, req InetRequest) (int, error) {
	// The requests are encoded one after another into one buffer, then
	// sliced: an allocation per growth, not per socket.
	var buf []byte
	var ends []int
	for s, err := range c.InetSockets(ctx, req) {
		if err != nil {
			return 0, err
		}
		dr := destroyRequest(req.Protocol, s)
		if buf, err = dr.encode(buf); err != nil {
			return 0, err
		}
		ends = append(ends, len(buf))
	}
	batch := make([]netlink.Message, len(ends))
	for i, start := 0, 0; i < len(ends); i++ {
		batch[i] = netlink.Message{Header: netlink.Header{Type: msgSockDestroy}, Data: buf[start:ends[i]:ends[i]]}
		start = ends[i]
	}
	results, err := c.NL.Batch(ctx, batch)
	n := 0
	var first error
	for i, e := range results {
		switch {
		case e == nil:
			n++
		case isENOENT(e):
		case first == nil:
			d := batch[i].Data
			id := parseSockID(d[8:8+sockIDLen], d[0])
			first = netlink.WithObject(e, sockObject(InetRequest{Protocol: req.Protocol, ID: id}))
		}
	}
	if err != nil {
		return n, netlink.WithObject(err, req.object())
	}
	return n, first
}

// UnixSockets lists the unix sockets req selects. Each socket yielded
// aliases a buffer the next iteration reuses (see UnixSocket.Clone).
func (c *Conn) UnixSockets(ctx context.Context, req UnixRequest) iter.Seq2[*UnixSocket, error] {
	return func(yield func(*UnixSocket, error) bool) {
		data := req.encode(make([]byte, 0, unixReqLen))
		var s UnixSocket
		for m, err := range c.NL.Dump(ctx, netlink.Message{Header: netlink.Header{Type: msgSockDiagByFamily}, Data: data}) {
			if err != nil {
				yield(nil, netlink.WithObject(err, "unix sockets"))
				return
			}
			if err := s.Parse(m.Data); err != nil {
				yield(nil, err)
				return
			}
			if !yield(&s, nil) {
				return
			}
		}
	}
}
