package nftables

// Exthdr is the exthdr expression: it loads (or with Sreg writes) an IPv6 extension header, a TCP, IPv4 or SCTP option, or tests that it is present.
type Exthdr struct {
	Dreg   Register    `nft:"1"`        // NFTA_EXTHDR_DREG
	Type   uint8       `nft:"2,always"` // NFTA_EXTHDR_TYPE: the header or option number
	Offset uint32      `nft:"3,always"` // NFTA_EXTHDR_OFFSET
	Len    uint32      `nft:"4,always"` // NFTA_EXTHDR_LEN
	Flags  ExthdrFlags `nft:"5"`        // NFTA_EXTHDR_FLAGS: NFT_EXTHDR_F_PRESENT
	Op     ExthdrOp    `nft:"6,always"` // NFTA_EXTHDR_OP: enum nft_exthdr_op (ipv6, tcpopt, ipv4, sctp, dccp)
	Sreg   Register    `nft:"7"`        // NFTA_EXTHDR_SREG
	// Other keeps the attributes the fields above do not model.
	Other RawAttrs
}

// Kind returns "exthdr".
func (*Exthdr) Kind() string { return "exthdr" }

func init() { register(&Exthdr{}) }
