package xfrm

import (
	"context"
	"encoding/binary"
	"fmt"
	"iter"
	"net/netip"

	"github.com/nlkit/netlink"
)

// AddState adds the SA s (XFRM_MSG_NEWSA). It fails with EEXIST when the
// kernel has an SA of the same destination, protocol, SPI and mark.
//
// Before sending, it refuses (with an error matching os.ErrInvalid) what
// the kernel would refuse less clearly: a missing destination or SPI,
// mismatched address families, a protocol without the algorithms it
// needs, a key whose length the named cipher does not take, an ESN
// replay state that does not fit.
func (c *Conn) AddState(ctx context.Context, s *State) error {
	return c.writeState(ctx, msgNewSA, s)
}

// UpdateState replaces the SA s names (XFRM_MSG_UPDSA): the kernel
// updates its lifetimes, encapsulation, care-of address and marks, and
// refuses other changes; an SA still larval (made by ALLOCSPI or an
// ACQUIRE) it completes. It fails with ESRCH when there is no such SA.
// It checks s as AddState does.
func (c *Conn) UpdateState(ctx context.Context, s *State) error {
	return c.writeState(ctx, msgUpdSA, s)
}

func (c *Conn) writeState(ctx context.Context, typ netlink.HeaderType, s *State) error {
	p := s.prepared()
	if err := p.check(); err != nil {
		return invalid(typ, s.String(), "%v", err)
	}
	b, err := p.appendAttrs(p.appendInfo(make([]byte, 0, 512)))
	if err != nil {
		return invalid(typ, s.String(), "%v", err)
	}
	_, err = c.execute(ctx, typ, 0, b, s.String())
	return err
}

// GetState returns the SA id names (XFRM_MSG_GETSA). It fails with ESRCH
// when there is none.
func (c *Conn) GetState(ctx context.Context, id StateID) (State, error) {
	if err := id.check(); err != nil {
		return State{}, invalid(msgGetSA, id.String(), "%v", err)
	}
	msgs, err := c.execute(ctx, msgGetSA, 0, id.append(nil), id.String())
	if err != nil {
		return State{}, err
	}
	m, err := reply(msgs, msgNewSA)
	if err != nil {
		return State{}, fmt.Errorf("xfrm: get %s: %w", id, err)
	}
	return ParseState(m)
}

// DeleteState deletes the SA id names (XFRM_MSG_DELSA). It fails with
// ESRCH when there is none.
func (c *Conn) DeleteState(ctx context.Context, id StateID) error {
	if err := id.check(); err != nil {
		return invalid(msgDelSA, id.String(), "%v", err)
	}
	_, err := c.execute(ctx, msgDelSA, 0, id.append(nil), id.String())
	return err
}

// FlushStates deletes every SA of protocol proto (XFRM_MSG_FLUSHSA):
// ProtoAny for all, ProtoIPsec for those of ESP, AH and IPcomp.
func (c *Conn) FlushStates(ctx context.Context, proto Proto) error {
	_, err := c.execute(ctx, msgFlushSA, 0, []byte{uint8(proto)}, "states "+protoSet(proto))
	return err
}

func protoSet(p Proto) string {
	if p == ProtoAny {
		return "all"
	}
	return p.String()
}

// StateFilter selects the SAs States lists; the zero StateFilter selects
// all.
type StateFilter struct {
	Proto Proto // XFRMA_PROTO: this protocol alone (ProtoAny: all)
	// Src and Dst, when either is set, select the SAs whose addresses are
	// in them (XFRMA_ADDRESS_FILTER); an unset one matches any address
	// of the other's family.
	Src, Dst netip.Prefix
}

func (f StateFilter) append(b []byte) ([]byte, error) {
	e := netlink.NewAttrEncoder(b)
	if f.Proto != ProtoAny {
		e.Uint8(attrProto, uint8(f.Proto))
	}
	if f.Src.IsValid() || f.Dst.IsValid() {
		fam := prefixFamily(f.Src, prefixFamily(f.Dst, 0))
		if f.Src.IsValid() && f.Dst.IsValid() && addrFamily(f.Src.Addr()) != addrFamily(f.Dst.Addr()) {
			return nil, fmt.Errorf("filter %s->%s: mismatched families", f.Src, f.Dst)
		}
		var p [addressFilterLen]byte
		putAddr(p[0:], f.Src.Addr())
		putAddr(p[16:], f.Dst.Addr())
		binary.NativeEndian.PutUint16(p[32:], uint16(fam))
		p[34] = uint8(max(f.Src.Bits(), 0))
		p[35] = uint8(max(f.Dst.Bits(), 0))
		e.Bytes(attrAddressFilter, p[:])
	}
	return e.Finish()
}

// States lists the SAs f selects (an XFRM_MSG_GETSA dump). Each State
// yielded owns its memory; an error ends the listing.
func (c *Conn) States(ctx context.Context, f StateFilter) iter.Seq2[State, error] {
	return func(yield func(State, error) bool) {
		data, err := f.append(nil)
		if err != nil {
			yield(State{}, invalid(msgGetSA, "states", "%v", err))
			return
		}
		req := netlink.Message{Header: netlink.Header{Type: msgGetSA, Flags: netlink.Dump}, Data: data}
		for m, err := range c.NL.Dump(ctx, req) {
			if err != nil {
				yield(State{}, kernelError(err, "states"))
				return
			}
			s, err := ParseState(m)
			if !yield(s, err) || err != nil {
				return
			}
		}
	}
}
