package rtnetlink

func init() { registerLinkKind("sit", func() LinkData { return new(SIT) }) }

// SIT is a tunnel over IPv4 carrying IPv6 (Proto 41), IPv4 (4), MPLS
// (137) or any of them (0, as ip makes it without a mode): 6in4, 6to4,
// 6rd and ISATAP (ip link add NAME type sit). Its fields are IPTunnel's.
type SIT IPTunnel

// Kind returns "sit".
func (*SIT) Kind() string { return "sit" }

func (t *SIT) encode(r *request) error { return (*IPTunnel)(t).encode(r, "sit") }

func (t *SIT) decode(b []byte) error { return (*IPTunnel)(t).decode(b) }
