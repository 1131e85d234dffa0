package nftables

// Xfrm is the xfrm expression: it loads a property of the packet's IPsec state (enum nft_xfrm_keys).
type Xfrm struct {
	Dreg  Register `nft:"1"`        // NFTA_XFRM_DREG
	Key   XfrmKey  `nft:"2,always"` // NFTA_XFRM_KEY
	Dir   XfrmDir  `nft:"3,always"` // NFTA_XFRM_DIR: XFRM_POLICY_IN (0) or XFRM_POLICY_OUT
	SPNum uint32   `nft:"4,always"` // NFTA_XFRM_SPNUM: the index in the secpath
	// Other keeps the attributes the fields above do not model.
	Other RawAttrs
}

// Kind returns "xfrm".
func (*Xfrm) Kind() string { return "xfrm" }

func init() { register(&Xfrm{}) }
