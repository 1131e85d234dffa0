package nftables

import (
	"fmt"
	"github.com/nlkit/netlink/internal/uapi"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/netfilter"
)

// Object is what a transaction adds, replaces or deletes: a *Table,
// *Chain, *Rule, *Set, *NamedObject or *Flowtable.
type Object interface {
	// String names the object as nft does ("chain inet t c").
	String() string
	kind() kindInfo
	fam() Family
	// encode appends the object's attributes for a request of op.
	encode(e *netlink.AttrEncoder, op op)
}

// op is what a request does with an object.
type op uint8

const (
	opNew     op = iota
	opReplace    // a rule, by its handle
	opDel
	opGet
)

// kindInfo is an object kind's message numbers (NFT_MSG_*).
type kindInfo struct {
	newMsg, getMsg, delMsg, destroyMsg uint8
	name                               string
}

var (
	kindTable     = kindInfo{uapi.NFT_MSG_NEWTABLE, uapi.NFT_MSG_GETTABLE, uapi.NFT_MSG_DELTABLE, nftMsgDestroytable, "table"}
	kindChain     = kindInfo{uapi.NFT_MSG_NEWCHAIN, uapi.NFT_MSG_GETCHAIN, uapi.NFT_MSG_DELCHAIN, nftMsgDestroychain, "chain"}
	kindRule      = kindInfo{uapi.NFT_MSG_NEWRULE, uapi.NFT_MSG_GETRULE, uapi.NFT_MSG_DELRULE, nftMsgDestroyrule, "rule"}
	kindSet       = kindInfo{uapi.NFT_MSG_NEWSET, uapi.NFT_MSG_GETSET, uapi.NFT_MSG_DELSET, nftMsgDestroyset, "set"}
	kindObj       = kindInfo{uapi.NFT_MSG_NEWOBJ, uapi.NFT_MSG_GETOBJ, uapi.NFT_MSG_DELOBJ, nftMsgDestroyobj, "object"}
	kindFlowtable = kindInfo{uapi.NFT_MSG_NEWFLOWTABLE, uapi.NFT_MSG_GETFLOWTABLE, uapi.NFT_MSG_DELFLOWTABLE, nftMsgDestroyflowtable, "flowtable"}
)

// msgType is the netlink message type of nf_tables message msg.
func msgType(msg uint8) netlink.HeaderType {
	return netfilter.MessageType(netfilter.SubsysNFTables, msg)
}

// message builds the request of type msg for o.
func message(msg uint8, flags netlink.HeaderFlags, o Object, op op) (netlink.Message, error) {
	e := netlink.NewAttrEncoder(netfilterHeader(o.fam()))
	o.encode(e, op)
	b, err := e.Finish()
	if err != nil {
		return netlink.Message{}, fmt.Errorf("nftables: %s: %w", o, err)
	}
	return netlink.Message{Header: netlink.Header{Type: msgType(msg), Flags: netlink.Request | flags}, Data: b}, nil
}

// payload returns the attributes of a netfilter message, after its
// header, and the header.
func payload(m netlink.Message) (netfilter.Header, []byte, error) {
	h, err := netfilter.ParseHeader(m.Data)
	if err != nil {
		return h, nil, err
	}
	return h, m.Data[netfilter.HeaderLen:], nil
}

// netfilterHeader returns a request's struct nfgenmsg for family f.
func netfilterHeader(f Family) []byte {
	return netfilter.Header{Family: uint8(f), Version: netfilter.Version0}.Append(make([]byte, 0, 512))
}
