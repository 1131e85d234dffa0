package nftables

// Fwd is the fwd expression: it forwards the packet out of the interface in SregDev (netdev family), to the address in SregAddr.
type Fwd struct {
	SregDev  Register `nft:"1"` // NFTA_FWD_SREG_DEV
	SregAddr Register `nft:"2"` // NFTA_FWD_SREG_ADDR
	NFProto  uint32   `nft:"3"` // NFTA_FWD_NFPROTO
	// Other keeps the attributes the fields above do not model.
	Other RawAttrs
}

// Kind returns "fwd".
func (*Fwd) Kind() string { return "fwd" }

func init() { register(&Fwd{}) }
