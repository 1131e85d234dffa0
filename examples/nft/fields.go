package main

import (
	"github.com/nlkit/netlink/internal/uapi"
	"github.com/nlkit/netlink/netfilter/nftables"
)

// field is what a rule loads into a register to match: a header field
// (payload), a meta key or a conntrack key.
type field struct {
	text string // as nft writes it: "ip saddr", "iifname", "meta mark"
	// proto and key name it in nft's JSON: {"payload": {"protocol":
	// "ip", "field": "saddr"}}, {"meta": {"key": "mark"}}.
	proto, key string
	t          *dtype
	// A header field is len bytes at offset from base (NFT_PAYLOAD_*);
	// desc and tmpl are nft's numbers for its protocol and field, which
	// nft keeps in an anonymous set's user data.
	base        nftables.PayloadBase
	offset, len uint32
	desc, tmpl  uint32
	meta        nftables.MetaKey // the key of a meta field
	ct          nftables.CtKey   // the key of a ct field
}

func (f *field) isPayload() bool { return f.base != 0 }
func (f *field) isMeta() bool    { return f.proto == "meta" }

// byteorder is nft's byte order of what loads the field
// (BYTEORDER_HOST_ENDIAN 1, _BIG_ENDIAN 2).
func (f *field) byteorder() uint32 {
	if f.isPayload() || f.t == typeEtherType {
		return 2
	}
	return 1
}

// layer is the protocol layer of a header field: network fields need
// their protocol matched first (meta nfproto, meta protocol), transport
// fields theirs (meta l4proto); 0 for the others.
func (f *field) layer() int {
	switch f.base {
	case nftables.PayloadBaseNetworkHeader:
		return layerNetwork
	case nftables.PayloadBaseTransportHeader:
		return layerTransport
	}
	return 0
}

const (
	layerNetwork   = 1
	layerTransport = 2
)

// load is the expression that loads the field into register r.
func (f *field) load(r nftables.Register) nftables.Expr {
	switch {
	case f.isPayload():
		return &nftables.Payload{Dreg: r, Base: f.base, Offset: f.offset, Len: f.len}
	case f.isMeta():
		return &nftables.Meta{Key: f.meta, Dreg: r}
	}
	return &nftables.Ct{Key: f.ct, Dreg: r}
}

// The fields this program knows. nft numbers its protocols (enum
// proto_desc_id) and each protocol's fields (the templates of proto.c).
var fields = []*field{
	payloadField("ip", "saddr", typeIPAddr, nftables.PayloadBaseNetworkHeader, 12, 12, 11),
	payloadField("ip", "daddr", typeIPAddr, nftables.PayloadBaseNetworkHeader, 16, 12, 12),
	payloadField("ip", "protocol", typeInetProto, nftables.PayloadBaseNetworkHeader, 9, 12, 9),
	payloadField("ip6", "saddr", typeIP6Addr, nftables.PayloadBaseNetworkHeader, 8, 13, 8),
	payloadField("ip6", "daddr", typeIP6Addr, nftables.PayloadBaseNetworkHeader, 24, 13, 9),
	payloadField("ip6", "nexthdr", typeInetProto, nftables.PayloadBaseNetworkHeader, 6, 13, 6),
	payloadField("tcp", "sport", typeInetService, nftables.PayloadBaseTransportHeader, 0, 8, 1),
	payloadField("tcp", "dport", typeInetService, nftables.PayloadBaseTransportHeader, 2, 8, 2),
	payloadField("udp", "sport", typeInetService, nftables.PayloadBaseTransportHeader, 0, 6, 1),
	payloadField("udp", "dport", typeInetService, nftables.PayloadBaseTransportHeader, 2, 6, 2),
	// nft writes these meta keys without "meta".
	{text: "iifname", proto: "meta", key: "iifname", t: typeIfname, meta: nftables.MetaKeyIIFName},
	{text: "oifname", proto: "meta", key: "oifname", t: typeIfname, meta: nftables.MetaKeyOIFName},
	{text: "iif", proto: "meta", key: "iif", t: typeIfindex, meta: nftables.MetaKeyIIF},
	{text: "oif", proto: "meta", key: "oif", t: typeIfindex, meta: nftables.MetaKeyOIF},
	{text: "meta mark", proto: "meta", key: "mark", t: typeMark, meta: nftables.MetaKeyMark},
	{text: "meta l4proto", proto: "meta", key: "l4proto", t: typeInetProto, meta: nftables.MetaKeyL4Proto},
	{text: "meta nfproto", proto: "meta", key: "nfproto", t: typeNFProto, meta: nftables.MetaKeyNFProto},
	{text: "meta protocol", proto: "meta", key: "protocol", t: typeEtherType, meta: nftables.MetaKeyProtocol},
	{text: "ct state", proto: "ct", key: "state", t: typeCtState, ct: nftables.CtKeyState},
}

func payloadField(proto, name string, t *dtype, base nftables.PayloadBase, offset, desc, tmpl uint32) *field {
	return &field{text: proto + " " + name, proto: proto, key: name, t: t,
		base: base, offset: offset, len: uint32(t.size), desc: desc, tmpl: tmpl}
}

func fieldNamed(proto, key string) *field {
	for _, f := range fields {
		if f.proto == proto && f.key == key {
			return f
		}
	}
	return nil
}

// The transport protocols (IPPROTO_*) of the dependencies.
const (
	protoTCP = 6
	protoUDP = 17
)

// netProto is the nfproto a network protocol's fields need, and
// transportProto the l4proto of a transport protocol's.
func netProto(proto string) byte {
	switch proto {
	case "ip":
		return uapi.NFPROTO_IPV4
	case "ip6":
		return uapi.NFPROTO_IPV6
	}
	return 0
}

func transportProto(proto string) byte {
	switch proto {
	case "tcp":
		return protoTCP
	case "udp":
		return protoUDP
	}
	return 0
}

// netName and transportName are the protocol names of nfproto and
// l4proto values, "" for others.
func netName(nfproto byte) string {
	switch nfproto {
	case uapi.NFPROTO_IPV4:
		return "ip"
	case uapi.NFPROTO_IPV6:
		return "ip6"
	}
	return ""
}

func transportName(l4proto byte) string {
	switch l4proto {
	case protoTCP:
		return "tcp"
	case protoUDP:
		return "udp"
	}
	return ""
}

// etherOf is the ether type (meta protocol) of an nfproto, as the kernel
// holds it.
func etherOf(nfproto byte) []byte {
	if nfproto == uapi.NFPROTO_IPV6 {
		return []byte{0x86, 0xdd}
	}
	return []byte{0x08, 0x00}
}

// payloadFields finds the header fields a load of len bytes at offset
// from base covers, given the network and transport protocols the rule
// matched so far: one field; several adjacent ones, which nft loads at
// once when a rule matches each; or the first bytes of an address, which
// nft loads for a prefix. trunc is the bytes loaded of a field loaded in
// part, 0 otherwise.
func payloadFields(base nftables.PayloadBase, offset, length uint32, nfproto, l4proto byte) (fs []*field, trunc uint32) {
	proto := netName(nfproto)
	if base == nftables.PayloadBaseTransportHeader {
		proto = transportName(l4proto)
	}
	if proto == "" {
		return nil, 0
	}
	end := offset + length
	for offset < end {
		var f *field
		for _, g := range fields {
			if g.proto == proto && g.base == base && g.offset == offset {
				f = g
			}
		}
		switch {
		case f == nil:
			return nil, 0
		case offset+f.len <= end:
			fs = append(fs, f)
			offset += f.len
		case len(fs) == 0 && f.t.prefix:
			return []*field{f}, end - offset
		default:
			return nil, 0
		}
	}
	return fs, 0
}
