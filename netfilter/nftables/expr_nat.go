package nftables

// NAT is the nat expression: it translates source or destination addresses and ports from registers.
type NAT struct {
	Type        NATType       `nft:"1,always"` // NFTA_NAT_TYPE: enum nft_nat_types (snat, dnat)
	Family      uint32        `nft:"2,always"` // NFTA_NAT_FAMILY: NFPROTO_IPV4 or NFPROTO_IPV6
	RegAddrMin  Register      `nft:"3"`        // NFTA_NAT_REG_ADDR_MIN
	RegAddrMax  Register      `nft:"4"`        // NFTA_NAT_REG_ADDR_MAX
	RegProtoMin Register      `nft:"5"`        // NFTA_NAT_REG_PROTO_MIN
	RegProtoMax Register      `nft:"6"`        // NFTA_NAT_REG_PROTO_MAX
	Flags       NATRangeFlags `nft:"7"`        // NFTA_NAT_FLAGS: NF_NAT_RANGE_*
	// Other keeps the attributes the fields above do not model.
	Other RawAttrs
}

// Kind returns "nat".
func (*NAT) Kind() string { return "nat" }

func init() { register(&NAT{}) }
