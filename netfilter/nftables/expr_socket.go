package nftables

// Socket is the socket expression: it loads a property of the packet's socket (enum nft_socket_keys: transparent, mark, wildcard, cgroupv2).
type Socket struct {
	Key   SocketKey `nft:"1,always"` // NFTA_SOCKET_KEY
	Dreg  Register  `nft:"2"`        // NFTA_SOCKET_DREG
	Level uint32    `nft:"3"`        // NFTA_SOCKET_LEVEL: the cgroupv2 ancestor level
	// Other keeps the attributes the fields above do not model.
	Other RawAttrs
}

// Kind returns "socket".
func (*Socket) Kind() string { return "socket" }

func init() { register(&Socket{}) }
