package rtnetlink

func init() { registerLinkKind("gretap", func() LinkData { return new(GRETap) }) }

// GRETap is a GRE tunnel over IPv4 carrying Ethernet frames (ip link add NAME type
// gretap). Its fields are GRETunnel's.
type GRETap GRETunnel

// Kind returns "gretap".
func (*GRETap) Kind() string { return "gretap" }

func (t *GRETap) encode(r *request) error { return (*GRETunnel)(t).encode(r, "gretap", false) }

func (t *GRETap) decode(b []byte) error { return (*GRETunnel)(t).decode(b) }
