package nftables

// OSF is the osf expression: it loads the operating system that passive fingerprinting gives for a TCP SYN.
type OSF struct {
	Dreg  Register `nft:"1"`        // NFTA_OSF_DREG
	TTL   OsfTTL   `nft:"2,always"` // NFTA_OSF_TTL: how the TTL is checked
	Flags OsfFlags `nft:"3"`        // NFTA_OSF_FLAGS: NFT_OSF_F_VERSION
	// Other keeps the attributes the fields above do not model.
	Other RawAttrs
}

// Kind returns "osf".
func (*OSF) Kind() string { return "osf" }

func init() { register(&OSF{}) }
