package rtnetlink

import (
	"strconv"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/uapi"
)

func init() { registerLinkKind("macvlan", func() LinkData { return new(Macvlan) }) }

// MacvlanMode is how a macvlan or macvtap link passes packets between it
// and the others on the same lower link (IFLA_MACVLAN_MODE).
type MacvlanMode uint32

// The macvlan modes (MACVLAN_MODE_* in <linux/if_link.h>).
const (
	MacvlanPrivate  MacvlanMode = 1  // no traffic between macvlans
	MacvlanVEPA     MacvlanMode = 2  // through the external switch (the kernel's default)
	MacvlanBridge   MacvlanMode = 4  // directly between macvlans
	MacvlanPassthru MacvlanMode = 8  // one macvlan takes over the lower link
	MacvlanSource   MacvlanMode = 16 // by source MAC address
)

// String names the mode as ip does: "private", "vepa", "bridge",
// "passthru", "source".
func (m MacvlanMode) String() string {
	switch m {
	case MacvlanPrivate:
		return "private"
	case MacvlanVEPA:
		return "vepa"
	case MacvlanBridge:
		return "bridge"
	case MacvlanPassthru:
		return "passthru"
	case MacvlanSource:
		return "source"
	}
	return "MacvlanMode(" + strconv.FormatUint(uint64(m), 10) + ")"
}

// Macvlan is a link with its own MAC address on top of a lower link, which
// is Link.ParentIndex (required on creation).
type Macvlan struct {
	Mode MacvlanMode // 0 on creation: the kernel's default, VEPA
	// Other holds the link's attributes no field above models (flags,
	// the broadcast queue's length, ...), as the kernel sent them;
	// creation sends them back, but for the counters only the kernel sets.
	Other RawAttrs
}

// Kind returns "macvlan".
func (*Macvlan) Kind() string { return "macvlan" }

func (m *Macvlan) encode(r *request) error { return encodeMacvlan(r, m.Mode, m.Other) }

func (m *Macvlan) decode(b []byte) error { return decodeMacvlan(b, &m.Mode, &m.Other) }

// encodeMacvlan appends the IFLA_MACVLAN_* attributes macvlan and macvtap
// share.
func encodeMacvlan(r *request, mode MacvlanMode, other RawAttrs) error {
	if mode != 0 {
		r.Uint32(uapi.IFLA_MACVLAN_MODE, uint32(mode))
	}
	return putKindOther(r, other, putMacvlanOther)
}

// putMacvlanOther leaves out of a request the IFLA_MACVLAN_* attributes
// only the kernel sets: the counts of source addresses and of broadcast
// queue users.
func putMacvlanOther(_ *request, a netlink.Attr) bool {
	return a.Type == uapi.IFLA_MACVLAN_MACADDR_COUNT || a.Type == uapi.IFLA_MACVLAN_BC_QUEUE_LEN_USED
}

// decodeMacvlan reads the IFLA_MACVLAN_* attributes macvlan and macvtap
// share.
func decodeMacvlan(b []byte, mode *MacvlanMode, keep *RawAttrs) error {
	var buf [128]byte
	other := buf[:0]
	d := netlink.NewAttrDecoder(b)
	for d.Next() {
		if d.Type() == uapi.IFLA_MACVLAN_MODE {
			*mode = MacvlanMode(d.Uint32())
		} else {
			other = d.Attr().Append(other)
		}
	}
	*keep = RawAttrs(other)
	return d.Err()
}
