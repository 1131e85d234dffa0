package nftables

// Reject is the reject expression: it drops the packet and answers with an ICMP error or a TCP reset.
type Reject struct {
	Type     RejectType `nft:"1,always"` // NFTA_REJECT_TYPE: enum nft_reject_types (icmp unreach, tcp rst, icmpx unreach)
	ICMPCode *uint8     `nft:"2"`        // NFTA_REJECT_ICMP_CODE: an ICMP or ICMPv6 code, or with RejectICMPxUnreach an ICMPxCode
	// Other keeps the attributes the fields above do not model.
	Other RawAttrs
}

// Kind returns "reject".
func (*Reject) Kind() string { return "reject" }

func init() { register(&Reject{}) }
