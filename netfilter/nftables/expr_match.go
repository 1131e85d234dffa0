package nftables

// Match is the match expression: it runs an xtables match through nft_compat (iptables-nft's rules).
type Match struct {
	Name string `nft:"1"`        // NFTA_MATCH_NAME
	Rev  uint32 `nft:"2,always"` // NFTA_MATCH_REV
	Info []byte `nft:"3"`        // NFTA_MATCH_INFO: the match's struct, as iptables has it
	// Other keeps the attributes the fields above do not model.
	Other RawAttrs
}

// Kind returns "match".
func (*Match) Kind() string { return "match" }

func init() { register(&Match{}) }
