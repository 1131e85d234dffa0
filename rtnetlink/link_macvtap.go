package rtnetlink

func init() { registerLinkKind("macvtap", func() LinkData { return new(Macvtap) }) }

// Macvtap is a macvlan whose packets a program reads and writes through a
// character device, /dev/tapN (N its index), as vhost-net and QEMU do. Its
// lower link is Link.ParentIndex (required on creation); its options are
// a macvlan's (IFLA_MACVLAN_*).
type Macvtap struct {
	Mode MacvlanMode // 0 on creation: the kernel's default, VEPA
	// Other holds what Macvlan.Other does.
	Other RawAttrs
}

// Kind returns "macvtap".
func (*Macvtap) Kind() string { return "macvtap" }

func (m *Macvtap) encode(r *request) error { return encodeMacvlan(r, m.Mode, m.Other) }

func (m *Macvtap) decode(b []byte) error { return decodeMacvlan(b, &m.Mode, &m.Other) }
