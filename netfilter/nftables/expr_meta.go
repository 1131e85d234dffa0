package nftables

// Meta is the meta expression: it loads packet or socket metadata (Key, enum nft_meta_keys: length, protocol, mark, interfaces, ...) into Dreg, or sets it from Sreg.
type Meta struct {
	Key  MetaKey  `nft:"2,always"` // NFTA_META_KEY: enum nft_meta_keys
	Dreg Register `nft:"1"`        // NFTA_META_DREG
	Sreg Register `nft:"3"`        // NFTA_META_SREG
	// Other keeps the attributes the fields above do not model.
	Other RawAttrs
}

// Kind returns "meta".
func (*Meta) Kind() string { return "meta" }

func init() { register(&Meta{}) }
