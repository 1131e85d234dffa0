package rtnetlink

func init() { registerLinkKind("vti6", func() LinkData { return new(VTI6) }) }

// VTI6 is a virtual tunnel interface over IPv6 (ip link add NAME type
// vti6). Its fields are VTITunnel's.
type VTI6 VTITunnel

// Kind returns "vti6".
func (*VTI6) Kind() string { return "vti6" }

func (t *VTI6) encode(r *request) error { return (*VTITunnel)(t).encode(r, "vti6", true) }

func (t *VTI6) decode(b []byte) error { return (*VTITunnel)(t).decode(b) }
