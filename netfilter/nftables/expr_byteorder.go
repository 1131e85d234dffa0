package nftables

// Byteorder is the byteorder expression: it converts Len bytes of a register between host and network byte order, in units of Size bytes.
type Byteorder struct {
	Sreg Register    `nft:"1"`        // NFTA_BYTEORDER_SREG
	Dreg Register    `nft:"2"`        // NFTA_BYTEORDER_DREG
	Op   ByteorderOp `nft:"3,always"` // NFTA_BYTEORDER_OP: enum nft_byteorder_ops (ntoh, hton)
	Len  uint32      `nft:"4,always"` // NFTA_BYTEORDER_LEN
	Size uint32      `nft:"5,always"` // NFTA_BYTEORDER_SIZE: 2, 4 or 8
	// Other keeps the attributes the fields above do not model.
	Other RawAttrs
}

// Kind returns "byteorder".
func (*Byteorder) Kind() string { return "byteorder" }

func init() { register(&Byteorder{}) }
