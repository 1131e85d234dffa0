package rtnetlink

func init() { registerLinkKind("ip6gre", func() LinkData { return new(IP6GRE) }) }

// IP6GRE is a GRE tunnel over IPv6 carrying IP packets (ip link add NAME type
// ip6gre). Its fields are GRETunnel's.
type IP6GRE GRETunnel

// Kind returns "ip6gre".
func (*IP6GRE) Kind() string { return "ip6gre" }

func (t *IP6GRE) encode(r *request) error { return (*GRETunnel)(t).encode(r, "ip6gre", true) }

func (t *IP6GRE) decode(b []byte) error { return (*GRETunnel)(t).decode(b) }
