package nftables

import (
	"strconv"
	"strings"

	"github.com/nlkit/netlink/internal/uapi"
	ynl "github.com/nlkit/netlink/internal/ynlconst/nftables"
)

// The kernel's enums and flag sets that the expressions and objects carry,
// each a type of its own with its values as constants, named after the
// kernel's (the comment of each gives the C name). Their String methods
// give the names libnftnl prints (nft --debug=netlink), a flag set's
// joined by "|"; a value without a name prints as its number.
//
// The values come from internal/uapi (golang.org/x/sys/unix) where x/sys
// has them, else from the YNL spec (internal/ynlconst/nftables), else from
// const.go.

// enumString returns names[v], or v as a decimal number when names has no
// name for it.
func enumString(names []string, v uint64) string {
	if v < uint64(len(names)) && names[v] != "" {
		return names[v]
	}
	return strconv.FormatUint(v, 10)
}

// flagString returns the names of the bits set in v, names[i] that of bit
// i, joined by "|"; the bits without a name come last, as one hexadecimal
// number. 0 is "0".
func flagString(names []string, v uint64) string {
	if v == 0 {
		return "0"
	}
	var b strings.Builder
	for i, n := range names {
		if n == "" || v&(1<<i) == 0 {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('|')
		}
		b.WriteString(n)
		v &^= 1 << i
	}
	if v != 0 {
		if b.Len() > 0 {
			b.WriteByte('|')
		}
		b.WriteString("0x")
		b.WriteString(strconv.FormatUint(v, 16))
	}
	return b.String()
}

// CmpOp is a comparison of the cmp expression (enum nft_cmp_ops).
type CmpOp uint32

// The comparisons of Cmp.
const (
	CmpEq  CmpOp = uapi.NFT_CMP_EQ  // NFT_CMP_EQ: equal
	CmpNeq CmpOp = uapi.NFT_CMP_NEQ // NFT_CMP_NEQ: not equal
	CmpLt  CmpOp = uapi.NFT_CMP_LT  // NFT_CMP_LT: less than
	CmpLte CmpOp = uapi.NFT_CMP_LTE // NFT_CMP_LTE: less than or equal
	CmpGt  CmpOp = uapi.NFT_CMP_GT  // NFT_CMP_GT: greater than
	CmpGte CmpOp = uapi.NFT_CMP_GTE // NFT_CMP_GTE: greater than or equal
)

var cmpOpNames = []string{CmpEq: "eq", CmpNeq: "neq", CmpLt: "lt", CmpLte: "lte", CmpGt: "gt", CmpGte: "gte"}

// String returns "eq", "neq", "lt", "lte", "gt" or "gte".
func (o CmpOp) String() string { return enumString(cmpOpNames, uint64(o)) }

// RangeOp is a comparison of the range expression (enum nft_range_ops).
type RangeOp uint32

// The comparisons of Range.
const (
	RangeEq  RangeOp = uapi.NFT_RANGE_EQ  // NFT_RANGE_EQ: in the range
	RangeNeq RangeOp = uapi.NFT_RANGE_NEQ // NFT_RANGE_NEQ: outside it
)

var rangeOpNames = []string{RangeEq: "eq", RangeNeq: "neq"}

// String returns "eq" or "neq".
func (o RangeOp) String() string { return enumString(rangeOpNames, uint64(o)) }

// MetaKey is what the meta expression loads or sets (enum nft_meta_keys).
type MetaKey uint32

// The keys of Meta.
const (
	MetaKeyLen          MetaKey = uapi.NFT_META_LEN         // NFT_META_LEN: the packet's length
	MetaKeyProtocol     MetaKey = uapi.NFT_META_PROTOCOL    // NFT_META_PROTOCOL: its EtherType
	MetaKeyPriority     MetaKey = uapi.NFT_META_PRIORITY    // NFT_META_PRIORITY
	MetaKeyMark         MetaKey = uapi.NFT_META_MARK        // NFT_META_MARK
	MetaKeyIIF          MetaKey = uapi.NFT_META_IIF         // NFT_META_IIF: input interface index
	MetaKeyOIF          MetaKey = uapi.NFT_META_OIF         // NFT_META_OIF: output interface index
	MetaKeyIIFName      MetaKey = uapi.NFT_META_IIFNAME     // NFT_META_IIFNAME: input interface name
	MetaKeyOIFName      MetaKey = uapi.NFT_META_OIFNAME     // NFT_META_OIFNAME: output interface name
	MetaKeyIIFType      MetaKey = uapi.NFT_META_IIFTYPE     // NFT_META_IIFTYPE: input interface type (ARPHRD_*)
	MetaKeyOIFType      MetaKey = uapi.NFT_META_OIFTYPE     // NFT_META_OIFTYPE
	MetaKeySkUID        MetaKey = uapi.NFT_META_SKUID       // NFT_META_SKUID: the socket's owner
	MetaKeySkGID        MetaKey = uapi.NFT_META_SKGID       // NFT_META_SKGID
	MetaKeyNFTrace      MetaKey = uapi.NFT_META_NFTRACE     // NFT_META_NFTRACE
	MetaKeyRtClassID    MetaKey = uapi.NFT_META_RTCLASSID   // NFT_META_RTCLASSID
	MetaKeySecMark      MetaKey = uapi.NFT_META_SECMARK     // NFT_META_SECMARK
	MetaKeyNFProto      MetaKey = uapi.NFT_META_NFPROTO     // NFT_META_NFPROTO: NFPROTO_IPV4 or NFPROTO_IPV6 in an inet chain
	MetaKeyL4Proto      MetaKey = uapi.NFT_META_L4PROTO     // NFT_META_L4PROTO: the transport protocol (IPPROTO_*)
	MetaKeyBriIIFName   MetaKey = uapi.NFT_META_BRI_IIFNAME // NFT_META_BRI_IIFNAME: the input bridge's name
	MetaKeyBriOIFName   MetaKey = uapi.NFT_META_BRI_OIFNAME // NFT_META_BRI_OIFNAME
	MetaKeyPktType      MetaKey = uapi.NFT_META_PKTTYPE     // NFT_META_PKTTYPE: PACKET_HOST, _BROADCAST, ...
	MetaKeyCPU          MetaKey = uapi.NFT_META_CPU         // NFT_META_CPU
	MetaKeyIIFGroup     MetaKey = uapi.NFT_META_IIFGROUP    // NFT_META_IIFGROUP
	MetaKeyOIFGroup     MetaKey = uapi.NFT_META_OIFGROUP    // NFT_META_OIFGROUP
	MetaKeyCgroup       MetaKey = uapi.NFT_META_CGROUP      // NFT_META_CGROUP
	MetaKeyPRandom      MetaKey = uapi.NFT_META_PRANDOM     // NFT_META_PRANDOM: a pseudo-random number
	MetaKeySecPath      MetaKey = ynl.MetaKeysSecpath       // NFT_META_SECPATH
	MetaKeyIIFKind      MetaKey = ynl.MetaKeysIifkind       // NFT_META_IIFKIND: the input interface's kind ("vxlan")
	MetaKeyOIFKind      MetaKey = ynl.MetaKeysOifkind       // NFT_META_OIFKIND
	MetaKeyBriIIFPVID   MetaKey = ynl.MetaKeysBriIifpvid    // NFT_META_BRI_IIFPVID
	MetaKeyBriIIFVProto MetaKey = ynl.MetaKeysBriIifvproto  // NFT_META_BRI_IIFVPROTO
	MetaKeyTimeNS       MetaKey = ynl.MetaKeysTimeNS        // NFT_META_TIME_NS
	MetaKeyTimeDay      MetaKey = ynl.MetaKeysTimeDay       // NFT_META_TIME_DAY
	MetaKeyTimeHour     MetaKey = ynl.MetaKeysTimeHour      // NFT_META_TIME_HOUR
	MetaKeySDIF         MetaKey = ynl.MetaKeysSdif          // NFT_META_SDIF
	MetaKeySDIFName     MetaKey = ynl.MetaKeysSdifname      // NFT_META_SDIFNAME
	MetaKeyBriBroute    MetaKey = ynl.MetaKeysBriBroute     // NFT_META_BRI_BROUTE (Linux 6.6)
)

var metaKeyNames = []string{
	MetaKeyLen: "len", MetaKeyProtocol: "protocol", MetaKeyPriority: "priority", MetaKeyMark: "mark",
	MetaKeyIIF: "iif", MetaKeyOIF: "oif", MetaKeyIIFName: "iifname", MetaKeyOIFName: "oifname",
	MetaKeyIIFType: "iiftype", MetaKeyOIFType: "oiftype", MetaKeySkUID: "skuid", MetaKeySkGID: "skgid",
	MetaKeyNFTrace: "nftrace", MetaKeyRtClassID: "rtclassid", MetaKeySecMark: "secmark",
	MetaKeyNFProto: "nfproto", MetaKeyL4Proto: "l4proto", MetaKeyBriIIFName: "bri_iifname",
	MetaKeyBriOIFName: "bri_oifname", MetaKeyPktType: "pkttype", MetaKeyCPU: "cpu",
	MetaKeyIIFGroup: "iifgroup", MetaKeyOIFGroup: "oifgroup", MetaKeyCgroup: "cgroup",
	MetaKeyPRandom: "prandom", MetaKeySecPath: "secpath", MetaKeyIIFKind: "iifkind",
	MetaKeyOIFKind: "oifkind", MetaKeyBriIIFPVID: "bri_iifpvid", MetaKeyBriIIFVProto: "bri_iifvproto",
	MetaKeyTimeNS: "time", MetaKeyTimeDay: "day", MetaKeyTimeHour: "hour", MetaKeySDIF: "sdif",
	MetaKeySDIFName: "sdifname", MetaKeyBriBroute: "broute",
}

// String returns the key's name, such as "iifname" or "l4proto".
func (k MetaKey) String() string { return enumString(metaKeyNames, uint64(k)) }

// PayloadBase is the header a payload expression's offset counts from
// (enum nft_payload_bases).
type PayloadBase uint32

// The bases of Payload.
const (
	PayloadBaseLLHeader        PayloadBase = uapi.NFT_PAYLOAD_LL_HEADER        // NFT_PAYLOAD_LL_HEADER: the link layer header
	PayloadBaseNetworkHeader   PayloadBase = uapi.NFT_PAYLOAD_NETWORK_HEADER   // NFT_PAYLOAD_NETWORK_HEADER: the IP header
	PayloadBaseTransportHeader PayloadBase = uapi.NFT_PAYLOAD_TRANSPORT_HEADER // NFT_PAYLOAD_TRANSPORT_HEADER: the TCP, UDP, ... header
	PayloadBaseInnerHeader     PayloadBase = uapi.NFT_PAYLOAD_INNER_HEADER     // NFT_PAYLOAD_INNER_HEADER
	PayloadBaseTunHeader       PayloadBase = uapi.NFT_PAYLOAD_TUN_HEADER       // NFT_PAYLOAD_TUN_HEADER
)

var payloadBaseNames = []string{
	PayloadBaseLLHeader: "link", PayloadBaseNetworkHeader: "network", PayloadBaseTransportHeader: "transport",
	PayloadBaseInnerHeader: "inner", PayloadBaseTunHeader: "tunnel",
}

// String returns "link", "network", "transport", "inner" or "tunnel".
func (b PayloadBase) String() string { return enumString(payloadBaseNames, uint64(b)) }

// CsumType is the checksum a payload expression that writes to the packet
// updates (enum nft_payload_csum_types).
type CsumType uint32

// The checksum types of Payload.
const (
	CsumTypeNone CsumType = uapi.NFT_PAYLOAD_CSUM_NONE // NFT_PAYLOAD_CSUM_NONE
	CsumTypeInet CsumType = uapi.NFT_PAYLOAD_CSUM_INET // NFT_PAYLOAD_CSUM_INET: the internet checksum (RFC 1071)
	CsumTypeSCTP CsumType = uapi.NFT_PAYLOAD_CSUM_SCTP // NFT_PAYLOAD_CSUM_SCTP: CRC32c
)

var csumTypeNames = []string{CsumTypeNone: "none", CsumTypeInet: "inet", CsumTypeSCTP: "sctp"}

// String returns "none", "inet" or "sctp".
func (t CsumType) String() string { return enumString(csumTypeNames, uint64(t)) }

// CsumFlags are a payload expression's checksum flags.
type CsumFlags uint32

// The checksum flags of Payload.
const (
	// CsumFlagL4Pseudohdr (NFT_PAYLOAD_L4CSUM_PSEUDOHDR) also updates the
	// transport checksum, which covers the pseudo header.
	CsumFlagL4Pseudohdr CsumFlags = uapi.NFT_PAYLOAD_L4CSUM_PSEUDOHDR
)

// String returns "l4csum-pseudohdr", or 0.
func (f CsumFlags) String() string { return flagString([]string{"l4csum-pseudohdr"}, uint64(f)) }

// CtKey is what the ct expression loads or sets (enum nft_ct_keys).
type CtKey uint32

// The keys of Ct.
const (
	CtKeyState      CtKey = uapi.NFT_CT_STATE      // NFT_CT_STATE: new, established, related, invalid, untracked (bits)
	CtKeyDirection  CtKey = uapi.NFT_CT_DIRECTION  // NFT_CT_DIRECTION: the packet's direction
	CtKeyStatus     CtKey = uapi.NFT_CT_STATUS     // NFT_CT_STATUS: IPS_* bits
	CtKeyMark       CtKey = uapi.NFT_CT_MARK       // NFT_CT_MARK
	CtKeySecMark    CtKey = uapi.NFT_CT_SECMARK    // NFT_CT_SECMARK
	CtKeyExpiration CtKey = uapi.NFT_CT_EXPIRATION // NFT_CT_EXPIRATION: milliseconds left
	CtKeyHelper     CtKey = uapi.NFT_CT_HELPER     // NFT_CT_HELPER
	CtKeyL3Protocol CtKey = uapi.NFT_CT_L3PROTOCOL // NFT_CT_L3PROTOCOL
	CtKeySrc        CtKey = uapi.NFT_CT_SRC        // NFT_CT_SRC: the source address, of either family
	CtKeyDst        CtKey = uapi.NFT_CT_DST        // NFT_CT_DST
	CtKeyProtocol   CtKey = uapi.NFT_CT_PROTOCOL   // NFT_CT_PROTOCOL
	CtKeyProtoSrc   CtKey = uapi.NFT_CT_PROTO_SRC  // NFT_CT_PROTO_SRC: the source port
	CtKeyProtoDst   CtKey = uapi.NFT_CT_PROTO_DST  // NFT_CT_PROTO_DST
	CtKeyLabels     CtKey = uapi.NFT_CT_LABELS     // NFT_CT_LABELS
	CtKeyPkts       CtKey = uapi.NFT_CT_PKTS       // NFT_CT_PKTS
	CtKeyBytes      CtKey = uapi.NFT_CT_BYTES      // NFT_CT_BYTES
	CtKeyAvgPkt     CtKey = uapi.NFT_CT_AVGPKT     // NFT_CT_AVGPKT
	CtKeyZone       CtKey = uapi.NFT_CT_ZONE       // NFT_CT_ZONE
	CtKeyEventMask  CtKey = uapi.NFT_CT_EVENTMASK  // NFT_CT_EVENTMASK
	CtKeySrcIP      CtKey = uapi.NFT_CT_SRC_IP     // NFT_CT_SRC_IP
	CtKeyDstIP      CtKey = uapi.NFT_CT_DST_IP     // NFT_CT_DST_IP
	CtKeySrcIP6     CtKey = uapi.NFT_CT_SRC_IP6    // NFT_CT_SRC_IP6
	CtKeyDstIP6     CtKey = uapi.NFT_CT_DST_IP6    // NFT_CT_DST_IP6
	CtKeyID         CtKey = uapi.NFT_CT_ID         // NFT_CT_ID
)

var ctKeyNames = []string{
	CtKeyState: "state", CtKeyDirection: "direction", CtKeyStatus: "status", CtKeyMark: "mark",
	CtKeySecMark: "secmark", CtKeyExpiration: "expiration", CtKeyHelper: "helper",
	CtKeyL3Protocol: "l3protocol", CtKeySrc: "src", CtKeyDst: "dst", CtKeyProtocol: "protocol",
	CtKeyProtoSrc: "proto_src", CtKeyProtoDst: "proto_dst", CtKeyLabels: "label", CtKeyPkts: "packets",
	CtKeyBytes: "bytes", CtKeyAvgPkt: "avgpkt", CtKeyZone: "zone", CtKeyEventMask: "event",
	CtKeySrcIP: "src_ip", CtKeyDstIP: "dst_ip", CtKeySrcIP6: "src_ip6", CtKeyDstIP6: "dst_ip6", CtKeyID: "id",
}

// String returns the key's name, such as "state" or "mark".
func (k CtKey) String() string { return enumString(ctKeyNames, uint64(k)) }

// CtDirection is a conntrack direction (enum ip_conntrack_dir), of a ct
// expression's key.
type CtDirection uint8

// The directions of Ct.
const (
	CtDirOriginal CtDirection = ynl.CtDirectionOriginal // IP_CT_DIR_ORIGINAL
	CtDirReply    CtDirection = ynl.CtDirectionReply    // IP_CT_DIR_REPLY
)

// String returns "original" or "reply".
func (d CtDirection) String() string { return enumString([]string{"original", "reply"}, uint64(d)) }

// ByteorderOp is the conversion of the byteorder expression (enum
// nft_byteorder_ops).
type ByteorderOp uint32

// The conversions of Byteorder.
const (
	ByteorderNtoh ByteorderOp = uapi.NFT_BYTEORDER_NTOH // NFT_BYTEORDER_NTOH: network to host order
	ByteorderHton ByteorderOp = uapi.NFT_BYTEORDER_HTON // NFT_BYTEORDER_HTON: host to network order
)

// String returns "ntoh" or "hton".
func (o ByteorderOp) String() string { return enumString([]string{"ntoh", "hton"}, uint64(o)) }

// BitwiseOp is the operation of the bitwise expression (enum
// nft_bitwise_ops).
type BitwiseOp uint32

// The operations of Bitwise.
const (
	// BitwiseMaskXor (NFT_BITWISE_MASK_XOR, formerly NFT_BITWISE_BOOL)
	// computes (sreg & Mask) ^ Xor.
	BitwiseMaskXor BitwiseOp = uapi.NFT_BITWISE_BOOL
	BitwiseLshift  BitwiseOp = ynl.BitwiseOpsLshift // NFT_BITWISE_LSHIFT: shifts left by Data
	BitwiseRshift  BitwiseOp = ynl.BitwiseOpsRshift // NFT_BITWISE_RSHIFT: shifts right by Data
	BitwiseAnd     BitwiseOp = nftBitwiseAnd        // NFT_BITWISE_AND: sreg & sreg2 (Linux 6.13)
	BitwiseOr      BitwiseOp = nftBitwiseOr         // NFT_BITWISE_OR: sreg | sreg2 (Linux 6.13)
	BitwiseXor     BitwiseOp = nftBitwiseXor        // NFT_BITWISE_XOR: sreg ^ sreg2 (Linux 6.13)
)

var bitwiseOpNames = []string{
	BitwiseMaskXor: "mask-xor", BitwiseLshift: "lshift", BitwiseRshift: "rshift",
	BitwiseAnd: "and", BitwiseOr: "or", BitwiseXor: "xor",
}

// String returns "mask-xor", "lshift", "rshift", "and", "or" or "xor".
func (o BitwiseOp) String() string { return enumString(bitwiseOpNames, uint64(o)) }

// LookupFlags are the lookup expression's flags (enum nft_lookup_flags).
type LookupFlags uint32

// The flags of Lookup.
const (
	LookupInvert LookupFlags = uapi.NFT_LOOKUP_F_INV // NFT_LOOKUP_F_INV: matches when the key is not in the set
)

// String returns "inv", or 0.
func (f LookupFlags) String() string { return flagString([]string{"inv"}, uint64(f)) }

// DynsetOp is what the dynset expression does with the set (enum
// nft_dynset_ops).
type DynsetOp uint32

// The operations of Dynset.
const (
	DynsetOpAdd    DynsetOp = uapi.NFT_DYNSET_OP_ADD    // NFT_DYNSET_OP_ADD: adds the element, unless it is there
	DynsetOpUpdate DynsetOp = uapi.NFT_DYNSET_OP_UPDATE // NFT_DYNSET_OP_UPDATE: adds it, or refreshes its timeout
	DynsetOpDelete DynsetOp = nftDynsetOpDelete         // NFT_DYNSET_OP_DELETE: deletes it (Linux 5.19)
)

// String returns "add", "update" or "delete".
func (o DynsetOp) String() string { return enumString([]string{"add", "update", "delete"}, uint64(o)) }

// DynsetFlags are the dynset expression's flags (enum nft_dynset_flags).
type DynsetFlags uint32

// The flags of Dynset.
const (
	DynsetInvert DynsetFlags = uapi.NFT_DYNSET_F_INV // NFT_DYNSET_F_INV
	DynsetExpr   DynsetFlags = nftDynsetFExpr        // NFT_DYNSET_F_EXPR: the element gets the expressions
)

// String returns the flags' names ("inv", "expr") joined by "|", or 0.
func (f DynsetFlags) String() string { return flagString([]string{"inv", "expr"}, uint64(f)) }

// LimitType is what a limit counts (enum nft_limit_type).
type LimitType uint32

// The types of Limit.
const (
	LimitTypePkts     LimitType = uapi.NFT_LIMIT_PKTS      // NFT_LIMIT_PKTS: packets
	LimitTypePktBytes LimitType = uapi.NFT_LIMIT_PKT_BYTES // NFT_LIMIT_PKT_BYTES: bytes
)

// String returns "packets" or "bytes".
func (t LimitType) String() string { return enumString([]string{"packets", "bytes"}, uint64(t)) }

// LimitFlags are a limit's flags (enum nft_limit_flags).
type LimitFlags uint32

// The flags of Limit.
const (
	LimitInvert LimitFlags = uapi.NFT_LIMIT_F_INV // NFT_LIMIT_F_INV: matches over the limit
)

// String returns "inv", or 0.
func (f LimitFlags) String() string { return flagString([]string{"inv"}, uint64(f)) }

// QuotaFlags are a quota's flags (enum nft_quota_flags).
type QuotaFlags uint32

// The flags of Quota.
const (
	QuotaInvert   QuotaFlags = uapi.NFT_QUOTA_F_INV      // NFT_QUOTA_F_INV: matches over the quota
	QuotaDepleted QuotaFlags = uapi.NFT_QUOTA_F_DEPLETED // NFT_QUOTA_F_DEPLETED: the quota is used up (read only)
)

// String returns the flags' names ("inv", "depleted") joined by "|", or 0.
func (f QuotaFlags) String() string { return flagString([]string{"inv", "depleted"}, uint64(f)) }

// ConnlimitFlags are a connlimit's flags (enum nft_connlimit_flags).
type ConnlimitFlags uint32

// The flags of Connlimit.
const (
	ConnlimitInvert ConnlimitFlags = nftConnlimitFInv // NFT_CONNLIMIT_F_INV: matches at most Count connections
)

// String returns "inv", or 0.
func (f ConnlimitFlags) String() string { return flagString([]string{"inv"}, uint64(f)) }

// RejectType is how the reject expression answers (enum
// nft_reject_types).
type RejectType uint32

// The types of Reject.
const (
	RejectICMPUnreach  RejectType = uapi.NFT_REJECT_ICMP_UNREACH  // NFT_REJECT_ICMP_UNREACH: an ICMP (ip) or ICMPv6 (ip6) error, of code ICMPCode
	RejectTCPReset     RejectType = uapi.NFT_REJECT_TCP_RST       // NFT_REJECT_TCP_RST: a TCP reset
	RejectICMPxUnreach RejectType = uapi.NFT_REJECT_ICMPX_UNREACH // NFT_REJECT_ICMPX_UNREACH: the ICMP or ICMPv6 error of ICMPx code ICMPCode
)

var rejectTypeNames = []string{RejectICMPUnreach: "icmp", RejectTCPReset: "tcp reset", RejectICMPxUnreach: "icmpx"}

// String returns "icmp", "tcp reset" or "icmpx".
func (t RejectType) String() string { return enumString(rejectTypeNames, uint64(t)) }

// ICMPxCode is the code of a reject of type RejectICMPxUnreach (enum
// nft_reject_inet_code): the kernel sends the ICMP or ICMPv6 error that
// means it, for the packet's family. Reject.ICMPCode holds it as a uint8,
// as it holds ICMP's codes.
type ICMPxCode uint8

// The ICMPx codes.
const (
	ICMPxNoRoute         ICMPxCode = uapi.NFT_REJECT_ICMPX_NO_ROUTE         // NFT_REJECT_ICMPX_NO_ROUTE
	ICMPxPortUnreach     ICMPxCode = uapi.NFT_REJECT_ICMPX_PORT_UNREACH     // NFT_REJECT_ICMPX_PORT_UNREACH
	ICMPxHostUnreach     ICMPxCode = uapi.NFT_REJECT_ICMPX_HOST_UNREACH     // NFT_REJECT_ICMPX_HOST_UNREACH
	ICMPxAdminProhibited ICMPxCode = uapi.NFT_REJECT_ICMPX_ADMIN_PROHIBITED // NFT_REJECT_ICMPX_ADMIN_PROHIBITED
)

var icmpxCodeNames = []string{
	ICMPxNoRoute: "no-route", ICMPxPortUnreach: "port-unreachable",
	ICMPxHostUnreach: "host-unreachable", ICMPxAdminProhibited: "admin-prohibited",
}

// String returns the code's name as nft writes it, such as
// "port-unreachable".
func (c ICMPxCode) String() string { return enumString(icmpxCodeNames, uint64(c)) }

// NATType is the translation of the nat expression (enum nft_nat_types).
type NATType uint32

// The types of NAT.
const (
	NATTypeSourceNAT NATType = uapi.NFT_NAT_SNAT // NFT_NAT_SNAT
	NATTypeDestNAT   NATType = uapi.NFT_NAT_DNAT // NFT_NAT_DNAT
)

// String returns "snat" or "dnat".
func (t NATType) String() string { return enumString([]string{"snat", "dnat"}, uint64(t)) }

// NATRangeFlags are the flags of the nat, masq and redir expressions
// (NF_NAT_RANGE_*, linux/netfilter/nf_nat.h).
type NATRangeFlags uint32

// The flags of NAT, Masq and Redir.
const (
	NATRangeMapIPs           NATRangeFlags = uapi.NF_NAT_RANGE_MAP_IPS            // NF_NAT_RANGE_MAP_IPS: an address is given
	NATRangeProtoSpecified   NATRangeFlags = uapi.NF_NAT_RANGE_PROTO_SPECIFIED    // NF_NAT_RANGE_PROTO_SPECIFIED: a port is given
	NATRangeProtoRandom      NATRangeFlags = uapi.NF_NAT_RANGE_PROTO_RANDOM       // NF_NAT_RANGE_PROTO_RANDOM: nft's random
	NATRangePersistent       NATRangeFlags = uapi.NF_NAT_RANGE_PERSISTENT         // NF_NAT_RANGE_PERSISTENT
	NATRangeProtoRandomFully NATRangeFlags = uapi.NF_NAT_RANGE_PROTO_RANDOM_FULLY // NF_NAT_RANGE_PROTO_RANDOM_FULLY: nft's fully-random
	NATRangeProtoOffset      NATRangeFlags = uapi.NF_NAT_RANGE_PROTO_OFFSET       // NF_NAT_RANGE_PROTO_OFFSET
	NATRangeNetmap           NATRangeFlags = uapi.NF_NAT_RANGE_NETMAP             // NF_NAT_RANGE_NETMAP
)

var natRangeNames = []string{
	"map-ips", "proto-specified", "random", "persistent", "fully-random", "proto-offset", "netmap",
}

// String returns the flags' names, such as "map-ips|persistent", or 0.
func (f NATRangeFlags) String() string { return flagString(natRangeNames, uint64(f)) }

// ExthdrOp is the kind of header the exthdr expression reads (enum
// nft_exthdr_op).
type ExthdrOp uint32

// The kinds of Exthdr.
const (
	ExthdrOpIPv6   ExthdrOp = uapi.NFT_EXTHDR_OP_IPV6   // NFT_EXTHDR_OP_IPV6: an IPv6 extension header
	ExthdrOpTCPOpt ExthdrOp = uapi.NFT_EXTHDR_OP_TCPOPT // NFT_EXTHDR_OP_TCPOPT: a TCP option
	ExthdrOpIPv4   ExthdrOp = nftExthdrOpIpv4           // NFT_EXTHDR_OP_IPV4: an IPv4 option
	ExthdrOpSCTP   ExthdrOp = nftExthdrOpSctp           // NFT_EXTHDR_OP_SCTP: an SCTP chunk
	ExthdrOpDCCP   ExthdrOp = nftExthdrOpDccp           // NFT_EXTHDR_OP_DCCP: a DCCP option
)

var exthdrOpNames = []string{
	ExthdrOpIPv6: "ipv6", ExthdrOpTCPOpt: "tcpopt", ExthdrOpIPv4: "ipv4", ExthdrOpSCTP: "sctp", ExthdrOpDCCP: "dccp",
}

// String returns "ipv6", "tcpopt", "ipv4", "sctp" or "dccp".
func (o ExthdrOp) String() string { return enumString(exthdrOpNames, uint64(o)) }

// ExthdrFlags are the exthdr expression's flags (enum nft_exthdr_flags).
type ExthdrFlags uint32

// The flags of Exthdr.
const (
	// ExthdrPresent (NFT_EXTHDR_F_PRESENT) loads whether the header is
	// there (1 or 0), not its bytes.
	ExthdrPresent ExthdrFlags = uapi.NFT_EXTHDR_F_PRESENT
)

// String returns "present", or 0.
func (f ExthdrFlags) String() string { return flagString([]string{"present"}, uint64(f)) }

// FibResult is what the fib expression loads (enum nft_fib_result).
type FibResult uint32

// The results of Fib.
const (
	FibResultOIF      FibResult = uapi.NFT_FIB_RESULT_OIF      // NFT_FIB_RESULT_OIF: the output interface's index
	FibResultOIFName  FibResult = uapi.NFT_FIB_RESULT_OIFNAME  // NFT_FIB_RESULT_OIFNAME: its name
	FibResultAddrType FibResult = uapi.NFT_FIB_RESULT_ADDRTYPE // NFT_FIB_RESULT_ADDRTYPE: the address's type (RTN_*)
)

var fibResultNames = []string{FibResultOIF: "oif", FibResultOIFName: "oifname", FibResultAddrType: "type"}

// String returns "oif", "oifname" or "type".
func (r FibResult) String() string { return enumString(fibResultNames, uint64(r)) }

// FibFlags say what the fib expression looks up (enum nft_fib_flags).
type FibFlags uint32

// The flags of Fib.
const (
	FibFlagSaddr   FibFlags = ynl.FibFlagsSaddr   // NFTA_FIB_F_SADDR: the source address
	FibFlagDaddr   FibFlags = ynl.FibFlagsDaddr   // NFTA_FIB_F_DADDR: the destination address
	FibFlagMark    FibFlags = ynl.FibFlagsMark    // NFTA_FIB_F_MARK: with the packet's mark
	FibFlagIIF     FibFlags = ynl.FibFlagsIif     // NFTA_FIB_F_IIF: with the input interface
	FibFlagOIF     FibFlags = ynl.FibFlagsOif     // NFTA_FIB_F_OIF: with the output interface
	FibFlagPresent FibFlags = ynl.FibFlagsPresent // NFTA_FIB_F_PRESENT: whether there is a result
)

// String returns the flags' names, such as "saddr|iif", or 0.
func (f FibFlags) String() string {
	return flagString([]string{"saddr", "daddr", "mark", "iif", "oif", "present"}, uint64(f))
}

// RtKey is what the rt expression loads (enum nft_rt_keys).
type RtKey uint32

// The keys of Rt.
const (
	RtClassID  RtKey = uapi.NFT_RT_CLASSID  // NFT_RT_CLASSID: the route's realm
	RtNexthop4 RtKey = uapi.NFT_RT_NEXTHOP4 // NFT_RT_NEXTHOP4: the IPv4 next hop
	RtNexthop6 RtKey = uapi.NFT_RT_NEXTHOP6 // NFT_RT_NEXTHOP6: the IPv6 next hop
	RtTCPMSS   RtKey = uapi.NFT_RT_TCPMSS   // NFT_RT_TCPMSS: the MSS of the route's MTU
	RtXfrm     RtKey = nftRtXfrm            // NFT_RT_XFRM: whether the route is an IPsec one
)

var rtKeyNames = []string{RtClassID: "classid", RtNexthop4: "nexthop4", RtNexthop6: "nexthop6", RtTCPMSS: "tcpmss", RtXfrm: "ipsec"}

// String returns "classid", "nexthop4", "nexthop6", "tcpmss" or "ipsec".
func (k RtKey) String() string { return enumString(rtKeyNames, uint64(k)) }

// SocketKey is what the socket expression loads (enum nft_socket_keys).
type SocketKey uint32

// The keys of Socket.
const (
	SocketKeyTransparent SocketKey = nftSocketTransparent // NFT_SOCKET_TRANSPARENT: IP_TRANSPARENT of the packet's socket
	SocketKeyMark        SocketKey = nftSocketMark        // NFT_SOCKET_MARK: its SO_MARK
	SocketKeyWildcard    SocketKey = nftSocketWildcard    // NFT_SOCKET_WILDCARD: whether it is bound to the wildcard address
	SocketKeyCgroupv2    SocketKey = nftSocketCgroupv2    // NFT_SOCKET_CGROUPV2: its cgroup v2, at Level
)

var socketKeyNames = []string{
	SocketKeyTransparent: "transparent", SocketKeyMark: "mark", SocketKeyWildcard: "wildcard", SocketKeyCgroupv2: "cgroupv2",
}

// String returns "transparent", "mark", "wildcard" or "cgroupv2".
func (k SocketKey) String() string { return enumString(socketKeyNames, uint64(k)) }

// OsfTTL is how the osf expression checks the TTL (NF_OSF_TTL_*,
// linux/netfilter/nfnetlink_osf.h).
type OsfTTL uint8

// The TTL checks of Osf.
const (
	OsfTTLTrue    OsfTTL = nfOsfTtlTrue    // NF_OSF_TTL_TRUE: the TTL must be the fingerprint's
	OsfTTLLess    OsfTTL = nfOsfTtlLess    // NF_OSF_TTL_LESS: or less (nft's ttl loose)
	OsfTTLNoCheck OsfTTL = nfOsfTtlNocheck // NF_OSF_TTL_NOCHECK: is not checked (nft's ttl skip)
)

// String returns "true", "loose" or "skip".
func (t OsfTTL) String() string { return enumString([]string{"true", "loose", "skip"}, uint64(t)) }

// OsfFlags are the osf expression's flags (enum nft_osf_flags).
type OsfFlags uint32

// The flags of Osf.
const (
	OsfVersion OsfFlags = nftOsfFVersion // NFT_OSF_F_VERSION: loads the OS's name and version, not its name only
)

// String returns "version", or 0.
func (f OsfFlags) String() string { return flagString([]string{"version"}, uint64(f)) }

// SynproxyFlags are the TCP options the synproxy expression and object
// send (NF_SYNPROXY_OPT_*, linux/netfilter/nf_synproxy.h).
type SynproxyFlags uint32

// The flags of Synproxy.
const (
	SynproxyMSS       SynproxyFlags = nfSynproxyOptMss       // NF_SYNPROXY_OPT_MSS
	SynproxyWscale    SynproxyFlags = nfSynproxyOptWscale    // NF_SYNPROXY_OPT_WSCALE
	SynproxySackPerm  SynproxyFlags = nfSynproxyOptSackPerm  // NF_SYNPROXY_OPT_SACK_PERM
	SynproxyTimestamp SynproxyFlags = nfSynproxyOptTimestamp // NF_SYNPROXY_OPT_TIMESTAMP
	SynproxyECN       SynproxyFlags = nfSynproxyOptEcn       // NF_SYNPROXY_OPT_ECN
)

// String returns the flags' names, such as "mss|wscale", or 0.
func (f SynproxyFlags) String() string {
	return flagString([]string{"mss", "wscale", "sack-perm", "timestamp", "ecn"}, uint64(f))
}

// LogLevel is the syslog level of the log expression (enum nft_log_level).
type LogLevel uint32

// The levels of Log.
const (
	LogLevelEmerg   LogLevel = nftLoglevelEmerg   // NFT_LOGLEVEL_EMERG
	LogLevelAlert   LogLevel = nftLoglevelAlert   // NFT_LOGLEVEL_ALERT
	LogLevelCrit    LogLevel = nftLoglevelCrit    // NFT_LOGLEVEL_CRIT
	LogLevelErr     LogLevel = nftLoglevelErr     // NFT_LOGLEVEL_ERR
	LogLevelWarning LogLevel = nftLoglevelWarning // NFT_LOGLEVEL_WARNING: the default
	LogLevelNotice  LogLevel = nftLoglevelNotice  // NFT_LOGLEVEL_NOTICE
	LogLevelInfo    LogLevel = nftLoglevelInfo    // NFT_LOGLEVEL_INFO
	LogLevelDebug   LogLevel = nftLoglevelDebug   // NFT_LOGLEVEL_DEBUG
	LogLevelAudit   LogLevel = nftLoglevelAudit   // NFT_LOGLEVEL_AUDIT: to the audit log, not syslog
)

var logLevelNames = []string{"emerg", "alert", "crit", "err", "warn", "notice", "info", "debug", "audit"}

// String returns the level's name as nft writes it, such as "warn".
func (l LogLevel) String() string { return enumString(logLevelNames, uint64(l)) }

// LogFlags say what the log expression adds to the kernel log (NF_LOG_*,
// linux/netfilter/nf_log.h).
type LogFlags uint32

// The flags of Log.
const (
	LogTCPSeq    LogFlags = nfLogTcpseq    // NF_LOG_TCPSEQ: TCP sequence numbers
	LogTCPOpt    LogFlags = nfLogTcpopt    // NF_LOG_TCPOPT: TCP options
	LogIPOpt     LogFlags = nfLogIpopt     // NF_LOG_IPOPT: IP options
	LogUID       LogFlags = nfLogUid       // NF_LOG_UID: the socket's owner
	LogNFLog     LogFlags = nfLogNflog     // NF_LOG_NFLOG: unsupported, kept as the kernel numbers it
	LogMACDecode LogFlags = nfLogMacdecode // NF_LOG_MACDECODE: the link layer header, decoded
	LogAll       LogFlags = nfLogMask      // NF_LOG_MASK: all the supported ones, nft's "flags all"
)

// String returns the flags' names, such as "tcpseq|tcpopt", or 0.
func (f LogFlags) String() string {
	return flagString([]string{"tcpseq", "tcpopt", "ipopt", "uid", "nflog", "macdecode"}, uint64(f))
}

// QueueFlags are the queue expression's flags.
type QueueFlags uint16

// The flags of Queue.
const (
	QueueFlagBypass QueueFlags = uapi.NFT_QUEUE_FLAG_BYPASS     // NFT_QUEUE_FLAG_BYPASS: accepts the packet when no program listens
	QueueFlagFanout QueueFlags = uapi.NFT_QUEUE_FLAG_CPU_FANOUT // NFT_QUEUE_FLAG_CPU_FANOUT: chooses the queue by CPU
)

// String returns the flags' names ("bypass", "fanout") joined by "|", or
// 0.
func (f QueueFlags) String() string { return flagString([]string{"bypass", "fanout"}, uint64(f)) }

// NumgenType is how the numgen expression makes its numbers (enum
// nft_ng_types).
type NumgenType uint32

// The types of Numgen.
const (
	NumgenTypeInc    NumgenType = uapi.NFT_NG_INCREMENTAL // NFT_NG_INCREMENTAL: counts up, modulo Modulus
	NumgenTypeRandom NumgenType = uapi.NFT_NG_RANDOM      // NFT_NG_RANDOM
)

// String returns "inc" or "random".
func (t NumgenType) String() string { return enumString([]string{"inc", "random"}, uint64(t)) }

// HashType is the hash function of the hash expression (enum
// nft_hash_types).
type HashType uint32

// The types of Hash.
const (
	HashTypeJenkins HashType = uapi.NFT_HASH_JENKINS // NFT_HASH_JENKINS: jhash of Len bytes of Sreg
	HashTypeSym     HashType = uapi.NFT_HASH_SYM     // NFT_HASH_SYM: the same hash for both directions of a flow
)

// String returns "jhash" or "symhash".
func (t HashType) String() string { return enumString([]string{"jhash", "symhash"}, uint64(t)) }

// TunnelKey is what the tunnel expression loads (enum nft_tunnel_keys).
type TunnelKey uint32

// The keys of Tunnel.
const (
	TunnelKeyPath TunnelKey = nftTunnelPath // NFT_TUNNEL_PATH: whether the packet came through a tunnel
	TunnelKeyID   TunnelKey = nftTunnelId   // NFT_TUNNEL_ID: the tunnel's ID
)

// String returns "path" or "id".
func (k TunnelKey) String() string { return enumString([]string{"path", "id"}, uint64(k)) }

// TunnelMode is the direction the tunnel expression matches (enum
// nft_tunnel_mode).
type TunnelMode uint32

// The modes of Tunnel.
const (
	TunnelModeNone TunnelMode = nftTunnelModeNone // NFT_TUNNEL_MODE_NONE: either
	TunnelModeRx   TunnelMode = nftTunnelModeRx   // NFT_TUNNEL_MODE_RX
	TunnelModeTx   TunnelMode = nftTunnelModeTx   // NFT_TUNNEL_MODE_TX
)

// String returns "none", "rx" or "tx".
func (m TunnelMode) String() string { return enumString([]string{"none", "rx", "tx"}, uint64(m)) }

// XfrmKey is what the xfrm expression loads (enum nft_xfrm_keys).
type XfrmKey uint32

// The keys of Xfrm.
const (
	XfrmKeyDaddrIP4 XfrmKey = nftXfrmKeyDaddrIp4 // NFT_XFRM_KEY_DADDR_IP4
	XfrmKeyDaddrIP6 XfrmKey = nftXfrmKeyDaddrIp6 // NFT_XFRM_KEY_DADDR_IP6
	XfrmKeySaddrIP4 XfrmKey = nftXfrmKeySaddrIp4 // NFT_XFRM_KEY_SADDR_IP4
	XfrmKeySaddrIP6 XfrmKey = nftXfrmKeySaddrIp6 // NFT_XFRM_KEY_SADDR_IP6
	XfrmKeyReqID    XfrmKey = nftXfrmKeyReqid    // NFT_XFRM_KEY_REQID
	XfrmKeySPI      XfrmKey = nftXfrmKeySpi      // NFT_XFRM_KEY_SPI
)

var xfrmKeyNames = []string{
	XfrmKeyDaddrIP4: "daddr_ip4", XfrmKeyDaddrIP6: "daddr_ip6", XfrmKeySaddrIP4: "saddr_ip4",
	XfrmKeySaddrIP6: "saddr_ip6", XfrmKeyReqID: "reqid", XfrmKeySPI: "spi",
}

// String returns the key's name, such as "spi".
func (k XfrmKey) String() string { return enumString(xfrmKeyNames, uint64(k)) }

// XfrmDir is the xfrm expression's direction (XFRM_POLICY_IN or _OUT).
type XfrmDir uint8

// The directions of Xfrm.
const (
	XfrmDirIn  XfrmDir = xfrmPolicyIn  // XFRM_POLICY_IN
	XfrmDirOut XfrmDir = xfrmPolicyOut // XFRM_POLICY_OUT
)

// String returns "in" or "out".
func (d XfrmDir) String() string { return enumString([]string{"in", "out"}, uint64(d)) }

// ObjectType is the type of a named object (enum nft_object_type).
type ObjectType uint32

// The object types.
const (
	ObjCounter   ObjectType = uapi.NFT_OBJECT_COUNTER    // NFT_OBJECT_COUNTER
	ObjQuota     ObjectType = uapi.NFT_OBJECT_QUOTA      // NFT_OBJECT_QUOTA
	ObjCtHelper  ObjectType = uapi.NFT_OBJECT_CT_HELPER  // NFT_OBJECT_CT_HELPER
	ObjLimit     ObjectType = uapi.NFT_OBJECT_LIMIT      // NFT_OBJECT_LIMIT
	ObjConnlimit ObjectType = uapi.NFT_OBJECT_CONNLIMIT  // NFT_OBJECT_CONNLIMIT
	ObjTunnel    ObjectType = uapi.NFT_OBJECT_TUNNEL     // NFT_OBJECT_TUNNEL
	ObjCtTimeout ObjectType = uapi.NFT_OBJECT_CT_TIMEOUT // NFT_OBJECT_CT_TIMEOUT
	ObjSecmark   ObjectType = uapi.NFT_OBJECT_SECMARK    // NFT_OBJECT_SECMARK
	ObjCtExpect  ObjectType = uapi.NFT_OBJECT_CT_EXPECT  // NFT_OBJECT_CT_EXPECT
	ObjSynproxy  ObjectType = uapi.NFT_OBJECT_SYNPROXY   // NFT_OBJECT_SYNPROXY
)

var objectTypeNames = []string{
	ObjCounter: "counter", ObjQuota: "quota", ObjCtHelper: "ct helper", ObjLimit: "limit",
	ObjConnlimit: "connlimit", ObjTunnel: "tunnel", ObjCtTimeout: "ct timeout", ObjSecmark: "secmark",
	ObjCtExpect: "ct expectation", ObjSynproxy: "synproxy",
}

// String returns the type's name as nft writes it, such as "counter" or
// "ct helper".
func (t ObjectType) String() string { return enumString(objectTypeNames, uint64(t)) }

// SetFlags are a set's flags (enum nft_set_flags).
type SetFlags uint32

// The set flags.
const (
	SetAnonymous SetFlags = uapi.NFT_SET_ANONYMOUS // NFT_SET_ANONYMOUS: bound to the rule that uses it
	SetConstant  SetFlags = uapi.NFT_SET_CONSTANT  // NFT_SET_CONSTANT: its elements do not change
	SetInterval  SetFlags = uapi.NFT_SET_INTERVAL  // NFT_SET_INTERVAL: holds ranges
	SetMap       SetFlags = uapi.NFT_SET_MAP       // NFT_SET_MAP: a map, with data
	SetTimeout   SetFlags = uapi.NFT_SET_TIMEOUT   // NFT_SET_TIMEOUT: its elements time out
	SetEval      SetFlags = uapi.NFT_SET_EVAL      // NFT_SET_EVAL: rules add to it (nft's dynamic)
	SetObject    SetFlags = uapi.NFT_SET_OBJECT    // NFT_SET_OBJECT: a map to named objects
	SetConcat    SetFlags = ynl.SetFlagsConcat     // NFT_SET_CONCAT: its key is a concatenation
	SetExpr      SetFlags = ynl.SetFlagsExpr       // NFT_SET_EXPR: its elements have expressions
)

// String returns the flags' names, such as "constant|interval", or 0.
func (f SetFlags) String() string {
	return flagString([]string{"anonymous", "constant", "interval", "map", "timeout", "eval", "object", "concat", "expr"}, uint64(f))
}

// SetPolicy is what a set's implementation favours (enum nft_set_policies).
type SetPolicy uint32

// The set policies.
const (
	SetPolicyPerformance SetPolicy = uapi.NFT_SET_POL_PERFORMANCE // NFT_SET_POL_PERFORMANCE
	SetPolicyMemory      SetPolicy = uapi.NFT_SET_POL_MEMORY      // NFT_SET_POL_MEMORY
)

// String returns "performance" or "memory".
func (p SetPolicy) String() string { return enumString([]string{"performance", "memory"}, uint64(p)) }

// ChainFlags are a chain's flags (enum nft_chain_flags).
type ChainFlags uint32

// The chain flags.
const (
	ChainBase      ChainFlags = ynl.ChainFlagsBase      // NFT_CHAIN_BASE: a base chain
	ChainHWOffload ChainFlags = ynl.ChainFlagsHWOffload // NFT_CHAIN_HW_OFFLOAD: offloaded to the device
	ChainBinding   ChainFlags = ynl.ChainFlagsBinding   // NFT_CHAIN_BINDING: anonymous, bound to the rule that jumps to it
)

// String returns the flags' names, such as "base|hw-offload", or 0.
func (f ChainFlags) String() string {
	return flagString([]string{"base", "hw-offload", "binding"}, uint64(f))
}

// TableFlags are a table's flags (enum nft_table_flags).
type TableFlags uint32

// The table flags.
const (
	TableDormant TableFlags = uapi.NFT_TABLE_F_DORMANT // NFT_TABLE_F_DORMANT: its base chains are not hooked
	TableOwner   TableFlags = ynl.TableFlagsOwner      // NFT_TABLE_F_OWNER: deleted with the socket that added it
	TablePersist TableFlags = ynl.TableFlagsPersist    // NFT_TABLE_F_PERSIST: with TableOwner, kept when its owner closes (Linux 6.9)
)

// String returns the flags' names, such as "dormant|owner", or 0.
func (f TableFlags) String() string {
	return flagString([]string{"dormant", "owner", "persist"}, uint64(f))
}

// FlowtableFlags are a flowtable's flags (enum nft_flowtable_flags).
type FlowtableFlags uint32

// The flowtable flags.
const (
	FlowtableHWOffload FlowtableFlags = nftFlowtableHwOffload // NFT_FLOWTABLE_HW_OFFLOAD: offloaded to the devices
	FlowtableCounter   FlowtableFlags = nftFlowtableCounter   // NFT_FLOWTABLE_COUNTER: counts the offloaded flows' traffic
)

// String returns the flags' names ("offload", "counter") joined by "|", or
// 0.
func (f FlowtableFlags) String() string {
	return flagString([]string{"offload", "counter"}, uint64(f))
}
