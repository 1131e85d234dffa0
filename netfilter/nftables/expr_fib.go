package nftables

// Fib is the fib expression: it looks the packet up in the routing tables (nft's fib).
type Fib struct {
	Dreg   Register  `nft:"1"`        // NFTA_FIB_DREG
	Result FibResult `nft:"2,always"` // NFTA_FIB_RESULT: enum nft_fib_result (oif, oifname, type)
	Flags  FibFlags  `nft:"3,always"` // NFTA_FIB_FLAGS: enum nft_fib_flags (saddr, daddr, mark, iif, oif, present)
	// Other keeps the attributes the fields above do not model.
	Other RawAttrs
}

// Kind returns "fib".
func (*Fib) Kind() string { return "fib" }

func init() { register(&Fib{}) }
