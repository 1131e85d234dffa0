package nftables

// Payload is the payload expression: it loads bytes of a packet header into a register, or with Sreg set writes a register into the packet, fixing checksums as CsumType says.
type Payload struct {
	Dreg       Register    `nft:"1"`        // NFTA_PAYLOAD_DREG: the register loaded
	Base       PayloadBase `nft:"2,always"` // NFTA_PAYLOAD_BASE: enum nft_payload_bases (link, network, transport, inner)
	Offset     uint32      `nft:"3,always"` // NFTA_PAYLOAD_OFFSET: in bytes from the base
	Len        uint32      `nft:"4,always"` // NFTA_PAYLOAD_LEN: in bytes
	Sreg       Register    `nft:"5"`        // NFTA_PAYLOAD_SREG: the register written into the packet
	CsumType   *CsumType   `nft:"6"`        // NFTA_PAYLOAD_CSUM_TYPE: enum nft_payload_csum_types
	CsumOffset *uint32     `nft:"7"`        // NFTA_PAYLOAD_CSUM_OFFSET
	CsumFlags  CsumFlags   `nft:"8"`        // NFTA_PAYLOAD_CSUM_FLAGS: NFT_PAYLOAD_L4CSUM_PSEUDOHDR
	// Other keeps the attributes the fields above do not model.
	Other RawAttrs
}

// Kind returns "payload".
func (*Payload) Kind() string { return "payload" }

func init() { register(&Payload{}) }
