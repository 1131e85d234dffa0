package rtnetlink

func init() { registerLinkKind("ip6gretap", func() LinkData { return new(IP6GRETap) }) }

// IP6GRETap is a GRE tunnel over IPv6 carrying Ethernet frames (ip link add NAME type
// ip6gretap). Its fields are GRETunnel's.
type IP6GRETap GRETunnel

// Kind returns "ip6gretap".
func (*IP6GRETap) Kind() string { return "ip6gretap" }

func (t *IP6GRETap) encode(r *request) error { return (*GRETunnel)(t).encode(r, "ip6gretap", true) }

func (t *IP6GRETap) decode(b []byte) error { return (*GRETunnel)(t).decode(b) }
