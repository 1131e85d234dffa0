package nftables

// Dup is the dup expression: it sends a copy of the packet to the address in SregAddr, through the interface in SregDev.
type Dup struct {
	SregAddr Register `nft:"1"` // NFTA_DUP_SREG_ADDR
	SregDev  Register `nft:"2"` // NFTA_DUP_SREG_DEV
	// Other keeps the attributes the fields above do not model.
	Other RawAttrs
}

// Kind returns "dup".
func (*Dup) Kind() string { return "dup" }

func init() { register(&Dup{}) }
