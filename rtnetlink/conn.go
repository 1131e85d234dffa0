// Package rtnetlink is the typed layer for NETLINK_ROUTE: links, addresses
// and routes as Go values with net/netip types, listed with iterators and
// changed with calls that take a context first. It runs on the root
// package's *netlink.Conn, so errors are the root package's *OpError (the
// errno, the kernel's extended ACK, the request named), and a Conn can mix
// typed calls with raw requests. Watch streams changes as Events; a Mirror
// keeps a copy of a table up to date.
//
// # Other platforms
//
// The package builds on every GOOS (but plan9), with the same types,
// parsers, encoders and calls. Off Linux, Dial fails with an error wrapping
// netlink.ErrNotSupported and errors.ErrUnsupported, and so does NetNSPath
// (network namespaces are Linux's), while a Conn made with New on a Conn of
// package nltest's fake kernel works as on Linux: tests of code that uses
// rtnetlink run on macOS and Windows.
package rtnetlink

import (
	"context"
	"iter"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/uapi"
)

// Conn runs rtnetlink requests on a netlink Conn.
type Conn struct {
	// NL is the underlying connection: for raw requests, notifications,
	// options and deadlines.
	NL *netlink.Conn

	rules ruleAttrs // the rule attributes the kernel knows, as probed
}

// Dial opens a NETLINK_ROUTE socket as cfg says (cfg may be nil) with
// strict checking of GET requests on, so that the kernel filters dumps
// where it can, and returns it as a Conn.
func Dial(cfg *netlink.Config) (*Conn, error) {
	var c netlink.Config
	if cfg != nil {
		c = *cfg
	}
	c.Options = append(append([]netlink.Option(nil), c.Options...), netlink.GetStrictCheck)
	nl, err := netlink.Dial(uapi.NETLINK_ROUTE, &c)
	if err != nil {
		return nil, err
	}
	return &Conn{NL: nl}, nil
}

// New returns a Conn that runs on nl, a NETLINK_ROUTE connection. Kernel-side
// filtering of dumps needs netlink.GetStrictCheck on nl.
func New(nl *netlink.Conn) *Conn { return &Conn{NL: nl} }

// Close closes the underlying connection.
//
// Close sends nothing.
func (c *Conn) Close() error { return c.NL.Close() }

// execute runs one request and returns its replies.
func (c *Conn) execute(ctx context.Context, typ netlink.HeaderType, flags netlink.HeaderFlags, data []byte) ([]netlink.Message, error) {
	return c.NL.Execute(ctx, netlink.Message{Header: netlink.Header{Type: typ, Flags: flags}, Data: data})
}

// dump runs one dump request and yields its messages; each aliases a buffer
// the next iteration reuses.
func (c *Conn) dump(ctx context.Context, typ netlink.HeaderType, data []byte) iter.Seq2[netlink.Message, error] {
	return c.NL.Dump(ctx, netlink.Message{Header: netlink.Header{Type: typ}, Data: data})
}

// requestEncoder is a typed value that checks itself and encodes as a
// request of type typ (RTM_NEWNEIGH, RTM_DELRULE, ...), and names itself
// in errors.
type requestEncoder interface {
	encode(typ netlink.HeaderType) ([]byte, error)
	object() string
}

// change checks and encodes v and runs it as a request of type typ.
func (c *Conn) change(ctx context.Context, typ netlink.HeaderType, flags netlink.HeaderFlags, v requestEncoder) error {
	data, err := v.encode(typ)
	if err != nil {
		return named(err, "%s", v.object())
	}
	_, err = c.execute(ctx, typ, flags, data)
	return named(err, "%s", v.object())
}
