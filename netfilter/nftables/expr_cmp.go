package nftables

// Cmp is the cmp expression: it compares a register with Data and breaks the rule when the comparison fails.
type Cmp struct {
	Sreg Register `nft:"1"`        // NFTA_CMP_SREG
	Op   CmpOp    `nft:"2,always"` // NFTA_CMP_OP: enum nft_cmp_ops (eq, neq, lt, lte, gt, gte)
	Data []byte   `nft:"3,data"`   // NFTA_CMP_DATA
	// Other keeps the attributes the fields above do not model.
	Other RawAttrs
}

// Kind returns "cmp".
func (*Cmp) Kind() string { return "cmp" }

func init() { register(&Cmp{}) }
