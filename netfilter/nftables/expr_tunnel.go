package nftables

// Tunnel is the tunnel expression: it loads a property of the packet's tunnel metadata (enum nft_tunnel_keys: path, id).
type Tunnel struct {
	Key  TunnelKey  `nft:"1,always"` // NFTA_TUNNEL_KEY
	Dreg Register   `nft:"2"`        // NFTA_TUNNEL_DREG
	Mode TunnelMode `nft:"3"`        // NFTA_TUNNEL_MODE: enum nft_tunnel_mode (none, rx, tx)
	// Other keeps the attributes the fields above do not model.
	Other RawAttrs
}

// Kind returns "tunnel".
func (*Tunnel) Kind() string { return "tunnel" }

func init() { register(&Tunnel{}) }
