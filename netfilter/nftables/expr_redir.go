package nftables

// Redir is the redir expression: it redirects the packet to the local machine (nft's redirect).
type Redir struct {
	RegProtoMin Register      `nft:"1"` // NFTA_REDIR_REG_PROTO_MIN
	RegProtoMax Register      `nft:"2"` // NFTA_REDIR_REG_PROTO_MAX
	Flags       NATRangeFlags `nft:"3"` // NFTA_REDIR_FLAGS: NF_NAT_RANGE_*
	// Other keeps the attributes the fields above do not model.
	Other RawAttrs
}

// Kind returns "redir".
func (*Redir) Kind() string { return "redir" }

func init() { register(&Redir{}) }
