package nftables

// Last is the last expression: it records when the rule last matched.
type Last struct {
	Set   uint32 `nft:"1,always"` // NFTA_LAST_SET: whether it has matched
	Msecs uint64 `nft:"2,always"` // NFTA_LAST_MSECS: since then
	// Other keeps the attributes the fields above do not model.
	Other RawAttrs
}

// Kind returns "last".
func (*Last) Kind() string { return "last" }

func init() { register(&Last{}) }
