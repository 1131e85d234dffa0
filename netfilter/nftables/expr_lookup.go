package nftables

// Lookup is the lookup expression: it looks a register up in a set, or with Dreg in a map and loads the value.
type Lookup struct {
	Set   string      `nft:"1"` // NFTA_LOOKUP_SET
	Sreg  Register    `nft:"2"` // NFTA_LOOKUP_SREG
	Dreg  *Register   `nft:"3"` // NFTA_LOOKUP_DREG: set for a map, RegVerdict for a verdict map
	SetID uint32      `nft:"4"` // NFTA_LOOKUP_SET_ID: a set added earlier in the same transaction
	Flags LookupFlags `nft:"5"` // NFTA_LOOKUP_FLAGS: NFT_LOOKUP_F_INV
	// Other keeps the attributes the fields above do not model.
	Other RawAttrs
}

// Kind returns "lookup".
func (*Lookup) Kind() string { return "lookup" }

func init() { register(&Lookup{}) }
