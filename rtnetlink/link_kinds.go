package rtnetlink

import (
	"net/netip"
	"time"

	"github.com/nlkit/netlink"
)

// Link kinds: how a kind is added.
//
// Each kind lives in a file of its own, link_KIND.go (link_veth.go,
// link_bridge.go, ...), which holds, side by side:
//
//   - the kind's type, whose fields are its IFLA_INFO_DATA attributes
//     (for example Vxlan and IFLA_VXLAN_*), each documented with its
//     attribute;
//   - its Kind method, returning the IFLA_INFO_KIND string;
//   - its encode method, which appends the attributes inside
//     IFLA_INFO_DATA and checks the values (with invalid) before anything
//     is sent;
//   - its decode method, which reads IFLA_INFO_DATA's payload with a
//     netlink.AttrDecoder of its own (so the decoder stays on the stack)
//     and returns the decoder's error;
//   - an Other RawAttrs field keeping, in order, the attributes no other
//     field models (decode's default case: other = d.Attr().Append(other),
//     gathered in a stack buffer and copied once), which encode sends back
//     last with putKindOther(r, k.Other, hook): the hook (nil for most
//     kinds) leaves out those only the kernel sets, or sends those the
//     kernel reports in another form than it takes, so that a listed link
//     is created again with every option it had (TestCreateListedLink
//     checks it with ip); putKindOther is the one helper for this, not
//     AttrEncoder.RawAttrs;
//   - an init function that registers the kind:
//
//     func init() { registerLinkKind("vxlan", func() LinkData { return new(Vxlan) }) }
//
// Nothing else changes: Link's decoder finds the kind in linkKinds, and
// its encoder calls the kind's encode. A kind no file registers decodes as
// *RawLinkData (the kind's name and IFLA_INFO_DATA's bytes), which
// encodes the bytes unchanged: listing a link of any kind never fails for
// want of its decoder, and the link can be re-created as it was.
//
// Port settings (IFLA_INFO_SLAVE_KIND and IFLA_INFO_SLAVE_DATA, what a
// link has as a port of a bridge or a bond) follow the same pattern with
// PortData, registerPortKind and *RawPortData; the kind is the master's
// ("bridge", "bond", "vrf"), as the kernel names it.

// LinkData is the kind-specific part of a link (IFLA_INFO_DATA): one of
// the types registered in this package (*Veth, *Bridge, *Macvlan,
// *Macvtap, *Vxlan, *Tun, ...), or *RawLinkData for the kinds it does
// not decode. Links of kinds without options can be created with
// Link.Kind alone ("ifb", "dummy", a bridge with the kernel's defaults).
type LinkData interface {
	// Kind is the IFLA_INFO_KIND the data belongs to.
	Kind() string
	// encode appends the data's attributes inside IFLA_INFO_DATA, or
	// returns the check error of a value the kernel would refuse.
	encode(r *request) error
	// decode reads IFLA_INFO_DATA's payload b into the zero value.
	decode(b []byte) error
}

// PortData is what a link has as a port of its master
// (IFLA_INFO_SLAVE_DATA): *BridgePort for a bridge's port, *BondPort for
// a bond's, *VRFPort for a VRF's, or *RawPortData for the masters this
// package does not decode.
type PortData interface {
	// PortKind is the IFLA_INFO_SLAVE_KIND the data belongs to: the
	// master's kind, "bridge" for a bridge port (ip prints
	// "bridge_slave").
	PortKind() string
	// encode appends the data's attributes inside IFLA_INFO_SLAVE_DATA.
	encode(r *request) error
	// decode reads IFLA_INFO_SLAVE_DATA's payload b into the zero value.
	decode(b []byte) error
}

// linkKind is a registered kind: its name, and a constructor of its zero
// data.
type linkKind[T any] struct {
	name string
	new  func() T
}

// linkKinds and portKinds are the registered kinds, by name; filled by
// the init functions of the link_KIND.go files, read only after.
var (
	linkKinds = map[string]linkKind[LinkData]{}
	portKinds = map[string]linkKind[PortData]{}
)

// registerLinkKind makes decoding a link of the given kind fill the
// LinkData newData returns. Called from init; a kind registered twice is
// a bug, and panics.
func registerLinkKind(kind string, newData func() LinkData) {
	if _, dup := linkKinds[kind]; dup {
		panic("rtnetlink: link kind " + kind + " registered twice")
	}
	linkKinds[kind] = linkKind[LinkData]{kind, newData}
}

// registerPortKind makes decoding the port data of a link whose master is
// of the given kind fill the PortData newData returns. Called from init.
func registerPortKind(kind string, newData func() PortData) {
	if _, dup := portKinds[kind]; dup {
		panic("rtnetlink: port kind " + kind + " registered twice")
	}
	portKinds[kind] = linkKind[PortData]{kind, newData}
}

// decodeLinkData reads b, the IFLA_INFO_DATA of a link of the given kind,
// with the kind's decoder, or as *RawLinkData if none is registered.
func decodeLinkData(kind string, b []byte) (LinkData, error) {
	k, ok := linkKinds[kind]
	if !ok {
		return &RawLinkData{KindName: kind, Data: clone(b)}, nil
	}
	v := k.new()
	if err := v.decode(b); err != nil {
		return nil, err
	}
	return v, nil
}

// decodePortData reads b, the IFLA_INFO_SLAVE_DATA of a port of a master
// of the given kind, or as *RawPortData if none is registered.
func decodePortData(kind string, b []byte) (PortData, error) {
	k, ok := portKinds[kind]
	if !ok {
		return &RawPortData{KindName: kind, Data: clone(b)}, nil
	}
	v := k.new()
	if err := v.decode(b); err != nil {
		return nil, err
	}
	return v, nil
}

// RawLinkData is the IFLA_INFO_DATA of a link of a kind this package does
// not decode, as the kernel sent it. It encodes unchanged, so a listed
// link of any kind can be created again as it was.
type RawLinkData struct {
	KindName string // IFLA_INFO_KIND
	Data     []byte // IFLA_INFO_DATA's payload: the kind's attributes, with their headers
}

// Kind returns d.KindName.
func (d *RawLinkData) Kind() string { return d.KindName }

func (d *RawLinkData) encode(r *request) error {
	r.Raw(d.Data)
	return nil
}

func (d *RawLinkData) decode(b []byte) error {
	d.Data = clone(b)
	return nil
}

// RawPortData is the IFLA_INFO_SLAVE_DATA of a port whose master's kind
// this package does not decode, as the kernel sent it. It encodes
// unchanged.
type RawPortData struct {
	KindName string // IFLA_INFO_SLAVE_KIND: the master's kind
	Data     []byte // IFLA_INFO_SLAVE_DATA's payload, with the attributes' headers
}

// PortKind returns d.KindName.
func (d *RawPortData) PortKind() string { return d.KindName }

func (d *RawPortData) encode(r *request) error {
	r.Raw(d.Data)
	return nil
}

func (d *RawPortData) decode(b []byte) error {
	d.Data = clone(b)
	return nil
}

// clone copies b out of a message; an empty b is nil.
func clone(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return append([]byte{}, b...)
}

// Helpers the kinds share.

// putKindOther appends the attributes of other, a kind's (or a port's)
// Other, to a request, each with the flags it came with; it is the one way
// link kinds send Other back. put, if not nil, may append an attribute its
// own way, or leave it out, and then reports true: for those only the
// kernel sets, and those it reports in another form than it takes. A
// malformed Other is refused before sending.
func putKindOther(r *request, other RawAttrs, put func(r *request, a netlink.Attr) bool) error {
	for a, err := range other.All() {
		if err != nil {
			return invalid(r.typ, "Other: %v", err)
		}
		if put == nil || !put(r, a) {
			r.Attr(a)
		}
	}
	return nil
}

// family picks the IPv4 or the IPv6 attribute for a.
func family(a netip.Addr, v4, v6 uint16) uint16 {
	if a.Is4() {
		return v4
	}
	return v6
}

// boolByte is a u8 flag attribute's payload.
func boolByte(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}

// centiseconds converts the kernel's clock_t of 10ms (USER_HZ 100).
func centiseconds(v uint32) time.Duration {
	return time.Duration(v) * 10 * time.Millisecond
}
