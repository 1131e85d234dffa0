package nftables

// Range is the range expression: it matches a register against the inclusive range From to To.
type Range struct {
	Sreg Register `nft:"1"`        // NFTA_RANGE_SREG
	Op   RangeOp  `nft:"2,always"` // NFTA_RANGE_OP: enum nft_range_ops (eq, neq)
	From []byte   `nft:"3,data"`   // NFTA_RANGE_FROM_DATA
	To   []byte   `nft:"4,data"`   // NFTA_RANGE_TO_DATA
	// Other keeps the attributes the fields above do not model.
	Other RawAttrs
}

// Kind returns "range".
func (*Range) Kind() string { return "range" }

func init() { register(&Range{}) }
