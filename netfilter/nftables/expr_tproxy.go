package nftables

// TProxy is the tproxy expression: it redirects the packet to a local socket without changing it (transparent proxying).
type TProxy struct {
	Family  uint32   `nft:"1,always"` // NFTA_TPROXY_FAMILY: NFPROTO_IPV4, NFPROTO_IPV6 or NFPROTO_UNSPEC
	RegAddr Register `nft:"2"`        // NFTA_TPROXY_REG_ADDR
	RegPort Register `nft:"3"`        // NFTA_TPROXY_REG_PORT
	// Other keeps the attributes the fields above do not model.
	Other RawAttrs
}

// Kind returns "tproxy".
func (*TProxy) Kind() string { return "tproxy" }

func init() { register(&TProxy{}) }
