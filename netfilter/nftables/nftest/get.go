package nftest

import (
	"syscall"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/uapi"
	"github.com/nlkit/netlink/netfilter"
	"github.com/nlkit/netlink/netfilter/nftables"
)

// get answers a request outside a batch: the GET messages, as a dump or
// for one object. A change outside a batch is refused, as the kernel
// refuses it.
func (k *Kernel) get(msg uint8, req netlink.Message) ([]netlink.Message, error) {
	h, err := netfilter.ParseHeader(req.Data)
	if err != nil {
		return nil, syscall.EINVAL
	}
	as, err := parseAttrs(req.Data[netfilter.HeaderLen:])
	if err != nil {
		return nil, syscall.EINVAL
	}
	f := nftables.Family(h.Family)
	dump := req.Header.Flags&netlink.Dump == netlink.Dump
	var out []netlink.Message
	tables := func(attr uint16) []*table {
		name, named := as.str(attr)
		var ts []*table
		for _, t := range k.state.tables {
			if (f == 0 || t.family == f) && (!named || t.name == name) {
				ts = append(ts, t)
			}
		}
		return ts
	}
	switch msg {
	case uapi.NFT_MSG_GETGEN:
		return []netlink.Message{k.genMessage(uapi.NFT_MSG_NEWGEN, 0)}, nil
	case uapi.NFT_MSG_GETTABLE:
		for _, t := range tables(uapi.NFTA_TABLE_NAME) {
			out = append(out, t.message(uapi.NFT_MSG_NEWTABLE, 0))
		}
	case uapi.NFT_MSG_GETCHAIN:
		name, named := as.str(uapi.NFTA_CHAIN_NAME)
		for _, t := range tables(uapi.NFTA_CHAIN_TABLE) {
			for _, c := range t.chains {
				if !named || c.name == name {
					out = append(out, c.message(t, uapi.NFT_MSG_NEWCHAIN, 0))
				}
			}
		}
	case uapi.NFT_MSG_GETRULE:
		name, named := as.str(uapi.NFTA_RULE_CHAIN)
		handle := as.be64(uapi.NFTA_RULE_HANDLE)
		for _, t := range tables(uapi.NFTA_RULE_TABLE) {
			for _, c := range t.chains {
				if named && c.name != name {
					continue
				}
				var prev uint64
				for _, r := range c.rules {
					if dump || r.handle == handle {
						out = append(out, r.message(t, c, prev, uapi.NFT_MSG_NEWRULE, 0))
					}
					prev = r.handle
				}
			}
		}
	case uapi.NFT_MSG_GETSET:
		name, named := as.str(uapi.NFTA_SET_NAME)
		for _, t := range tables(uapi.NFTA_SET_TABLE) {
			for _, s := range t.sets {
				if !named || s.name == name {
					out = append(out, s.message(t, uapi.NFT_MSG_NEWSET, 0))
				}
			}
		}
	case uapi.NFT_MSG_GETSETELEM:
		name, _ := as.str(uapi.NFTA_SET_ELEM_LIST_SET)
		ts := tables(uapi.NFTA_SET_ELEM_LIST_TABLE)
		if len(ts) != 1 || ts[0].set(name) == nil {
			return nil, syscall.ENOENT
		}
		t := ts[0]
		out = t.set(name).elemMessages(t, t.set(name).elems, uapi.NFT_MSG_NEWSETELEM, 0)
	case uapi.NFT_MSG_GETOBJ, uapi.NFT_MSG_GETFLOWTABLE:
	default:
		// A change outside a batch.
		return nil, syscall.EOPNOTSUPP
	}
	if !dump && len(out) == 0 {
		return nil, syscall.ENOENT
	}
	if !dump {
		out = out[:1]
	}
	for i := range out {
		out[i].Data = withGen(out[i].Data, k.gen)
	}
	return out, nil
}
