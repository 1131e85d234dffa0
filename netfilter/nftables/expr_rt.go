package nftables

// Rt is the rt expression: it loads a property of the packet's route (enum nft_rt_keys: classid, nexthop, tcpmss, xfrm).
type Rt struct {
	Dreg Register `nft:"1"`        // NFTA_RT_DREG
	Key  RtKey    `nft:"2,always"` // NFTA_RT_KEY
	// Other keeps the attributes the fields above do not model.
	Other RawAttrs
}

// Kind returns "rt".
func (*Rt) Kind() string { return "rt" }

func init() { register(&Rt{}) }
