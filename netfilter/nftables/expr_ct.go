package nftables

// Ct is the ct expression: it loads a conntrack key (enum nft_ct_keys: state, mark, status, addresses, ...) into Dreg, or sets it from Sreg.
type Ct struct {
	Dreg      Register     `nft:"1"`        // NFTA_CT_DREG
	Key       CtKey        `nft:"2,always"` // NFTA_CT_KEY: enum nft_ct_keys
	Direction *CtDirection `nft:"3"`        // NFTA_CT_DIRECTION: IP_CT_DIR_ORIGINAL (0) or IP_CT_DIR_REPLY
	Sreg      Register     `nft:"4"`        // NFTA_CT_SREG
	// Other keeps the attributes the fields above do not model.
	Other RawAttrs
}

// Kind returns "ct".
func (*Ct) Kind() string { return "ct" }

func init() { register(&Ct{}) }
