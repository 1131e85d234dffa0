package nftables

// Counter is the counter expression: it counts packets and bytes.
type Counter struct {
	Bytes   uint64 `nft:"1,always"` // NFTA_COUNTER_BYTES
	Packets uint64 `nft:"2,always"` // NFTA_COUNTER_PACKETS
	// Other keeps the attributes the fields above do not model.
	Other RawAttrs
}

// Kind returns "counter".
func (*Counter) Kind() string { return "counter" }

func init() { register(&Counter{}) }
