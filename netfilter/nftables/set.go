package nftables

import (
	"fmt"
	"github.com/nlkit/netlink/internal/uapi"

	"github.com/nlkit/netlink"
)

// Set is an nf_tables set or map (NFT_MSG_NEWSET): keys, and for a map
// the data each key maps to (values, verdicts or named objects).
type Set struct {
	Family Family
	Table  string // NFTA_SET_TABLE
	Name   string // NFTA_SET_NAME; "__set%d" for an anonymous set
	// Handle (NFTA_SET_HANDLE) is the kernel's number for the set; when
	// set, it names the set in a delete instead of Name.
	Handle uint64
	// Flags (NFTA_SET_FLAGS): SetAnonymous, SetConstant, SetInterval,
	// SetMap, SetTimeout, SetEval, SetObject, SetConcat, SetExpr.
	Flags SetFlags
	// KeyType (NFTA_SET_KEY_TYPE) is nft's data type of the key (a
	// concatenation's types 6 bits each), opaque to the kernel.
	KeyType  uint32
	KeyLen   uint32     // NFTA_SET_KEY_LEN: in bytes
	DataType uint32     // NFTA_SET_DATA_TYPE: a map's; NFT_DATA_VERDICT for a verdict map
	DataLen  uint32     // NFTA_SET_DATA_LEN
	ObjType  ObjectType // NFTA_SET_OBJ_TYPE: an object map's object type
	// Policy (NFTA_SET_POLICY): SetPolicyPerformance (0) or SetPolicyMemory.
	Policy *SetPolicy
	// Size (NFTA_SET_DESC_SIZE) is the most elements the set holds, 0 for
	// no limit; Concat (NFTA_SET_DESC_CONCAT) the length of each field of
	// a concatenated key, in bytes.
	Size   uint32
	Concat []uint32
	// ID (NFTA_SET_ID) names the set, in the transaction that adds it,
	// for rules and elements added in the same transaction.
	ID         uint32
	Timeout    uint64 // NFTA_SET_TIMEOUT: the elements' default, in milliseconds
	GCInterval uint32 // NFTA_SET_GC_INTERVAL: in milliseconds
	// UserData (NFTA_SET_USERDATA) holds nft's key and data byte orders,
	// typeof expressions and comment.
	UserData []byte
	// Exprs (NFTA_SET_EXPR, or NFTA_SET_EXPRESSIONS for several) are the
	// expressions each element gets (counter, quota, limit, last).
	Exprs []Expr
	// Backend (NFTA_SET_TYPE, Linux 6.17) names the kernel's implementation
	// of the set: the kernel prints its operations with %ps, which gives
	// their symbol (for example "nft_set_rhash_ops"), or their address
	// ("0xffffffff82506600") on a kernel built without kallsyms. It is for
	// information only. Count (NFTA_SET_COUNT) is its number of elements.
	// Both are read only.
	Backend string
	Count   uint32
	// Other keeps the attributes the fields above do not model.
	Other RawAttrs
}

// DataVerdict is NFT_DATA_VERDICT, a verdict map's DataType.
const DataVerdict uint32 = 0xffffff00

// String names the set as nft does: "set inet t s", or "map inet t m".
func (s *Set) String() string {
	k := "set"
	if s.Flags&SetMap != 0 {
		k = "map"
	}
	return fmt.Sprintf("%s %s %s %s", k, s.Family, s.Table, s.Name)
}

func (s *Set) kind() kindInfo { return kindSet }
func (s *Set) fam() Family    { return s.Family }

// Comment returns the comment nft keeps in the set's user data.
func (s *Set) Comment() string { return udataString(s.UserData, udataSetComment) }

func (s *Set) encode(e *netlink.AttrEncoder, op op) {
	e.String(uapi.NFTA_SET_TABLE, s.Table)
	if op == opDel && s.Handle != 0 {
		e.Uint64BE(nftaSetHandle, s.Handle)
		return
	}
	e.String(uapi.NFTA_SET_NAME, s.Name)
	if op != opNew {
		return
	}
	if s.Flags != 0 {
		e.Uint32BE(uapi.NFTA_SET_FLAGS, uint32(s.Flags))
	}
	e.Uint32BE(uapi.NFTA_SET_KEY_TYPE, s.KeyType)
	e.Uint32BE(uapi.NFTA_SET_KEY_LEN, s.KeyLen)
	if s.Flags&SetMap != 0 {
		e.Uint32BE(uapi.NFTA_SET_DATA_TYPE, s.DataType)
		e.Uint32BE(uapi.NFTA_SET_DATA_LEN, s.DataLen)
	}
	if s.Flags&SetObject != 0 {
		e.Uint32BE(uapi.NFTA_SET_OBJ_TYPE, uint32(s.ObjType))
	}
	if s.Policy != nil {
		e.Uint32BE(uapi.NFTA_SET_POLICY, uint32(*s.Policy))
	}
	if s.Size != 0 || len(s.Concat) > 0 {
		d := e.Nest(uapi.NFTA_SET_DESC)
		if s.Size != 0 {
			e.Uint32BE(uapi.NFTA_SET_DESC_SIZE, s.Size)
		}
		if len(s.Concat) > 0 {
			c := e.Nest(nftaSetDescConcat)
			for _, n := range s.Concat {
				f := e.Nest(uapi.NFTA_LIST_ELEM)
				e.Uint32BE(nftaSetFieldLen, n)
				e.End(f)
			}
			e.End(c)
		}
		e.End(d)
	}
	if s.ID != 0 {
		e.Uint32BE(uapi.NFTA_SET_ID, s.ID)
	}
	if s.Timeout != 0 {
		e.Uint64BE(uapi.NFTA_SET_TIMEOUT, s.Timeout)
	}
	if s.GCInterval != 0 {
		e.Uint32BE(uapi.NFTA_SET_GC_INTERVAL, s.GCInterval)
	}
	if s.UserData != nil {
		e.Bytes(uapi.NFTA_SET_USERDATA, s.UserData)
	}
	switch len(s.Exprs) {
	case 0:
	case 1:
		putExpr(e, nftaSetExpr, s.Exprs[0])
	default:
		putExprs(e, nftaSetExpressions, s.Exprs)
	}
	e.RawAttrs(s.Other)
}

func (s *Set) decode(b []byte) error {
	return walk(b, &s.Other, func(a netlink.Attr) error {
		switch a.Type {
		case uapi.NFTA_SET_TABLE:
			s.Table = a.Str()
		case uapi.NFTA_SET_NAME:
			s.Name = a.Str()
		case nftaSetHandle:
			return be64To(a, &s.Handle)
		case uapi.NFTA_SET_FLAGS:
			return be32To(a, &s.Flags)
		case uapi.NFTA_SET_KEY_TYPE:
			return be32To(a, &s.KeyType)
		case uapi.NFTA_SET_KEY_LEN:
			return be32To(a, &s.KeyLen)
		case uapi.NFTA_SET_DATA_TYPE:
			return be32To(a, &s.DataType)
		case uapi.NFTA_SET_DATA_LEN:
			return be32To(a, &s.DataLen)
		case uapi.NFTA_SET_OBJ_TYPE:
			return be32To(a, &s.ObjType)
		case uapi.NFTA_SET_POLICY:
			p := new(SetPolicy)
			if err := be32To(a, p); err != nil {
				return err
			}
			s.Policy = p
		case uapi.NFTA_SET_DESC:
			return s.decodeDesc(a.Data)
		case uapi.NFTA_SET_ID:
			return be32To(a, &s.ID)
		case uapi.NFTA_SET_TIMEOUT:
			return be64To(a, &s.Timeout)
		case uapi.NFTA_SET_GC_INTERVAL:
			return be32To(a, &s.GCInterval)
		case uapi.NFTA_SET_USERDATA:
			s.UserData = clone(a.Data)
		case nftaSetExpr:
			x, err := parseExpr(a.Data)
			if err != nil {
				return err
			}
			s.Exprs = []Expr{x}
		case nftaSetExpressions:
			xs, err := parseExprs(a.Data)
			if err != nil {
				return err
			}
			s.Exprs = xs
		case nftaSetType:
			s.Backend = a.Str()
		case nftaSetCount:
			return be32To(a, &s.Count)
		case uapi.NFTA_SET_PAD:
		default:
			return errSkip
		}
		return nil
	})
}

// decodeDesc reads NFTA_SET_DESC; what it holds besides the size and the
// concatenation keeps the whole nest raw.
func (s *Set) decodeDesc(b []byte) error {
	var size uint32
	var concat []uint32
	var rest RawAttrs
	err := walk(b, &rest, func(a netlink.Attr) error {
		switch a.Type {
		case uapi.NFTA_SET_DESC_SIZE:
			return be32To(a, &size)
		case nftaSetDescConcat:
			// Each field a list element holding its length alone, as sent:
			// anything else keeps the whole description raw.
			for f, err := range netlink.Attrs(a.Data) {
				if err != nil {
					return err
				}
				if f.Type != uapi.NFTA_LIST_ELEM {
					return errSkip
				}
				fields := 0
				for l, err := range netlink.Attrs(f.Data) {
					var n uint32
					if err != nil || l.Type != nftaSetFieldLen || be32To(l, &n) != nil {
						return errSkip
					}
					concat = append(concat, n)
					fields++
				}
				if fields != 1 {
					return errSkip
				}
			}
		default:
			return errSkip
		}
		return nil
	})
	if err != nil || rest != "" {
		return errSkip
	}
	s.Size, s.Concat = size, concat
	return nil
}
