package nftables

// Masq is the masq expression: it translates the source address to the outgoing interface's.
type Masq struct {
	Flags       NATRangeFlags `nft:"1"` // NFTA_MASQ_FLAGS: NF_NAT_RANGE_*
	RegProtoMin Register      `nft:"2"` // NFTA_MASQ_REG_PROTO_MIN
	RegProtoMax Register      `nft:"3"` // NFTA_MASQ_REG_PROTO_MAX
	// Other keeps the attributes the fields above do not model.
	Other RawAttrs
}

// Kind returns "masq".
func (*Masq) Kind() string { return "masq" }

func init() { register(&Masq{}) }
