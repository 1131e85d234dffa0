package rtnetlink

import (
	"context"
	"encoding/binary"
	"fmt"
	"iter"
	"net/netip"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/uapi"
)

// VXLAN VNI filtering (include/uapi/linux/if_link.h, include/uapi/linux/
// rtnetlink.h), which x/sys lacks.
const (
	vxlanVNIFilterEntry = 1 // VXLAN_VNIFILTER_ENTRY

	vxlanVNIFilterEntryStart  = 1 // VXLAN_VNIFILTER_ENTRY_START: u32
	vxlanVNIFilterEntryEnd    = 2 // VXLAN_VNIFILTER_ENTRY_END: u32
	vxlanVNIFilterEntryGroup  = 3 // VXLAN_VNIFILTER_ENTRY_GROUP: be32
	vxlanVNIFilterEntryGroup6 = 4 // VXLAN_VNIFILTER_ENTRY_GROUP6: struct in6_addr

	// struct tunnel_msg: family, flags, reserved, ifindex.
	tunnelMsgLen = 8
)

// VNI is a VXLAN network identifier, or a range of them, that a VXLAN
// device in external mode with VNI filtering on (ip link add ... type
// vxlan external vnifilter) takes (bridge vni show).
type VNI struct {
	// Index is the VXLAN device's interface index.
	Index int
	// VNI is the first VNI, 1 to 2^24-1; VNIEnd the last of a range, 0
	// (or VNI) for one.
	VNI, VNIEnd uint32
	// Group is the multicast group, or the remote, of the VNI's flood
	// traffic (VXLAN_VNIFILTER_ENTRY_GROUP, _GROUP6); the zero Addr for
	// the device's own.
	Group netip.Addr
	// Other holds the entry's attributes the fields above do not model
	// (its statistics, ...), as the kernel sent them.
	Other RawAttrs
}

func (v *VNI) last() uint32 { return max(v.VNI, v.VNIEnd) }

// object names v, as in "VNI 100-200 on link 3".
func (v *VNI) object() string {
	if v.last() != v.VNI {
		return fmt.Sprintf("VNI %d-%d on link %d", v.VNI, v.last(), v.Index)
	}
	return fmt.Sprintf("VNI %d on link %d", v.VNI, v.Index)
}

// VNIs lists the VNIs of the VXLAN device index, or of every device with
// VNI filtering when index is 0 (bridge vni show). It needs Linux 6.0.
// An error ends the iteration.
//
// VNIs sends an RTM_GETTUNNEL dump request: a struct tunnel_msg of family
// AF_BRIDGE with the index. Each RTM_NEWTUNNEL reply holds a device's
// VXLAN_VNIFILTER_ENTRY attributes.
func (c *Conn) VNIs(ctx context.Context, index int) iter.Seq2[VNI, error] {
	return func(yield func(VNI, error) bool) {
		if index < 0 || index > 1<<31-1 {
			yield(VNI{}, dumpError(invalid(uapi.RTM_GETTUNNEL, "link index %d is out of range", index), index))
			return
		}
		req := make([]byte, tunnelMsgLen)
		req[0] = uapi.AF_BRIDGE
		binary.NativeEndian.PutUint32(req[4:], uint32(index))
		for m, err := range c.dump(ctx, uapi.RTM_GETTUNNEL, req) {
			if err != nil {
				yield(VNI{}, dumpError(err, index))
				return
			}
			vs, err := ParseVNIs(m)
			if err != nil {
				yield(VNI{}, err)
				return
			}
			for _, v := range vs {
				if !yield(v, nil) {
					return
				}
			}
		}
	}
}

// ParseVNIs reads an RTM_NEWTUNNEL or RTM_DELTUNNEL message: a reply of
// VNIs, or a notification received on the RTNLGRP_TUNNEL group
// (uapi.RTNLGRP_TUNNEL). The VNIs own their memory.
func ParseVNIs(m netlink.Message) ([]VNI, error) {
	if m.Header.Type != uapi.RTM_NEWTUNNEL && m.Header.Type != uapi.RTM_DELTUNNEL || len(m.Data) < tunnelMsgLen {
		return nil, fmt.Errorf("rtnetlink: %s of %d bytes is not a VNI filter message: %w",
			netlink.RequestName(uapi.NETLINK_ROUTE, m.Header.Type), len(m.Data), netlink.ErrMalformed)
	}
	index := int(int32(binary.NativeEndian.Uint32(m.Data[4:])))
	var vs []VNI
	d := m.AttrDecoder(tunnelMsgLen)
	for d.Next() {
		if d.Type() != vxlanVNIFilterEntry {
			continue
		}
		v := VNI{Index: index}
		var other []byte
		e := d.Enter()
		for d.Next() {
			switch d.Type() {
			case vxlanVNIFilterEntryStart:
				v.VNI = d.Uint32()
			case vxlanVNIFilterEntryEnd:
				v.VNIEnd = d.Uint32()
			case vxlanVNIFilterEntryGroup, vxlanVNIFilterEntryGroup6:
				if a := d.Addr(); a.IsValid() && !v.Group.IsValid() {
					v.Group = a
				} else {
					other = d.Attr().Append(other)
				}
			default:
				other = d.Attr().Append(other)
			}
		}
		d.Exit(e)
		v.Other = RawAttrs(other)
		vs = append(vs, v)
	}
	if err := d.Err(); err != nil {
		return nil, fmt.Errorf("rtnetlink: VNI filter: %w", err)
	}
	return vs, nil
}

// AddVNI adds v, a VNI or a range, to a VXLAN device with VNI filtering
// (bridge vni add dev NAME vni VNI[-END] [group ADDR | remote ADDR]), or
// changes its group. It needs Linux 6.0.
//
// AddVNI sends RTM_NEWTUNNEL: a struct tunnel_msg of family AF_BRIDGE with
// the index, then VXLAN_VNIFILTER_ENTRY holding VXLAN_VNIFILTER_ENTRY_START,
// and VXLAN_VNIFILTER_ENTRY_END and _GROUP or _GROUP6 when set, then Other.
func (c *Conn) AddVNI(ctx context.Context, v VNI) error {
	return c.change(ctx, uapi.RTM_NEWTUNNEL, 0, &v)
}

// DeleteVNI deletes v, a VNI or a range, from a VXLAN device (bridge vni
// del).
//
// DeleteVNI sends RTM_DELTUNNEL, encoded as for AddVNI.
func (c *Conn) DeleteVNI(ctx context.Context, v VNI) error {
	return c.change(ctx, uapi.RTM_DELTUNNEL, 0, &v)
}

// encode checks v and returns it as a tunnel_msg and its entry.
func (v *VNI) encode(typ netlink.HeaderType) ([]byte, error) {
	switch {
	case v.Index <= 0 || v.Index > 1<<31-1:
		return nil, invalid(typ, "link index %d is out of range", v.Index)
	case v.VNI < 1 || v.last() > 1<<24-1:
		return nil, invalid(typ, "VNI %d-%d is not within 1-16777215", v.VNI, v.last())
	case v.VNIEnd != 0 && v.VNIEnd < v.VNI:
		return nil, invalid(typ, "VNI range %d-%d ends before it starts", v.VNI, v.VNIEnd)
	}
	b := make([]byte, tunnelMsgLen, 64)
	b[0] = uapi.AF_BRIDGE
	binary.NativeEndian.PutUint32(b[4:], uint32(v.Index))
	e := netlink.NewAttrEncoder(b)
	entry := e.Nest(vxlanVNIFilterEntry)
	e.Uint32(vxlanVNIFilterEntryStart, v.VNI)
	if v.last() != v.VNI {
		e.Uint32(vxlanVNIFilterEntryEnd, v.VNIEnd)
	}
	if v.Group.IsValid() {
		typ := uint16(vxlanVNIFilterEntryGroup)
		if v.Group.Is6() && !v.Group.Is4In6() {
			typ = vxlanVNIFilterEntryGroup6
		}
		e.Addr(typ, v.Group.Unmap())
	}
	e.RawAttrs(v.Other)
	e.End(entry)
	return e.Finish()
}
