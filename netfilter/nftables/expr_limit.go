package nftables

// Limit is the limit expression: it matches while a rate (Rate per Unit seconds, with Burst) is not exceeded, or with the invert flag past it.
type Limit struct {
	Rate  uint64     `nft:"1,always"` // NFTA_LIMIT_RATE
	Unit  uint64     `nft:"2,always"` // NFTA_LIMIT_UNIT: in seconds
	Burst uint32     `nft:"3,always"` // NFTA_LIMIT_BURST
	Type  LimitType  `nft:"4,always"` // NFTA_LIMIT_TYPE: enum nft_limit_type (packets, bytes)
	Flags LimitFlags `nft:"5"`        // NFTA_LIMIT_FLAGS: NFT_LIMIT_F_INV
	// Other keeps the attributes the fields above do not model.
	Other RawAttrs
}

// Kind returns "limit".
func (*Limit) Kind() string { return "limit" }

func init() { register(&Limit{}) }
