package nftables

// Notrack is the notrack expression: it exempts the packet from connection tracking.
type Notrack struct {
	// Other keeps the attributes the fields above do not model.
	Other RawAttrs
}

// Kind returns "notrack".
func (*Notrack) Kind() string { return "notrack" }

func init() { register(&Notrack{}) }
