package nftables

// Bitwise is the bitwise expression: it computes Dreg = (Sreg & Mask) ^ Xor, or a shift of Sreg by Data, over Len bytes.
type Bitwise struct {
	Sreg  Register  `nft:"1"`        // NFTA_BITWISE_SREG
	Dreg  Register  `nft:"2"`        // NFTA_BITWISE_DREG
	Len   uint32    `nft:"3,always"` // NFTA_BITWISE_LEN
	Mask  []byte    `nft:"4,data"`   // NFTA_BITWISE_MASK
	Xor   []byte    `nft:"5,data"`   // NFTA_BITWISE_XOR
	Op    BitwiseOp `nft:"6,always"` // NFTA_BITWISE_OP: enum nft_bitwise_ops (mask-xor, lshift, rshift, and, or, xor)
	Data  []byte    `nft:"7,data"`   // NFTA_BITWISE_DATA: the shift amount
	Sreg2 Register  `nft:"8"`        // NFTA_BITWISE_SREG2: the second operand of and, or, xor
	// Other keeps the attributes the fields above do not model.
	Other RawAttrs
}

// Kind returns "bitwise".
func (*Bitwise) Kind() string { return "bitwise" }

func init() { register(&Bitwise{}) }
