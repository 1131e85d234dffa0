package conntrack

import (
	"bytes"
	"context"
	"fmt"
	"iter"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/netfilter"
)

// Expect is an expectation: a connection a helper (or a program) told the
// kernel to expect, so that it is tracked as related to its master
// (NFNL_SUBSYS_CTNETLINK_EXP messages, enum ctattr_expect).
//
// An Expect from a listing aliases the receive buffer in Unknown; Clone
// makes a copy that owns its memory.
type Expect struct {
	Family uint8 // the nfgenmsg family
	// Master is the original tuple of the connection that expects this
	// one (CTA_EXPECT_MASTER).
	Master Tuple
	// Tuple and Mask are the expected connection's tuple and the parts
	// of it that must match (CTA_EXPECT_TUPLE, CTA_EXPECT_MASK).
	Tuple, Mask Tuple
	Timeout     uint32 // CTA_EXPECT_TIMEOUT: seconds left
	ID          uint32 // CTA_EXPECT_ID
	Helper      string // CTA_EXPECT_HELP_NAME
	Zone        uint16 // CTA_EXPECT_ZONE
	Flags       uint32 // CTA_EXPECT_FLAGS: NF_CT_EXPECT_PERMANENT (1), _INACTIVE (2), _USERSPACE (4)
	Class       uint32 // CTA_EXPECT_CLASS
	// NATDir and NATTuple are where the expected connection is to be
	// translated (CTA_EXPECT_NAT), when HasNAT.
	NATDir   uint32
	NATTuple Tuple
	HasNAT   bool
	Fn       string // CTA_EXPECT_FN: the helper's expectfn
	// Unknown holds the attributes this type does not decode, as sent.
	Unknown []byte
}

// Clone returns a copy of x that owns its memory.
func (x *Expect) Clone() Expect {
	c := *x
	c.Unknown = bytes.Clone(x.Unknown)
	return c
}

// Decode decodes the payload of an expectation message (its nfgenmsg and
// attributes) into x, reusing x's memory. Unknown aliases data afterwards.
func (x *Expect) Decode(data []byte) error {
	h, err := netfilter.ParseHeader(data)
	if err != nil {
		return err
	}
	unknown := x.Unknown[:0]
	helper, fn := x.Helper, x.Fn
	*x = Expect{Family: h.Family}
	d := netlink.NewAttrDecoder(data[netfilter.HeaderLen:])
	for d.Next() {
		switch d.Type() {
		case ctaExpectMaster:
			decodeTuple(&d, &x.Master)
		case ctaExpectTuple:
			decodeTuple(&d, &x.Tuple)
		case ctaExpectMask:
			decodeTuple(&d, &x.Mask)
		case ctaExpectTimeout:
			x.Timeout = d.Uint32BE()
		case ctaExpectID:
			x.ID = d.Uint32BE()
		case ctaExpectHelpName:
			x.Helper = reuse(helper, cstring(d.Bytes()))
		case ctaExpectZone:
			x.Zone = d.Uint16BE()
		case ctaExpectFlags:
			x.Flags = d.Uint32BE()
		case ctaExpectClass:
			x.Class = d.Uint32BE()
		case ctaExpectFN:
			x.Fn = reuse(fn, cstring(d.Bytes()))
		case ctaExpectNAT:
			x.HasNAT = true
			n := d.Enter()
			for d.Next() {
				switch d.Type() {
				case ctaExpectNATDir:
					x.NATDir = d.Uint32BE()
				case ctaExpectNATTuple:
					decodeTuple(&d, &x.NATTuple)
				}
			}
			d.Exit(n)
		default:
			unknown = appendRaw(unknown, &d)
		}
	}
	if len(unknown) > 0 {
		x.Unknown = unknown
	}
	if err := d.Err(); err != nil {
		return fmt.Errorf("conntrack: expectation: %w", err)
	}
	return nil
}

// Append appends x as the payload of an expectation message: the
// nfgenmsg and every field x has, then Unknown. It is the inverse of
// Decode.
func (x *Expect) Append(b []byte) ([]byte, error) { return x.append(b, true) }

func (x *Expect) append(b []byte, full bool) ([]byte, error) {
	fam := x.Family
	if fam == 0 && !full {
		fam = x.Tuple.family()
	}
	b = netfilter.Header{Family: fam}.Append(b)
	e := netlink.NewAttrEncoder(b)
	if x.Master != (Tuple{}) {
		encodeTuple(e, ctaExpectMaster, &x.Master)
	}
	if x.Tuple != (Tuple{}) {
		encodeTuple(e, ctaExpectTuple, &x.Tuple)
	}
	if x.Mask != (Tuple{}) {
		encodeTuple(e, ctaExpectMask, &x.Mask)
	}
	if x.Timeout != 0 {
		e.Uint32BE(ctaExpectTimeout, x.Timeout)
	}
	if full && x.ID != 0 {
		e.Uint32BE(ctaExpectID, x.ID)
	}
	if x.Helper != "" {
		e.String(ctaExpectHelpName, x.Helper)
	}
	if x.Zone != 0 {
		e.Uint16BE(ctaExpectZone, x.Zone)
	}
	if x.Flags != 0 {
		e.Uint32BE(ctaExpectFlags, x.Flags)
	}
	if x.Class != 0 {
		e.Uint32BE(ctaExpectClass, x.Class)
	}
	if x.HasNAT {
		n := e.Nest(ctaExpectNAT)
		e.Uint32BE(ctaExpectNATDir, x.NATDir)
		encodeTuple(e, ctaExpectNATTuple, &x.NATTuple)
		e.End(n)
	}
	if x.Fn != "" {
		e.String(ctaExpectFN, x.Fn)
	}
	e.Raw(x.Unknown)
	return e.Finish()
}

// object names the expectation x.
func (x *Expect) object() string {
	return "conntrack expectation " + protoName(x.Tuple.Proto) + " " + x.Tuple.String()
}

// Expectations lists the expectations of family (0 for all): it sends
// IPCTNL_MSG_EXP_GET with NLM_F_DUMP. Each Expect yielded aliases a
// buffer the next iteration reuses (see Expect.Clone).
func (c *Conn) Expectations(ctx context.Context, family uint8) iter.Seq2[*Expect, error] {
	return func(yield func(*Expect, error) bool) {
		var x Expect
		req := netlink.Message{Header: netlink.Header{Type: msgExpGet, Flags: netlink.Dump}, Data: netfilter.Header{Family: family}.Append(nil)}
		for m, err := range c.NL.Dump(ctx, req) {
			if err != nil {
				yield(nil, netlink.WithObject(err, "conntrack expectations"))
				return
			}
			if err := x.Decode(m.Data); err != nil {
				yield(nil, err)
				return
			}
			if !yield(&x, nil) {
				return
			}
		}
	}
}

// CreateExpectation adds the expectation x: it sends IPCTNL_MSG_EXP_NEW
// with NLM_F_CREATE and NLM_F_EXCL. The kernel needs x's master, tuple
// and mask, and the master to be an entry in the table; without a helper
// on the master, x needs a timeout (a user-space expectation).
func (c *Conn) CreateExpectation(ctx context.Context, x *Expect) error {
	if x.Master.Proto == 0 || x.Tuple.Proto == 0 || x.Mask.Proto == 0 {
		return invalid(msgExpNew, "create %s: an expectation needs a master, a tuple and a mask", x.object())
	}
	data, err := x.append(nil, false)
	if err != nil {
		return err
	}
	_, err = c.NL.Execute(ctx, netlink.Message{Header: netlink.Header{Type: msgExpNew, Flags: netlink.Create | netlink.Excl}, Data: data})
	return netlink.WithObject(err, x.object())
}

// DeleteExpectation removes the expectation whose tuple and zone are x's
// (and whose ID is x's, when x has one): it sends IPCTNL_MSG_EXP_DELETE.
func (c *Conn) DeleteExpectation(ctx context.Context, x *Expect) error {
	if x.Tuple.Proto == 0 {
		return invalid(msgExpDelete, "delete %s: no tuple", x.object())
	}
	fam := x.Family
	if fam == 0 {
		fam = x.Tuple.family()
	}
	e := netlink.NewAttrEncoder(netfilter.Header{Family: fam}.Append(nil))
	encodeTuple(e, ctaExpectTuple, &x.Tuple)
	if x.Zone != 0 {
		e.Uint16BE(ctaExpectZone, x.Zone)
	}
	if x.ID != 0 {
		e.Uint32BE(ctaExpectID, x.ID)
	}
	data, err := e.Finish()
	if err != nil {
		return err
	}
	_, err = c.NL.Execute(ctx, netlink.Message{Header: netlink.Header{Type: msgExpDelete}, Data: data})
	return netlink.WithObject(err, x.object())
}

// FlushExpectations removes every expectation of family (0 for all): it
// sends IPCTNL_MSG_EXP_DELETE with no tuple.
func (c *Conn) FlushExpectations(ctx context.Context, family uint8) error {
	_, err := c.NL.Execute(ctx, netlink.Message{Header: netlink.Header{Type: msgExpDelete}, Data: netfilter.Header{Family: family}.Append(nil)})
	return netlink.WithObject(err, "conntrack expectations")
}
