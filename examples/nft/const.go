package main

// The kernel's constants of nf_tables' expressions that this program
// uses (include/uapi/linux/netfilter/nf_tables.h, nf_nat.h, netfilter.h),
// under Go names, each with the kernel's in its comment. internal/uapi
// would give them from x/sys/unix, had the module a use of them there.
const (
	nfprotoIPv4 = 2  // NFPROTO_IPV4
	nfprotoIPv6 = 10 // NFPROTO_IPV6

	nftPayloadNetworkHeader   = 1 // NFT_PAYLOAD_NETWORK_HEADER
	nftPayloadTransportHeader = 2 // NFT_PAYLOAD_TRANSPORT_HEADER

	nftMetaProtocol = 1  // NFT_META_PROTOCOL
	nftMetaMark     = 3  // NFT_META_MARK
	nftMetaIif      = 4  // NFT_META_IIF
	nftMetaOif      = 5  // NFT_META_OIF
	nftMetaIifname  = 6  // NFT_META_IIFNAME
	nftMetaOifname  = 7  // NFT_META_OIFNAME
	nftMetaNfproto  = 15 // NFT_META_NFPROTO
	nftMetaL4proto  = 16 // NFT_META_L4PROTO

	nftCtState = 0 // NFT_CT_STATE

	nftCmpEq  = 0 // NFT_CMP_EQ
	nftCmpNeq = 1 // NFT_CMP_NEQ
	nftCmpLt  = 2 // NFT_CMP_LT
	nftCmpLte = 3 // NFT_CMP_LTE
	nftCmpGt  = 4 // NFT_CMP_GT
	nftCmpGte = 5 // NFT_CMP_GTE

	nftRangeNeq = 1 // NFT_RANGE_NEQ

	nftBitwiseBool = 0 // NFT_BITWISE_BOOL (mask and xor)

	nftLookupFInv = 1 // NFT_LOOKUP_F_INV

	nftLimitPktBytes = 1 // NFT_LIMIT_PKT_BYTES
	nftLimitFInv     = 1 // NFT_LIMIT_F_INV

	nftRejectIcmpUnreach      = 0 // NFT_REJECT_ICMP_UNREACH
	nftRejectTCPRst           = 1 // NFT_REJECT_TCP_RST
	nftRejectIcmpxUnreach     = 2 // NFT_REJECT_ICMPX_UNREACH
	nftRejectIcmpxPortUnreach = 1 // NFT_REJECT_ICMPX_PORT_UNREACH
	icmpPortUnreach           = 3 // ICMP_PORT_UNREACH
	icmpv6PortUnreach         = 4 // ICMPV6_PORT_UNREACH

	nftNatSnat = 0 // NFT_NAT_SNAT
	nftNatDnat = 1 // NFT_NAT_DNAT

	natRangeMapIPs           = 0x01 // NF_NAT_RANGE_MAP_IPS
	natRangeProtoSpecified   = 0x02 // NF_NAT_RANGE_PROTO_SPECIFIED
	natRangeProtoRandom      = 0x04 // NF_NAT_RANGE_PROTO_RANDOM
	natRangePersistent       = 0x08 // NF_NAT_RANGE_PERSISTENT
	natRangeProtoRandomFully = 0x10 // NF_NAT_RANGE_PROTO_RANDOM_FULLY
)
