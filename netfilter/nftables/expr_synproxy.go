package nftables

// Synproxy is the synproxy expression: it answers TCP SYNs with SYN cookies and hands on only completed handshakes.
type Synproxy struct {
	MSS    uint16        `nft:"1"` // NFTA_SYNPROXY_MSS
	Wscale uint8         `nft:"2"` // NFTA_SYNPROXY_WSCALE
	Flags  SynproxyFlags `nft:"3"` // NFTA_SYNPROXY_FLAGS: NF_SYNPROXY_OPT_*
	// Other keeps the attributes the fields above do not model.
	Other RawAttrs
}

// Kind returns "synproxy".
func (*Synproxy) Kind() string { return "synproxy" }

func init() { register(&Synproxy{}) }
