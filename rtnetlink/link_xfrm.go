package rtnetlink

import (
	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/uapi"
)

func init() { registerLinkKind("xfrm", func() LinkData { return new(Xfrm) }) }

// Xfrm is an XFRM interface: the packets routed into it are encrypted by
// the IPsec states and policies whose if_id is its IfID (ip link add NAME
// type xfrm if_id N).
type Xfrm struct {
	IfID     uint32 // IFLA_XFRM_IF_ID: required, not 0, unless External
	DevIndex int    // IFLA_XFRM_LINK: the link the encrypted packets go out of, 0 if any
	// External makes the interface take the if_id from each packet's
	// metadata (IFLA_XFRM_COLLECT_METADATA); IfID and DevIndex must then
	// be 0.
	External bool
	// Other holds the IFLA_XFRM_* attributes the fields above do not
	// model, as the kernel sent them; they are sent back unchanged.
	Other RawAttrs
}

// Kind returns "xfrm".
func (*Xfrm) Kind() string { return "xfrm" }

func (x *Xfrm) encode(r *request) error {
	if err := checkDevIndex(r, "xfrm", x.DevIndex); err != nil {
		return err
	}
	switch {
	case x.External && (x.IfID != 0 || x.DevIndex != 0):
		return invalid(r.typ, "an external xfrm interface has no if_id (%d) or link (%d)", x.IfID, x.DevIndex)
	case !x.External && x.IfID == 0:
		return invalid(r.typ, "xfrm interface has no if_id")
	}
	if x.IfID != 0 {
		r.Uint32(uapi.IFLA_XFRM_IF_ID, x.IfID)
	}
	if x.External {
		r.Flag(uapi.IFLA_XFRM_COLLECT_METADATA)
	}
	if x.DevIndex != 0 {
		r.Uint32(uapi.IFLA_XFRM_LINK, uint32(x.DevIndex))
	}
	return putKindOther(r, x.Other, nil)
}

func (x *Xfrm) decode(b []byte) error {
	var other []byte
	d := netlink.NewAttrDecoder(b)
	for d.Next() {
		switch d.Type() {
		case uapi.IFLA_XFRM_IF_ID:
			x.IfID = d.Uint32()
		case uapi.IFLA_XFRM_LINK:
			x.DevIndex = int(int32(d.Uint32()))
		case uapi.IFLA_XFRM_COLLECT_METADATA:
			x.External = d.Flag()
		default:
			other = d.Attr().Append(other)
		}
	}
	x.Other = RawAttrs(other)
	return d.Err()
}
