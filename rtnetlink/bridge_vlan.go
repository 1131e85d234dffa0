package rtnetlink

import (
	"context"
	"encoding/binary"
	"fmt"
	"iter"
	"strings"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/uapi"
)

// The bridge VLAN database (include/uapi/linux/if_bridge.h), which x/sys
// lacks.
const (
	bridgeVLANDBEntry = 1 // BRIDGE_VLANDB_ENTRY

	bridgeVLANDBEntryInfo       = 1 // BRIDGE_VLANDB_ENTRY_INFO: struct bridge_vlan_info
	bridgeVLANDBEntryRange      = 2 // BRIDGE_VLANDB_ENTRY_RANGE: u16, the last VID
	bridgeVLANDBEntryState      = 3 // BRIDGE_VLANDB_ENTRY_STATE: u8, BR_STATE_*
	bridgeVLANDBEntryTunnelInfo = 4 // BRIDGE_VLANDB_ENTRY_TUNNEL_INFO: nested BRIDGE_VLANDB_TINFO_*

	bridgeVLANDBTInfoID  = 1 // BRIDGE_VLANDB_TINFO_ID: u32, the tunnel ID (VNI)
	bridgeVLANDBTInfoCmd = 2 // BRIDGE_VLANDB_TINFO_CMD: u32, RTM_SETLINK or RTM_DELLINK

	// struct br_vlan_msg: family, two reserved fields, ifindex.
	brVLANMsgLen = 8

	// IFLA_AF_SPEC of family AF_BRIDGE.
	iflaBridgeFlags          = 0 // IFLA_BRIDGE_FLAGS: u16, BRIDGE_FLAGS_*
	iflaBridgeVLANInfo       = 2 // IFLA_BRIDGE_VLAN_INFO: struct bridge_vlan_info
	iflaBridgeVLANTunnelInfo = 3 // IFLA_BRIDGE_VLAN_TUNNEL_INFO: nested IFLA_BRIDGE_VLAN_TUNNEL_*

	iflaBridgeVLANTunnelID    = 1 // IFLA_BRIDGE_VLAN_TUNNEL_ID: u32
	iflaBridgeVLANTunnelVID   = 2 // IFLA_BRIDGE_VLAN_TUNNEL_VID: u16
	iflaBridgeVLANTunnelFlags = 3 // IFLA_BRIDGE_VLAN_TUNNEL_FLAGS: u16, BRIDGE_VLAN_INFO_RANGE_*

	bridgeFlagsMaster = 1 // BRIDGE_FLAGS_MASTER
	bridgeFlagsSelf   = 2 // BRIDGE_FLAGS_SELF

	// include/uapi/linux/rtnetlink.h
	rtextFilterBRVLANCompressed = 1 << 2 // RTEXT_FILTER_BRVLAN_COMPRESSED
)

// BridgeVLANFlags are the flags of a bridge VLAN (struct bridge_vlan_info's
// flags, BRIDGE_VLAN_INFO_*).
type BridgeVLANFlags uint16

// The flags of a bridge VLAN.
const (
	BridgeVLANMaster     BridgeVLANFlags = 1 << 0 // BRIDGE_VLAN_INFO_MASTER: the bridge's own VLAN too (requests of the setlink form)
	BridgeVLANPVID       BridgeVLANFlags = 1 << 1 // BRIDGE_VLAN_INFO_PVID: untagged frames that come in get this VLAN ("PVID")
	BridgeVLANUntagged   BridgeVLANFlags = 1 << 2 // BRIDGE_VLAN_INFO_UNTAGGED: frames go out untagged ("Egress Untagged")
	bridgeVLANRangeBegin BridgeVLANFlags = 1 << 3 // BRIDGE_VLAN_INFO_RANGE_BEGIN
	bridgeVLANRangeEnd   BridgeVLANFlags = 1 << 4 // BRIDGE_VLAN_INFO_RANGE_END
	BridgeVLANBREntry    BridgeVLANFlags = 1 << 5 // BRIDGE_VLAN_INFO_BRENTRY: a VLAN of the bridge device itself, which it takes part in
)

var bridgeVLANFlagNames = []struct {
	f    BridgeVLANFlags
	name string
}{{BridgeVLANMaster, "master"}, {BridgeVLANPVID, "pvid"}, {BridgeVLANUntagged, "untagged"},
	{bridgeVLANRangeBegin, "range_begin"}, {bridgeVLANRangeEnd, "range_end"}, {BridgeVLANBREntry, "brentry"}}

// String lists the flags as bridge vlan add names them, "pvid|untagged",
// with the rest in hexadecimal.
func (f BridgeVLANFlags) String() string {
	var s []string
	for _, n := range bridgeVLANFlagNames {
		if f&n.f != 0 {
			s = append(s, n.name)
			f &^= n.f
		}
	}
	if f != 0 || len(s) == 0 {
		s = append(s, fmt.Sprintf("%#x", uint16(f)))
	}
	return strings.Join(s, "|")
}

// BridgeVLAN is a VLAN, or a range of VLANs with the same settings, of a
// bridge port or of the bridge device itself (bridge vlan show).
type BridgeVLAN struct {
	// Index is the interface index of the port, or of the bridge.
	Index int
	// VID is the VLAN ID, 1 to 4094; VIDEnd the last of a range, 0 (or
	// VID) for one VLAN. The kernel lists ranges of VLANs that have the
	// same flags and options (a PVID alone).
	VID, VIDEnd uint16
	// Flags are BridgeVLANPVID and BridgeVLANUntagged; the kernel adds
	// BridgeVLANBREntry to a bridge's own VLANs when listing them with
	// PortVLANs.
	Flags BridgeVLANFlags
	// State is the VLAN's spanning tree state (BRIDGE_VLANDB_ENTRY_STATE)
	// when HasState: BridgeVLANs lists it, AddBridgeVLAN sets it.
	State    BridgePortState
	HasState bool
	// TunnelID is the tunnel ID (a VXLAN VNI) of the VLAN on a port in
	// VLAN tunnel mode (bridge vlan tunnelshow), 0 for none; TunnelID+i
	// for VID+i in a range. BridgeVLANs lists it and AddBridgeVLAN sets it
	// (BRIDGE_VLANDB_ENTRY_TUNNEL_INFO); PortVLANs lists it and
	// AddPortVLAN sets it (IFLA_BRIDGE_VLAN_TUNNEL_INFO).
	TunnelID uint32
	// Self names, in requests of the setlink form (AddPortVLAN,
	// DeletePortVLAN), the device's own VLANs (BRIDGE_FLAGS_SELF), as for
	// the bridge device itself, rather than those its bridge keeps for it
	// (BRIDGE_FLAGS_MASTER). PortVLANs sets it on a bridge's own VLANs.
	Self bool
	// Other holds the attributes of the VLAN's entry that the fields
	// above do not model (BRIDGE_VLANDB_ENTRY_MCAST_ROUTER, its
	// statistics, ...), as BridgeVLANs received them.
	Other RawAttrs
}

// last returns the VLAN's last ID.
func (v *BridgeVLAN) last() uint16 { return max(v.VID, v.VIDEnd) }

// object names v, as in "VLAN 10-20 on link 3".
func (v *BridgeVLAN) object() string {
	if v.last() != v.VID {
		return fmt.Sprintf("VLAN %d-%d on link %d", v.VID, v.last(), v.Index)
	}
	return fmt.Sprintf("VLAN %d on link %d", v.VID, v.Index)
}

// check checks v for a request of type typ.
func (v *BridgeVLAN) check(typ netlink.HeaderType) error {
	switch {
	case v.Index <= 0 || v.Index > 1<<31-1:
		return invalid(typ, "link index %d is out of range", v.Index)
	case v.VID < 1 || v.VID > 4094 || v.last() > 4094:
		return invalid(typ, "VLAN ID %d-%d is not within 1-4094", v.VID, v.last())
	case v.VIDEnd != 0 && v.VIDEnd < v.VID:
		return invalid(typ, "VLAN range %d-%d ends before it starts", v.VID, v.VIDEnd)
	case v.Flags&BridgeVLANPVID != 0 && v.last() != v.VID:
		return invalid(typ, "a range (%d-%d) cannot be the PVID", v.VID, v.VIDEnd)
	case v.Flags&(bridgeVLANRangeBegin|bridgeVLANRangeEnd) != 0:
		return invalid(typ, "flags %v: ranges are VID and VIDEnd", v.Flags)
	case v.HasState && v.State > BridgePortBlocking:
		return invalid(typ, "VLAN state %d is above %d (blocking)", v.State, BridgePortBlocking)
	case v.TunnelID != 0 && uint64(v.TunnelID)+uint64(v.last()-v.VID) > 1<<32-1:
		return invalid(typ, "tunnel IDs from %d for %d VLANs overflow", v.TunnelID, v.last()-v.VID+1)
	}
	return nil
}

// appendVLANInfo appends a struct bridge_vlan_info as attribute typ.
func appendVLANInfo(e *netlink.AttrEncoder, typ uint16, flags BridgeVLANFlags, vid uint16) {
	var b [4]byte
	binary.NativeEndian.PutUint16(b[:], uint16(flags))
	binary.NativeEndian.PutUint16(b[2:], vid)
	e.Bytes(typ, b[:])
}

// BridgeVLANs lists the VLANs of the bridge port or bridge index, or of
// every bridge and port when index is 0 (bridge -d vlan show). Each
// BridgeVLAN is one entry of the kernel's, a VLAN or a range. It needs
// Linux 5.10 (RTM_GETVLAN); PortVLANs works on older kernels. An error
// ends the iteration.
//
// BridgeVLANs sends an RTM_GETVLAN dump request: a struct br_vlan_msg of
// family AF_BRIDGE with the index. Each RTM_NEWVLAN reply holds a device's
// BRIDGE_VLANDB_ENTRY attributes.
func (c *Conn) BridgeVLANs(ctx context.Context, index int) iter.Seq2[BridgeVLAN, error] {
	return func(yield func(BridgeVLAN, error) bool) {
		if index < 0 || index > 1<<31-1 {
			yield(BridgeVLAN{}, dumpError(invalid(uapi.RTM_GETVLAN, "link index %d is out of range", index), index))
			return
		}
		req := make([]byte, brVLANMsgLen)
		req[0] = uapi.AF_BRIDGE
		binary.NativeEndian.PutUint32(req[4:], uint32(index))
		for m, err := range c.dump(ctx, uapi.RTM_GETVLAN, req) {
			if err != nil {
				yield(BridgeVLAN{}, dumpError(err, index))
				return
			}
			for v, err := range bridgeVLANEntries(m) {
				if !yield(v, err) || err != nil {
					return
				}
			}
		}
	}
}

// ParseBridgeVLANs reads an RTM_NEWVLAN or RTM_DELVLAN message: a reply of
// BridgeVLANs, or a notification received on the RTNLGRP_BRVLAN group
// (uapi.RTNLGRP_BRVLAN). The VLANs own their memory.
func ParseBridgeVLANs(m netlink.Message) ([]BridgeVLAN, error) {
	var vs []BridgeVLAN
	for v, err := range bridgeVLANEntries(m) {
		if err != nil {
			return nil, err
		}
		vs = append(vs, v)
	}
	return vs, nil
}

// bridgeVLANEntries yields the entries of an RTM_NEWVLAN or RTM_DELVLAN
// message.
func bridgeVLANEntries(m netlink.Message) iter.Seq2[BridgeVLAN, error] {
	return func(yield func(BridgeVLAN, error) bool) {
		if m.Header.Type != uapi.RTM_NEWVLAN && m.Header.Type != uapi.RTM_DELVLAN || len(m.Data) < brVLANMsgLen {
			yield(BridgeVLAN{}, fmt.Errorf("rtnetlink: %s of %d bytes is not a bridge VLAN message: %w",
				netlink.RequestName(uapi.NETLINK_ROUTE, m.Header.Type), len(m.Data), netlink.ErrMalformed))
			return
		}
		index := int(int32(binary.NativeEndian.Uint32(m.Data[4:])))
		d := m.AttrDecoder(brVLANMsgLen)
		for d.Next() {
			if d.Type() != bridgeVLANDBEntry {
				continue // BRIDGE_VLANDB_GLOBAL_OPTIONS, ...
			}
			v := BridgeVLAN{Index: index}
			if err := v.decodeEntry(d.Bytes()); err != nil {
				yield(BridgeVLAN{}, err)
				return
			}
			if !yield(v, nil) {
				return
			}
		}
		if err := d.Err(); err != nil {
			yield(BridgeVLAN{}, fmt.Errorf("rtnetlink: bridge VLAN: %w", err))
		}
	}
}

// decodeEntry reads the attributes of a BRIDGE_VLANDB_ENTRY into v.
func (v *BridgeVLAN) decodeEntry(b []byte) error {
	var other []byte
	info := false
	d := netlink.NewAttrDecoder(b)
	for d.Next() {
		switch d.Type() {
		case bridgeVLANDBEntryInfo:
			b := d.Bytes()
			if len(b) != 4 || info {
				other = d.Attr().Append(other)
				continue
			}
			info = true
			v.Flags = BridgeVLANFlags(binary.NativeEndian.Uint16(b))
			v.VID = binary.NativeEndian.Uint16(b[2:])
		case bridgeVLANDBEntryRange:
			v.VIDEnd = d.Uint16()
		case bridgeVLANDBEntryState:
			v.State, v.HasState = BridgePortState(d.Uint8()), true
		case bridgeVLANDBEntryTunnelInfo:
			t := d.Enter()
			for d.Next() {
				if d.Type() == bridgeVLANDBTInfoID {
					v.TunnelID = d.Uint32()
				}
			}
			d.Exit(t)
		default:
			other = d.Attr().Append(other)
		}
	}
	if err := d.Err(); err != nil {
		return fmt.Errorf("rtnetlink: bridge VLAN entry: %w", err)
	}
	if !info {
		return fmt.Errorf("rtnetlink: bridge VLAN entry without BRIDGE_VLANDB_ENTRY_INFO: %w", netlink.ErrMalformed)
	}
	v.Other = RawAttrs(other)
	return nil
}

// AddBridgeVLAN adds v, a VLAN or a range, to a bridge port or to the
// bridge itself (bridge vlan add dev NAME vid VID[-END] [pvid] [untagged]),
// or changes its flags, its state or its tunnel ID when it is there. It
// needs Linux 5.10 (RTM_NEWVLAN); AddPortVLAN works on older kernels.
//
// AddBridgeVLAN sends RTM_NEWVLAN: a struct br_vlan_msg of family
// AF_BRIDGE with the index, then BRIDGE_VLANDB_ENTRY holding
// BRIDGE_VLANDB_ENTRY_INFO, and BRIDGE_VLANDB_ENTRY_RANGE,
// BRIDGE_VLANDB_ENTRY_STATE and BRIDGE_VLANDB_ENTRY_TUNNEL_INFO when set,
// then Other.
func (c *Conn) AddBridgeVLAN(ctx context.Context, v BridgeVLAN) error {
	return c.change(ctx, uapi.RTM_NEWVLAN, 0, &v)
}

// DeleteBridgeVLAN deletes v, a VLAN or a range, from a bridge port or
// the bridge itself (bridge vlan del).
//
// DeleteBridgeVLAN sends RTM_DELVLAN, encoded as for AddBridgeVLAN but for
// the state, the tunnel ID and Other.
func (c *Conn) DeleteBridgeVLAN(ctx context.Context, v BridgeVLAN) error {
	return c.change(ctx, uapi.RTM_DELVLAN, 0, &v)
}

// encode checks v and returns it as a br_vlan_msg and its entry.
func (v *BridgeVLAN) encode(typ netlink.HeaderType) ([]byte, error) {
	if err := v.check(typ); err != nil {
		return nil, err
	}
	b := make([]byte, brVLANMsgLen, 64)
	b[0] = uapi.AF_BRIDGE
	binary.NativeEndian.PutUint32(b[4:], uint32(v.Index))
	e := netlink.NewAttrEncoder(b)
	entry := e.Nest(bridgeVLANDBEntry)
	appendVLANInfo(e, bridgeVLANDBEntryInfo, v.Flags, v.VID)
	if v.last() != v.VID {
		e.Uint16(bridgeVLANDBEntryRange, v.VIDEnd)
	}
	if typ == uapi.RTM_NEWVLAN {
		if v.HasState {
			e.Uint8(bridgeVLANDBEntryState, uint8(v.State))
		}
		if v.TunnelID != 0 {
			t := e.Nest(bridgeVLANDBEntryTunnelInfo)
			e.Uint32(bridgeVLANDBTInfoID, v.TunnelID)
			e.Uint32(bridgeVLANDBTInfoCmd, uapi.RTM_SETLINK)
			e.End(t)
		}
		e.RawAttrs(v.Other)
	}
	e.End(entry)
	return e.Finish()
}

// PortVLANs lists the VLANs of the bridge port or bridge index, or of
// every bridge and port when index is 0, as bridge vlan show and bridge
// vlan tunnelshow do: with the tunnel IDs of a port in VLAN tunnel mode.
// A range of VLANs mapped to consecutive tunnel IDs is one BridgeVLAN.
// The kernel lists every device, and the iterator keeps index's. An error
// ends the iteration.
//
// PortVLANs sends an RTM_GETLINK dump request: an ifinfomsg of family
// AF_BRIDGE, then IFLA_EXT_MASK (RTEXT_FILTER_BRVLAN_COMPRESSED). Each
// RTM_NEWLINK reply's IFLA_AF_SPEC holds IFLA_BRIDGE_VLAN_INFO and
// IFLA_BRIDGE_VLAN_TUNNEL_INFO attributes.
func (c *Conn) PortVLANs(ctx context.Context, index int) iter.Seq2[BridgeVLAN, error] {
	return func(yield func(BridgeVLAN, error) bool) {
		if index < 0 || index > 1<<31-1 {
			yield(BridgeVLAN{}, dumpError(invalid(uapi.RTM_GETLINK, "link index %d is out of range", index), index))
			return
		}
		req := make([]byte, uapi.SizeofIfInfomsg, uapi.SizeofIfInfomsg+8)
		req[0] = uapi.AF_BRIDGE
		e := netlink.NewAttrEncoder(req)
		e.Uint32(uapi.IFLA_EXT_MASK, rtextFilterBRVLANCompressed)
		req, _ = e.Finish()
		for m, err := range c.dump(ctx, uapi.RTM_GETLINK, req) {
			if err != nil {
				yield(BridgeVLAN{}, dumpError(err, index))
				return
			}
			vs, err := parsePortVLANs(m)
			if err != nil {
				yield(BridgeVLAN{}, err)
				return
			}
			for _, v := range vs {
				if index != 0 && v.Index != index {
					break
				}
				if !yield(v, nil) {
					return
				}
			}
		}
	}
}

// ParsePortVLANs reads the VLANs of an RTM_NEWLINK message of family
// AF_BRIDGE: a reply of PortVLANs, or a notification received on the
// RTNLGRP_LINK group. A message of another family, or of a device with no
// VLANs, has none.
func ParsePortVLANs(m netlink.Message) ([]BridgeVLAN, error) { return parsePortVLANs(m) }

func parsePortVLANs(m netlink.Message) ([]BridgeVLAN, error) {
	if m.Header.Type != uapi.RTM_NEWLINK && m.Header.Type != uapi.RTM_DELLINK || len(m.Data) < uapi.SizeofIfInfomsg {
		return nil, fmt.Errorf("rtnetlink: %s of %d bytes is not a link message: %w",
			netlink.RequestName(uapi.NETLINK_ROUTE, m.Header.Type), len(m.Data), netlink.ErrMalformed)
	}
	if m.Data[0] != uapi.AF_BRIDGE {
		return nil, nil
	}
	index := int(int32(binary.NativeEndian.Uint32(m.Data[4:])))
	master := 0
	var vs []BridgeVLAN
	type tunnel struct {
		id    uint32
		vid   uint16
		flags BridgeVLANFlags
	}
	var tunnels []tunnel
	var begin *BridgeVLAN
	d := m.AttrDecoder(uapi.SizeofIfInfomsg)
	for d.Next() {
		switch d.Type() {
		case uapi.IFLA_MASTER:
			master = int(d.Uint32())
		case uapi.IFLA_AF_SPEC:
			spec := d.Enter()
			for d.Next() {
				switch d.Type() {
				case iflaBridgeVLANInfo:
					b := d.Bytes()
					if len(b) != 4 {
						continue
					}
					flags := BridgeVLANFlags(binary.NativeEndian.Uint16(b))
					vid := binary.NativeEndian.Uint16(b[2:])
					if flags&bridgeVLANRangeEnd != 0 && begin != nil {
						begin.VIDEnd = vid
						begin = nil
						continue
					}
					vs = append(vs, BridgeVLAN{Index: index, VID: vid, Flags: flags &^ (bridgeVLANRangeBegin | bridgeVLANRangeEnd)})
					if flags&bridgeVLANRangeBegin != 0 {
						begin = &vs[len(vs)-1]
					}
				case iflaBridgeVLANTunnelInfo:
					var t tunnel
					nest := d.Enter()
					for d.Next() {
						switch d.Type() {
						case iflaBridgeVLANTunnelID:
							t.id = d.Uint32()
						case iflaBridgeVLANTunnelVID:
							t.vid = d.Uint16()
						case iflaBridgeVLANTunnelFlags:
							t.flags = BridgeVLANFlags(d.Uint16())
						}
					}
					d.Exit(nest)
					tunnels = append(tunnels, t)
				}
			}
			d.Exit(spec)
		}
	}
	if err := d.Err(); err != nil {
		return nil, fmt.Errorf("rtnetlink: bridge port VLANs: %w", err)
	}
	// The tunnel ranges are listed apart from the VLAN ranges: a VLAN
	// range whose VLANs map to consecutive IDs takes the first; one that
	// does not is split where the mapping changes.
	tunnelOf := func(vid uint16) uint32 {
		for i, t := range tunnels {
			switch {
			case t.vid == vid:
				return t.id
			case t.flags&bridgeVLANRangeBegin != 0 && i+1 < len(tunnels) && vid > t.vid && vid <= tunnels[i+1].vid:
				return t.id + uint32(vid-t.vid)
			}
		}
		return 0
	}
	var out []BridgeVLAN
	for _, v := range vs {
		v.Self = master == index
		part := v
		part.VIDEnd, part.TunnelID = 0, tunnelOf(v.VID)
		for vid := int(v.VID) + 1; vid <= int(v.last()); vid++ {
			id, prev := tunnelOf(uint16(vid)), tunnelOf(uint16(vid-1))
			if id == 0 && prev == 0 || id != 0 && prev != 0 && id == prev+1 {
				part.VIDEnd = uint16(vid)
				continue
			}
			out = append(out, part)
			part = v
			part.VID, part.VIDEnd, part.TunnelID = uint16(vid), 0, id
		}
		out = append(out, part)
	}
	return out, nil
}

// AddPortVLAN adds v, a VLAN or a range, as bridge vlan add does: to a
// bridge port, or with Self to the bridge itself; and with a TunnelID it
// maps the VLAN, which the port has already, to that tunnel ID (bridge
// vlan add dev NAME vid VID tunnel_info id ID) on a port in VLAN tunnel
// mode.
//
// AddPortVLAN sends RTM_SETLINK: an ifinfomsg of family AF_BRIDGE with the
// index, then IFLA_AF_SPEC holding IFLA_BRIDGE_FLAGS (BRIDGE_FLAGS_SELF)
// with Self, then IFLA_BRIDGE_VLAN_INFO (two, with
// BRIDGE_VLAN_INFO_RANGE_BEGIN and _END, for a range), or with a TunnelID
// IFLA_BRIDGE_VLAN_TUNNEL_INFO (two for a range) instead.
func (c *Conn) AddPortVLAN(ctx context.Context, v BridgeVLAN) error {
	return c.change(ctx, uapi.RTM_SETLINK, 0, portVLAN{&v})
}

// DeletePortVLAN deletes v, a VLAN or a range, as bridge vlan del does;
// with a TunnelID it deletes the VLAN's mapping to that tunnel ID alone.
//
// DeletePortVLAN sends RTM_DELLINK, encoded as for AddPortVLAN.
func (c *Conn) DeletePortVLAN(ctx context.Context, v BridgeVLAN) error {
	return c.change(ctx, uapi.RTM_DELLINK, 0, portVLAN{&v})
}

// portVLAN is a BridgeVLAN encoded in the setlink form.
type portVLAN struct{ *BridgeVLAN }

func (p portVLAN) encode(typ netlink.HeaderType) ([]byte, error) {
	v := p.BridgeVLAN
	if err := v.check(typ); err != nil {
		return nil, err
	}
	if v.HasState {
		return nil, invalid(typ, "the setlink form has no VLAN state: use AddBridgeVLAN")
	}
	b := make([]byte, uapi.SizeofIfInfomsg, 96)
	b[0] = uapi.AF_BRIDGE
	binary.NativeEndian.PutUint32(b[4:], uint32(v.Index))
	e := netlink.NewAttrEncoder(b)
	spec := e.Nest(uapi.IFLA_AF_SPEC)
	if v.Self {
		e.Uint16(iflaBridgeFlags, bridgeFlagsSelf)
	}
	if v.TunnelID != 0 {
		putTunnel := func(id uint32, vid uint16, flags BridgeVLANFlags) {
			t := e.Nest(iflaBridgeVLANTunnelInfo)
			e.Uint32(iflaBridgeVLANTunnelID, id)
			e.Uint16(iflaBridgeVLANTunnelVID, vid)
			if flags != 0 {
				e.Uint16(iflaBridgeVLANTunnelFlags, uint16(flags))
			}
			e.End(t)
		}
		if v.last() == v.VID {
			putTunnel(v.TunnelID, v.VID, 0)
		} else {
			putTunnel(v.TunnelID, v.VID, bridgeVLANRangeBegin)
			putTunnel(v.TunnelID+uint32(v.last()-v.VID), v.last(), bridgeVLANRangeEnd)
		}
	} else if v.last() == v.VID {
		appendVLANInfo(e, iflaBridgeVLANInfo, v.Flags, v.VID)
	} else {
		appendVLANInfo(e, iflaBridgeVLANInfo, v.Flags|bridgeVLANRangeBegin, v.VID)
		appendVLANInfo(e, iflaBridgeVLANInfo, v.Flags|bridgeVLANRangeEnd, v.last())
	}
	e.End(spec)
	return e.Finish()
}
