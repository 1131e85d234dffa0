package ynl

import (
	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/genetlink"
)

// RegisterNames makes traces (netlink.FormatMessages, Config.Trace,
// NLKIT_DEBUG) name the commands and attributes, nested ones included, of
// family f's messages, and the values of their enums and flags, by the
// names in its spec. Each generated package registers its Spec when it is
// loaded.
func RegisterNames(f *Family) {
	genetlink.RegisterNamer(f.Name, familyNamer{f})
}

// familyNamer names a family's messages by its spec.
type familyNamer struct{ f *Family }

func (n familyNamer) CommandName(cmd uint8, request bool) (string, netlink.AttrNamer) {
	for _, op := range n.f.Ops {
		num := op.Reply
		if request {
			num = op.Request
		}
		if num == int(cmd) {
			return op.Name, n.f.setNamer(op.Set)
		}
	}
	return "", nil
}

// FixedHeaderLen returns the length of the family's fixed header (0 for
// none), so that traces name the attributes after it.
func (n familyNamer) FixedHeaderLen() int {
	if n.f.Header == nil {
		return 0
	}
	return n.f.Header.Len
}

// setNamer returns the namer of the set named name, or nil if f has none.
func (f *Family) setNamer(name string) netlink.AttrNamer {
	s, ok := f.Set(name)
	if !ok {
		return nil
	}
	return setNamer{f, s}
}

// setNamer names the attributes of one set.
type setNamer struct {
	f *Family
	s *AttrSet
}

func (n setNamer) Attr(typ uint16) (netlink.AttrInfo, bool) {
	a, ok := n.s.ByType(typ)
	if !ok && n.s.SubsetOf != "" {
		if full, found := n.f.Set(n.s.SubsetOf); found {
			a, ok = full.ByType(typ)
		}
	}
	if !ok {
		return netlink.AttrInfo{}, false
	}
	info := netlink.AttrInfo{Name: a.Name, Kind: a.Kind, BigEndian: a.BigEndian, Nested: n.f.attrNamer(a)}
	if a.Kind != "indexed-array" {
		info.Values, info.Flags = n.f.valueNamer(a)
	}
	return info, true
}

// valueNamer returns the namer of the values of attribute a, an integer
// (or an indexed array's integers) with an enum or flags, and whether the
// values are sets of bits; nil if a has none.
func (f *Family) valueNamer(a Attr) (netlink.ValueNamer, bool) {
	if a.Enum == "" {
		return nil, false
	}
	en, ok := f.Enum(a.Enum)
	if !ok {
		return nil, false
	}
	return enumNamer{en, a.EnumAsFlags}, en.Flags || a.EnumAsFlags
}

// enumNamer names values by an enum or flags; asFlags says an enum's
// values number the bits of a set of flags (enum-as-flags).
type enumNamer struct {
	en      *Enum
	asFlags bool
}

func (n enumNamer) ValueName(v uint64) string {
	for _, x := range n.en.Values {
		if enumBit(n.en, n.asFlags, x) == v {
			return x.Name
		}
	}
	return ""
}

// attrNamer returns the namer of what attribute a holds, nil for a
// scalar.
func (f *Family) attrNamer(a Attr) netlink.AttrNamer {
	switch a.Kind {
	case "nest":
		return f.setNamer(a.Nested)
	case "indexed-array":
		elem := netlink.AttrInfo{Kind: a.SubType, BigEndian: a.BigEndian}
		if a.SubType == "nest" {
			elem.Nested = f.setNamer(a.Nested)
		} else {
			elem.Values, elem.Flags = f.valueNamer(a)
		}
		return keyNamer{elem}
	case "nest-type-value":
		elem := netlink.AttrInfo{Kind: "nest", Nested: f.setNamer(a.Nested)}
		if a.Nested == "" && a.SubType != "" {
			// Entries that are scalars (ethtool's stats-grp stat).
			elem = netlink.AttrInfo{Kind: a.SubType, BigEndian: a.BigEndian}
			elem.Values, elem.Flags = f.valueNamer(a)
		}
		for range a.Keys - 1 {
			elem = netlink.AttrInfo{Kind: "nest", Nested: keyNamer{elem}}
		}
		return keyNamer{elem}
	}
	return nil
}

// keyNamer describes the entries of an indexed array or of a level of a
// nest-type-value attribute: numbered by index or key rather than named,
// each an elem.
type keyNamer struct{ elem netlink.AttrInfo }

func (n keyNamer) Attr(uint16) (netlink.AttrInfo, bool) { return n.elem, true }
