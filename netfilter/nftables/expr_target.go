package nftables

// Target is the target expression: it runs an xtables target through nft_compat (iptables-nft's rules).
type Target struct {
	Name string `nft:"1"`        // NFTA_TARGET_NAME
	Rev  uint32 `nft:"2,always"` // NFTA_TARGET_REV
	Info []byte `nft:"3"`        // NFTA_TARGET_INFO
	// Other keeps the attributes the fields above do not model.
	Other RawAttrs
}

// Kind returns "target".
func (*Target) Kind() string { return "target" }

func init() { register(&Target{}) }
