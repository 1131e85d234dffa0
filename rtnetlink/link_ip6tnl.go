package rtnetlink

func init() { registerLinkKind("ip6tnl", func() LinkData { return new(IP6Tnl) }) }

// IP6Tnl is a tunnel over IPv6 carrying IPv6 (Proto 41), IPv4 (4) or both
// (0, the default) (ip link add NAME type ip6tnl). Its fields are
// IPTunnel's.
type IP6Tnl IPTunnel

// Kind returns "ip6tnl".
func (*IP6Tnl) Kind() string { return "ip6tnl" }

func (t *IP6Tnl) encode(r *request) error { return (*IPTunnel)(t).encode(r, "ip6tnl") }

func (t *IP6Tnl) decode(b []byte) error { return (*IPTunnel)(t).decode(b) }
