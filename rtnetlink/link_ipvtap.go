package rtnetlink

func init() { registerLinkKind("ipvtap", func() LinkData { return new(IPVtap) }) }

// IPVtap is an ipvlan link whose packets a program reads and writes
// through a character device, /dev/tapN (N its index), as macvtap is to
// macvlan. Its fields are IPVlan's.
type IPVtap IPVlan

// Kind returns "ipvtap".
func (*IPVtap) Kind() string { return "ipvtap" }

func (v *IPVtap) encode(r *request) error { return encodeIPVlan(r, "ipvtap", (*IPVlan)(v)) }

func (v *IPVtap) decode(b []byte) error { return (*IPVlan)(v).decode(b) }
