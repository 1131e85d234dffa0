package nftables

import (
	"fmt"
	"github.com/nlkit/netlink/internal/uapi"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/netfilter"
)

func decodeTable(h netfilter.Header, b []byte) (*Table, error) {
	t := &Table{Family: Family(h.Family)}
	return t, t.decode(b)
}

func decodeChain(h netfilter.Header, b []byte) (*Chain, error) {
	c := &Chain{Family: Family(h.Family)}
	return c, c.decode(b)
}

func decodeRule(h netfilter.Header, b []byte) (*Rule, error) {
	r := &Rule{Family: Family(h.Family)}
	return r, r.decode(b)
}

func decodeSet(h netfilter.Header, b []byte) (*Set, error) {
	s := &Set{Family: Family(h.Family)}
	return s, s.decode(b)
}

func decodeObject(h netfilter.Header, b []byte) (*NamedObject, error) {
	o := &NamedObject{Family: Family(h.Family)}
	return o, o.decode(b)
}

func decodeFlowtable(h netfilter.Header, b []byte) (*Flowtable, error) {
	f := &Flowtable{Family: Family(h.Family)}
	return f, f.decode(b)
}

// ElementList is the payload of NFT_MSG_NEWSETELEM and DELSETELEM: the
// elements of a set.
type ElementList struct {
	Family   Family
	Table    string // NFTA_SET_ELEM_LIST_TABLE
	Set      string // NFTA_SET_ELEM_LIST_SET
	Elements []Element
}

func decodeElementList(h netfilter.Header, b []byte) (*ElementList, error) {
	l := &ElementList{Family: Family(h.Family)}
	err := walk(b, nil, func(a netlink.Attr) error {
		switch a.Type {
		case uapi.NFTA_SET_ELEM_LIST_TABLE:
			l.Table = a.Str()
		case uapi.NFTA_SET_ELEM_LIST_SET:
			l.Set = a.Str()
		case uapi.NFTA_SET_ELEM_LIST_ELEMENTS:
			var err error
			l.Elements, err = appendList(l.Elements, a.Data)
			return err
		}
		return nil
	})
	return l, err
}

// appendElements appends the elements of a set element list message's
// attributes b.
func appendElements(out []Element, b []byte) ([]Element, error) {
	for a, err := range netlink.Attrs(b) {
		if err != nil {
			return out, err
		}
		if a.Type == uapi.NFTA_SET_ELEM_LIST_ELEMENTS {
			if out, err = appendList(out, a.Data); err != nil {
				return out, err
			}
		}
	}
	return out, nil
}

func appendList(out []Element, b []byte) ([]Element, error) {
	for a, err := range netlink.Attrs(b) {
		if err != nil {
			return out, err
		}
		if a.Type != uapi.NFTA_LIST_ELEM {
			return out, fmt.Errorf("nftables: attribute %d in a list of elements: %w", a.Type, netlink.ErrMalformed)
		}
		var el Element
		if err := el.decode(a.Data); err != nil {
			return out, err
		}
		out = append(out, el)
	}
	return out, nil
}

// Gen is a ruleset generation (NFT_MSG_NEWGEN): its ID, and the process
// that committed it.
type Gen struct {
	ID       uint32 // NFTA_GEN_ID
	ProcPID  uint32 // NFTA_GEN_PROC_PID
	ProcName string // NFTA_GEN_PROC_NAME
}

func parseGen(m netlink.Message) (Gen, error) {
	var g Gen
	_, b, err := payload(m)
	if err != nil {
		return g, err
	}
	err = walk(b, nil, func(a netlink.Attr) error {
		switch a.Type {
		case uapi.NFTA_GEN_ID:
			return be32To(a, &g.ID)
		case uapi.NFTA_GEN_PROC_PID:
			return be32To(a, &g.ProcPID)
		case uapi.NFTA_GEN_PROC_NAME:
			g.ProcName = a.Str()
		}
		return nil
	})
	return g, err
}
