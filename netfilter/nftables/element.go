package nftables

import (
	"fmt"
	"github.com/nlkit/netlink/internal/uapi"

	"github.com/nlkit/netlink"
)

// Element is an element of a set or map (in NFT_MSG_NEWSETELEM's
// NFTA_SET_ELEM_LIST_ELEMENTS).
type Element struct {
	Key []byte // NFTA_SET_ELEM_KEY
	// KeyEnd (NFTA_SET_ELEM_KEY_END) closes the range of an interval set
	// with concatenations; other interval sets mark a range's end with
	// an element of flag NFT_SET_ELEM_INTERVAL_END instead.
	KeyEnd []byte
	// Data (NFTA_SET_ELEM_DATA) is what a map maps Key to: a value, or a
	// verdict in a verdict map; Objref (NFTA_SET_ELEM_OBJREF) the object's
	// name in an object map.
	Data    []byte
	Verdict *Verdict
	Objref  string
	Flags   ElemFlags // NFTA_SET_ELEM_FLAGS: ElemIntervalEnd, ElemCatchall
	// Timeout and Expiration (NFTA_SET_ELEM_TIMEOUT, _EXPIRATION), in
	// milliseconds: the element's lifetime, and how much of it is left.
	Timeout    uint64
	Expiration uint64
	UserData   []byte // NFTA_SET_ELEM_USERDATA: nft's comment and flags
	// Exprs (NFTA_SET_ELEM_EXPR, or NFTA_SET_ELEM_EXPRESSIONS for
	// several) are the element's stateful expressions (counter, quota).
	Exprs []Expr
	// Other keeps the attributes the fields above do not model.
	Other RawAttrs
}

// ElemFlags are a set element's flags (enum nft_set_elem_flags).
type ElemFlags uint32

// The element flags.
const (
	// ElemIntervalEnd (NFT_SET_ELEM_INTERVAL_END) marks the end of a
	// range in an interval set: the element's key is the first one after it.
	ElemIntervalEnd ElemFlags = uapi.NFT_SET_ELEM_INTERVAL_END
	// ElemCatchall (NFT_SET_ELEM_CATCHALL) is the element that matches any
	// key no other one does, nft's "*".
	ElemCatchall ElemFlags = nftSetElemCatchall
)

// String returns the flags' names ("interval-end", "catchall") joined by
// "|", or 0.
func (f ElemFlags) String() string {
	return flagString([]string{"interval-end", "catchall"}, uint64(f))
}

func (el *Element) encode(e *netlink.AttrEncoder, op op) {
	if el.Key != nil {
		putValue(e, uapi.NFTA_SET_ELEM_KEY, el.Key)
	}
	if el.KeyEnd != nil {
		putValue(e, nftaSetElemKeyEnd, el.KeyEnd)
	}
	if el.Flags != 0 {
		e.Uint32BE(uapi.NFTA_SET_ELEM_FLAGS, uint32(el.Flags))
	}
	if op == opDel {
		return
	}
	switch {
	case el.Verdict != nil:
		putVerdict(e, uapi.NFTA_SET_ELEM_DATA, el.Verdict)
	case el.Data != nil:
		putValue(e, uapi.NFTA_SET_ELEM_DATA, el.Data)
	}
	if el.Objref != "" {
		e.String(uapi.NFTA_SET_ELEM_OBJREF, el.Objref)
	}
	if el.Timeout != 0 {
		e.Uint64BE(uapi.NFTA_SET_ELEM_TIMEOUT, el.Timeout)
	}
	if el.Expiration != 0 {
		e.Uint64BE(uapi.NFTA_SET_ELEM_EXPIRATION, el.Expiration)
	}
	if el.UserData != nil {
		e.Bytes(uapi.NFTA_SET_ELEM_USERDATA, el.UserData)
	}
	switch len(el.Exprs) {
	case 0:
	case 1:
		putExpr(e, uapi.NFTA_SET_ELEM_EXPR, el.Exprs[0])
	default:
		putExprs(e, nftaSetElemExpressions, el.Exprs)
	}
	e.RawAttrs(el.Other)
}

func (el *Element) decode(b []byte) error {
	return walk(b, &el.Other, func(a netlink.Attr) error {
		switch a.Type {
		case uapi.NFTA_SET_ELEM_KEY, nftaSetElemKeyEnd, uapi.NFTA_SET_ELEM_DATA:
			v, vd, err := parseData(a.Data)
			if err != nil {
				return errSkip
			}
			switch {
			case a.Type == uapi.NFTA_SET_ELEM_KEY && v != nil:
				el.Key = v
			case a.Type == nftaSetElemKeyEnd && v != nil:
				el.KeyEnd = v
			case a.Type == uapi.NFTA_SET_ELEM_DATA:
				el.Data, el.Verdict = v, vd
			default:
				return errSkip
			}
		case uapi.NFTA_SET_ELEM_OBJREF:
			el.Objref = a.Str()
		case uapi.NFTA_SET_ELEM_FLAGS:
			return be32To(a, &el.Flags)
		case uapi.NFTA_SET_ELEM_TIMEOUT:
			return be64To(a, &el.Timeout)
		case uapi.NFTA_SET_ELEM_EXPIRATION:
			return be64To(a, &el.Expiration)
		case uapi.NFTA_SET_ELEM_USERDATA:
			el.UserData = clone(a.Data)
		case uapi.NFTA_SET_ELEM_EXPR:
			x, err := parseExpr(a.Data)
			if err != nil {
				return err
			}
			el.Exprs = []Expr{x}
		case nftaSetElemExpressions:
			xs, err := parseExprs(a.Data)
			if err != nil {
				return err
			}
			el.Exprs = xs
		case uapi.NFTA_SET_ELEM_PAD:
		default:
			return errSkip
		}
		return nil
	})
}

// elemChunk is the most bytes of elements put in one message: the list's
// nest has a 16-bit length.
const elemChunk = 0xffff - 1024

// elementMessages returns the messages that add (opNew) or delete (opDel)
// elems in set s: as many elements per message as the 16-bit length of
// NFTA_SET_ELEM_LIST_ELEMENTS takes. An element too large for a message
// alone is an error. With no elements, a delete flushes the set.
func elementMessages(s *Set, elems []Element, op op, msg uint8, flags netlink.HeaderFlags) ([]netlink.Message, error) {
	var out []netlink.Message
	head := func() (*netlink.AttrEncoder, int) {
		e := netlink.NewAttrEncoder(netfilterHeader(s.Family))
		e.String(uapi.NFTA_SET_ELEM_LIST_TABLE, s.Table)
		e.String(uapi.NFTA_SET_ELEM_LIST_SET, s.Name)
		if s.ID != 0 {
			e.Uint32BE(uapi.NFTA_SET_ELEM_LIST_SET_ID, s.ID)
		}
		return e, e.Nest(uapi.NFTA_SET_ELEM_LIST_ELEMENTS)
	}
	finish := func(e *netlink.AttrEncoder, n int) error {
		e.End(n)
		b, err := e.Finish()
		if err != nil {
			return err
		}
		out = append(out, netlink.Message{Header: netlink.Header{Type: msgType(msg), Flags: netlink.Request | flags}, Data: b})
		return nil
	}
	if len(elems) == 0 {
		e := netlink.NewAttrEncoder(netfilterHeader(s.Family))
		e.String(uapi.NFTA_SET_ELEM_LIST_TABLE, s.Table)
		e.String(uapi.NFTA_SET_ELEM_LIST_SET, s.Name)
		b, err := e.Finish()
		if err != nil {
			return nil, fmt.Errorf("nftables: elements of %s: %w", s, err)
		}
		return []netlink.Message{{Header: netlink.Header{Type: msgType(msg), Flags: netlink.Request | flags}, Data: b}}, nil
	}
	e, n := head()
	count, size := 0, 0
	var one netlink.AttrEncoder
	var buf []byte
	for i := range elems {
		// Each element is encoded alone first, to know its size.
		one.Reset(buf[:0])
		en := one.Nest(uapi.NFTA_LIST_ELEM)
		elems[i].encode(&one, op)
		one.End(en)
		b, err := one.Finish()
		if err != nil {
			return nil, fmt.Errorf("nftables: element %d of %s: %w", i, s, err)
		}
		buf = b
		if count > 0 && size+len(b) > elemChunk {
			if err := finish(e, n); err != nil {
				return nil, fmt.Errorf("nftables: elements of %s: %w", s, err)
			}
			e, n = head()
			count, size = 0, 0
		}
		e.Raw(b)
		count++
		size += len(b)
	}
	if err := finish(e, n); err != nil {
		return nil, fmt.Errorf("nftables: elements of %s: %w", s, err)
	}
	return out, nil
}
