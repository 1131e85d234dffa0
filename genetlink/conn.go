// Package genetlink is the typed layer for generic netlink
// (NETLINK_GENERIC): families, their commands and their multicast groups
// resolved by name through the kernel's nlctrl family, the policies the
// kernel checks requests against, and requests that fill in the generic
// netlink header (genlmsghdr). It runs on the root package's *netlink.Conn,
// so one Conn can mix these calls with raw requests.
//
// Typed calls for a few families live in subpackages, small on purpose:
// ethtool (link info and link modes), netdev (devices' XDP features) and
// taskstats (a task's accounting). They use this package's exported API
// alone, as a package for any other family would: resolve the family once
// (Conn.Family), build the attributes with a netlink.AttrEncoder, send them
// with Conn.Execute or Conn.Dump, and decode the replies with a
// netlink.AttrDecoder that skips HeaderLen (plus Family.HeaderSize, for the
// rare family with a fixed header of its own). Being separate packages,
// they keep this one free of family-specific names. Every operation of the
// families the kernel describes in YNL specs is in the packages generated
// from them, under genetlink/ynl (see package ynl).
//
// # Lookups are not cached
//
// Family, Families, JoinGroup, Policy and FamilyPolicy ask the kernel
// each time: one round trip, cheap next to keeping a cache right. A Family
// the caller keeps stays good while the family is registered. Families of
// modules come and go with their module, and a freed ID may later go to
// another family; a request to an ID no family has fails with ENOENT. A
// program that must follow that can resolve again after ENOENT, or join
// nlctrl's "notify" group (JoinGroup(ctx, "nlctrl", "notify")) and read
// CTRL_CMD_NEWFAMILY and CTRL_CMD_DELFAMILY notifications from Receive
// with ParseFamily.
//
// # Errors
//
// Errors are the root package's *netlink.OpError, so errors.Is(err,
// syscall.ENOENT) and errors.As work as with any request. Since a generic
// netlink message type is only a family ID, which means nothing to a
// reader, the OpError's Op names the family and the command instead (as in
// "netlink generic ethtool LINKINFO_GET: no such device", or "ethtool
// command 2" when Family.CommandNames has no name for it) and its Request
// is zero.
//
// # Other platforms
//
// The package builds on every GOOS (but plan9), with the same types,
// parsers and calls. Off Linux, Dial fails with an error wrapping
// netlink.ErrNotSupported and errors.ErrUnsupported, while a Conn made with
// New on a Conn of package nltest's fake kernel (or genltest.Kernel.Dial)
// works as on Linux.
package genetlink

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"syscall"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/uapi"
)

// Conn runs generic netlink requests on a netlink Conn.
type Conn struct {
	// NL is the underlying NETLINK_GENERIC connection: for raw requests,
	// notifications, options and deadlines.
	NL *netlink.Conn
}

// Dial opens a NETLINK_GENERIC socket as cfg says (cfg may be nil) and
// returns it as a Conn.
func Dial(cfg *netlink.Config) (*Conn, error) {
	nl, err := netlink.Dial(uapi.NETLINK_GENERIC, cfg)
	if err != nil {
		return nil, err
	}
	return &Conn{NL: nl}, nil
}

// New returns a Conn that runs on nl, a NETLINK_GENERIC connection.
func New(nl *netlink.Conn) *Conn { return &Conn{NL: nl} }

// Close closes the underlying connection.
//
// Close sends nothing.
func (c *Conn) Close() error { return c.NL.Close() }

// Execute sends command cmd of family f (resolved by Family), with the
// family's version in the genlmsghdr and attrs after it: the family's own
// fixed header if it has one, then encoded attributes. It returns the
// replies without the ACK, in memory the caller owns. Each
// reply's payload starts with a genlmsghdr: decode its attributes with
// m.AttrDecoder(HeaderLen + int(f.HeaderSize)).
//
// Execute sends one message of type f.ID with cmd and f.Version in its
// genlmsghdr, and the flags NLM_F_REQUEST and NLM_F_ACK.
func (c *Conn) Execute(ctx context.Context, f *Family, cmd uint8, attrs []byte) ([]netlink.Message, error) {
	return c.execute(ctx, f.ID, f.op(cmd), request(cmd, uint8(f.Version), attrs))
}

// Dump sends command cmd of family f as a dump request, as Execute does,
// and yields the replies as they arrive. Each message aliases a buffer the
// next iteration reuses, as with netlink.Conn.Dump.
//
// Dump sends the message Execute sends, with NLM_F_DUMP.
func (c *Conn) Dump(ctx context.Context, f *Family, cmd uint8, attrs []byte) iter.Seq2[netlink.Message, error] {
	return c.dump(ctx, f.ID, f.op(cmd), request(cmd, uint8(f.Version), attrs))
}

// JoinGroup joins the multicast group named group of the family named
// family, and returns the group's ID: Datagram.Group of the notifications
// it brings. An unknown group is an error wrapping syscall.ENOENT.
//
// JoinGroup sends CTRL_CMD_GETFAMILY to nlctrl, as Family does, then joins
// the group (NETLINK_ADD_MEMBERSHIP).
func (c *Conn) JoinGroup(ctx context.Context, family, group string) (uint32, error) {
	f, err := c.Family(ctx, family)
	if err != nil {
		return 0, err
	}
	id, ok := f.Group(group)
	if !ok {
		return 0, fmt.Errorf("genetlink: family %q has no multicast group %q: %w", family, group, syscall.ENOENT)
	}
	return id, c.NL.JoinGroup(id)
}

// request returns a payload: a genlmsghdr, then attrs.
func request(cmd, version uint8, attrs []byte) []byte {
	return append(AppendHeader(make([]byte, 0, HeaderLen+len(attrs)), Header{Command: cmd, Version: version}), attrs...)
}

// execute sends data, which starts with a genlmsghdr, to family id, and
// names the operation op in errors.
func (c *Conn) execute(ctx context.Context, id uint16, op string, data []byte) ([]netlink.Message, error) {
	msgs, err := c.NL.Execute(ctx, netlink.Message{Header: netlink.Header{Type: netlink.HeaderType(id)}, Data: data})
	return msgs, nameError(err, op)
}

// dump is execute for dump requests.
func (c *Conn) dump(ctx context.Context, id uint16, op string, data []byte) iter.Seq2[netlink.Message, error] {
	return func(yield func(netlink.Message, error) bool) {
		for m, err := range c.NL.Dump(ctx, netlink.Message{Header: netlink.Header{Type: netlink.HeaderType(id)}, Data: data}) {
			if !yield(m, nameError(err, op)) {
				return
			}
		}
	}
}

// nameError makes err, when it is an *OpError, name op rather than the
// request type (a family ID).
func nameError(err error, op string) error {
	var oe *netlink.OpError
	if errors.As(err, &oe) {
		oe.Op, oe.Request = op, 0
	}
	return err
}
