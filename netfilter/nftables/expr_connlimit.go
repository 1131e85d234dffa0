package nftables

// Connlimit is the connlimit expression: it matches while a key has at most Count connections, or with the invert flag more.
type Connlimit struct {
	Count uint32         `nft:"1,always"` // NFTA_CONNLIMIT_COUNT
	Flags ConnlimitFlags `nft:"2"`        // NFTA_CONNLIMIT_FLAGS: NFT_CONNLIMIT_F_INV
	// Other keeps the attributes the fields above do not model.
	Other RawAttrs
}

// Kind returns "connlimit".
func (*Connlimit) Kind() string { return "connlimit" }

func init() { register(&Connlimit{}) }
