package nftables

// Numgen is the numgen expression: it loads a number, incremental or random, modulo Modulus plus Offset.
type Numgen struct {
	Dreg    Register   `nft:"1"`        // NFTA_NG_DREG
	Modulus uint32     `nft:"2,always"` // NFTA_NG_MODULUS
	Type    NumgenType `nft:"3,always"` // NFTA_NG_TYPE: enum nft_ng_types (inc, random)
	Offset  uint32     `nft:"4"`        // NFTA_NG_OFFSET
	// Other keeps the attributes the fields above do not model.
	Other RawAttrs
}

// Kind returns "numgen".
func (*Numgen) Kind() string { return "numgen" }

func init() { register(&Numgen{}) }
