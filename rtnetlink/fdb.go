package rtnetlink

import (
	"context"
	"encoding/binary"
	"fmt"
	"iter"
	"net"
	"net/netip"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/uapi"
)

// FDBEntry is an entry of a forwarding database: a bridge's, or a
// device's own list of addresses (RTM_NEWNEIGH of family AF_BRIDGE), as
// bridge fdb shows them.
type FDBEntry struct {
	// HardwareAddr is the entry's MAC address (NDA_LLADDR).
	HardwareAddr net.HardwareAddr
	// Index is the interface index of the port, or of the device, the
	// entry belongs to (ndm_ifindex).
	Index int
	// MasterIndex is the index of the bridge of a master entry
	// (NDA_MASTER), 0 otherwise.
	MasterIndex int
	// VLAN is the entry's VLAN (NDA_VLAN), 0 for none.
	VLAN uint16
	// Dst is the remote address of a VXLAN entry (NDA_DST), or the zero
	// Addr.
	Dst netip.Addr
	// Port is the UDP port of a VXLAN remote (NDA_PORT, bridge's "port"),
	// 0 for the device's own (the kernel lists a remote's port only when
	// it differs from the device's).
	Port uint16
	// VNI is the VXLAN network identifier of a remote (NDA_VNI, bridge's
	// "vni"), 0 for the device's own. The kernel lists a remote's VNI only
	// when it differs from the device's; a listed VNI of 0 (a remote of
	// VNI 0 on a device of another) stays in Other, so that it is sent
	// back as listed while VNI is 0.
	VNI uint32
	// SrcVNI is the VNI a remote belongs to on a VXLAN device in external
	// (collect metadata) mode (NDA_SRC_VNI, bridge's "src_vni"), 0 for
	// none.
	SrcVNI uint32
	// ViaIndex is the interface index of the link a VXLAN remote is
	// reached through (NDA_IFINDEX, bridge's "via"), 0 for any.
	ViaIndex int
	// NextHopID names the FDB nexthop group (NextHopObject.FDB) that a
	// VXLAN entry's packets go to (NDA_NH_ID, bridge's "nhid") instead of
	// Dst, Port and VNI; 0 for none.
	NextHopID uint32
	// State is NeighPermanent for a local entry, one of the bridge's own
	// addresses ("permanent"), NeighNoARP for a static entry ("static"),
	// NeighReachable or NeighStale for a learned one ("dynamic"). A VXLAN
	// device lists the state it was given, such as
	// NeighNoARP|NeighReachable for a static entry.
	//
	// When adding, the state is sent as bridge fdb add sends it: 0 (no
	// state word, or "permanent") as NeighPermanent|NeighNoARP, NeighNoARP
	// ("static") as NeighNoARP|NeighReachable, NeighReachable ("dynamic")
	// as it is; a VXLAN device refuses an entry that is neither permanent
	// nor reachable. The device's own list (NeighSelf) of other devices
	// takes local entries only.
	State NeighborState
	// Flags say whose entry it is, NeighMaster (the bridge's) or NeighSelf
	// (the device's own), and how it came: NeighExtLearned
	// ("extern_learn"), NeighSticky ("sticky"), NeighRouter ("router"),
	// NeighOffloaded, NeighLocked (set by the kernel, never sent). The
	// kernel lists a bridge's entries with neither NeighMaster nor
	// NeighSelf, and MasterIndex set. In requests, neither means
	// NeighMaster when MasterIndex is set and is not Index (an entry of a
	// bridge port, as listed), NeighSelf otherwise, as bridge fdb add
	// does.
	Flags NeighborFlags
	// Other holds the entry's attributes that the fields above do not
	// model (NDA_FDB_EXT_ATTRS, ...), as the kernel sent them, but for
	// NDA_CACHEINFO (timestamps); requests send them back, so that
	// deleting an entry as FDB listed it deletes that entry, and not every
	// remote of its address.
	Other RawAttrs
}

// FDBFilter says which entries FDB lists. The zero FDBFilter lists every
// entry, as bridge fdb show does.
type FDBFilter struct {
	// Index is a device's or port's interface index, for its entries
	// only; 0 for all.
	Index int
	// MasterIndex is a bridge's index, for the entries of the bridge and
	// its ports only; 0 for all.
	MasterIndex int
}

// ParseFDBEntry reads an RTM_NEWNEIGH or RTM_DELNEIGH message of family
// AF_BRIDGE: a reply of FDB, or a notification received on the
// RTNLGRP_NEIGH group. The entry owns its memory: nothing aliases m.
func ParseFDBEntry(m netlink.Message) (FDBEntry, error) {
	var e FDBEntry
	ok, err := e.decode(&m)
	if err == nil && !ok {
		err = fmt.Errorf("rtnetlink: %s is not a bridge FDB message: %w",
			netlink.RequestName(uapi.NETLINK_ROUTE, m.Header.Type), netlink.ErrMalformed)
	}
	if err != nil {
		return FDBEntry{}, err
	}
	return e, nil
}

// FDB lists the forwarding database entries f selects. The kernel filters
// by device and bridge; the iterator filters by device too. An error ends
// the iteration.
//
// FDB sends an RTM_GETNEIGH dump request: an ndmsg of family AF_BRIDGE with
// the link index, then NDA_MASTER when set. Each RTM_NEWNEIGH reply is an
// FDBEntry.
func (c *Conn) FDB(ctx context.Context, f FDBFilter) iter.Seq2[FDBEntry, error] {
	return func(yield func(FDBEntry, error) bool) {
		if f.Index < 0 || f.Index > 1<<31-1 {
			yield(FDBEntry{}, dumpError(invalid(uapi.RTM_GETNEIGH, "link index %d is out of range", f.Index), f.Index))
			return
		}
		req, err := neighDumpRequest(uapi.AF_BRIDGE, 0, 0, f.MasterIndex)
		if err != nil {
			yield(FDBEntry{}, err)
			return
		}
		binary.NativeEndian.PutUint32(req[4:], uint32(f.Index)) // the kernel's device filter is ndm_ifindex
		for m, err := range c.dump(ctx, uapi.RTM_GETNEIGH, req) {
			if err != nil {
				yield(FDBEntry{}, dumpError(err, f.Index))
				return
			}
			var e FDBEntry
			ok, err := e.decode(&m)
			if err != nil {
				yield(FDBEntry{}, err)
				return
			}
			if !ok || f.Index != 0 && e.Index != f.Index {
				continue
			}
			if !yield(e, nil) {
				return
			}
		}
	}
}

// AddFDBEntry adds e (bridge fdb add). It fails (EEXIST) when the entry
// exists. e needs HardwareAddr and Index; the bridge of a port takes
// entries with NeighMaster, the device itself those with NeighSelf.
// Errors are as AddNeighbor's.
//
// AddFDBEntry sends RTM_NEWNEIGH with NLM_F_CREATE and NLM_F_EXCL: an ndmsg
// of family AF_BRIDGE (link index, state, flags), then NDA_LLADDR, and
// NDA_VLAN, NDA_DST, NDA_MASTER, NDA_NH_ID, NDA_PORT, NDA_VNI,
// NDA_SRC_VNI, NDA_IFINDEX and NDA_FLAGS_EXT when set, then Other.
func (c *Conn) AddFDBEntry(ctx context.Context, e FDBEntry) error {
	return c.change(ctx, uapi.RTM_NEWNEIGH, netlink.Create|netlink.Excl, &e)
}

// AppendFDBEntry adds e as one more remote of its address on a VXLAN
// device (bridge fdb append), where AddFDBEntry fails (EEXIST) once the
// address has a remote: the entries for the all-zeros address make the
// device's flood list. Appending a remote that is there already changes
// nothing and is no error.
//
// AppendFDBEntry sends RTM_NEWNEIGH with NLM_F_CREATE and NLM_F_APPEND,
// encoded as for AddFDBEntry.
func (c *Conn) AppendFDBEntry(ctx context.Context, e FDBEntry) error {
	return c.change(ctx, uapi.RTM_NEWNEIGH, netlink.Create|netlink.Append, &e)
}

// ReplaceFDBEntry adds e, or changes the entry (bridge fdb replace), which
// moves it to another port.
//
// ReplaceFDBEntry sends RTM_NEWNEIGH with NLM_F_CREATE and NLM_F_REPLACE,
// encoded as for AddFDBEntry.
func (c *Conn) ReplaceFDBEntry(ctx context.Context, e FDBEntry) error {
	return c.change(ctx, uapi.RTM_NEWNEIGH, netlink.Create|netlink.Replace, &e)
}

// DeleteFDBEntry deletes the entry for e.HardwareAddr and e.VLAN of the
// device e.Index (bridge fdb del), from its bridge with NeighMaster, from
// the device with NeighSelf (the default). On a VXLAN device, an entry
// with a remote (Dst, Port, VNI, ViaIndex) deletes that remote alone, one
// without deletes every remote of the address.
//
// DeleteFDBEntry sends RTM_DELNEIGH, encoded as for AddFDBEntry.
func (c *Conn) DeleteFDBEntry(ctx context.Context, e FDBEntry) error {
	return c.change(ctx, uapi.RTM_DELNEIGH, 0, &e)
}

// encode checks e and returns it as an ndmsg and its attributes.
func (e *FDBEntry) encode(typ netlink.HeaderType) ([]byte, error) {
	switch {
	case len(e.HardwareAddr) == 0:
		return nil, invalid(typ, "no hardware address")
	case e.Index <= 0 || e.Index > 1<<31-1:
		return nil, invalid(typ, "link index %d is out of range", e.Index)
	case e.MasterIndex < 0 || e.MasterIndex > 1<<31-1:
		return nil, invalid(typ, "master index %d is out of range", e.MasterIndex)
	case e.Flags >= 1<<len(neighFlagNames):
		return nil, invalid(typ, "unknown flags %v", e.Flags)
	case e.VNI >= 1<<24 || e.SrcVNI >= 1<<24:
		return nil, invalid(typ, "VNI %d or source VNI %d is out of range (24 bits)", e.VNI, e.SrcVNI)
	case e.ViaIndex < 0 || e.ViaIndex > 1<<31-1:
		return nil, invalid(typ, "via link index %d is out of range", e.ViaIndex)
	case e.NextHopID != 0 && (e.Dst.IsValid() || e.Port != 0 || e.VNI != 0 || e.ViaIndex != 0):
		return nil, invalid(typ, "a nexthop id (%d) goes with neither remote address, port, VNI nor via link", e.NextHopID)
	case e.VLAN >= 4095:
		return nil, invalid(typ, "VLAN %d is out of range", e.VLAN)
	case e.Dst.IsValid() && (e.Dst.Is4In6() || e.Dst.Zone() != ""):
		return nil, invalid(typ, "remote %v is IPv4-mapped or has a zone", e.Dst)
	}
	state, flags := e.State, e.Flags
	switch {
	case state == 0:
		state = NeighPermanent | NeighNoARP
	case state&NeighNoARP != 0 && state&(NeighPermanent|NeighReachable) == 0:
		state |= NeighReachable // "static", as bridge fdb add sends it
	}
	flags = fdbOwner(flags, e.Index, e.MasterIndex)
	b := make([]byte, uapi.SizeofNdMsg, 64)
	b[0] = uapi.AF_BRIDGE
	binary.NativeEndian.PutUint32(b[4:], uint32(e.Index))
	binary.NativeEndian.PutUint16(b[8:], uint16(state))
	b[10] = uint8(flags)
	enc := netlink.NewAttrEncoder(b)
	enc.Bytes(uapi.NDA_LLADDR, e.HardwareAddr)
	if e.VLAN != 0 {
		enc.Uint16(uapi.NDA_VLAN, e.VLAN)
	}
	if e.Dst.IsValid() {
		enc.Addr(uapi.NDA_DST, e.Dst)
	}
	if e.MasterIndex != 0 {
		enc.Uint32(uapi.NDA_MASTER, uint32(e.MasterIndex))
	}
	if e.NextHopID != 0 {
		enc.Uint32(ndaNHID, e.NextHopID)
	}
	if e.Port != 0 {
		enc.Uint16BE(uapi.NDA_PORT, e.Port)
	}
	if e.VNI != 0 {
		enc.Uint32(uapi.NDA_VNI, e.VNI)
	}
	if e.SrcVNI != 0 {
		enc.Uint32(ndaSrcVNI, e.SrcVNI)
	}
	if e.ViaIndex != 0 {
		enc.Uint32(uapi.NDA_IFINDEX, uint32(e.ViaIndex))
	}
	if ext := uint32(flags>>8) &^ uint32(NeighLocked>>8); ext != 0 { // the kernel sets "locked" and refuses it
		enc.Uint32(ndaFlagsExt, ext)
	}
	enc.RawAttrs(withoutKept(e.Other, kept{uapi.NDA_VNI, e.VNI != 0}))
	data, err := enc.Finish()
	if err != nil {
		return nil, opError("check", typ, err)
	}
	return data, nil
}

// fdbOwner returns flags with NeighMaster or NeighSelf set, if neither
// is: NeighMaster for an entry of a bridge port (master is set and is not
// the entry's own link), as the kernel lists those, NeighSelf otherwise.
func fdbOwner(flags NeighborFlags, index, master int) NeighborFlags {
	switch {
	case flags&(NeighSelf|NeighMaster) != 0:
		return flags
	case master != 0 && master != index:
		return flags | NeighMaster
	}
	return flags | NeighSelf
}

// decode reads m into e, which is the zero FDBEntry, and reports whether m
// is a bridge FDB entry.
func (e *FDBEntry) decode(m *netlink.Message) (bool, error) {
	if m.Header.Type != uapi.RTM_NEWNEIGH && m.Header.Type != uapi.RTM_DELNEIGH {
		return false, nil
	}
	var n Neighbor
	family, err := n.decodeHeader(m)
	if err != nil || family != uapi.AF_BRIDGE {
		return false, err
	}
	e.Index, e.State, e.Flags = n.Index, n.State, n.Flags
	var buf [64]byte
	other := buf[:0]
	d := m.AttrDecoder(uapi.SizeofNdMsg)
	for d.Next() {
		switch d.Type() {
		case uapi.NDA_LLADDR:
			e.HardwareAddr = cloneAddr(d.Bytes())
		case uapi.NDA_MASTER:
			e.MasterIndex = int(int32(d.Uint32()))
		case uapi.NDA_VLAN:
			e.VLAN = d.Uint16()
		case uapi.NDA_DST:
			e.Dst = d.Addr()
		case uapi.NDA_PORT:
			e.Port = d.Uint16BE()
		case uapi.NDA_VNI:
			e.VNI = d.Uint32()
			other = keepZero(other, &d, e.VNI == 0) // an explicit VNI 0, which the field cannot say
		case ndaSrcVNI:
			e.SrcVNI = d.Uint32()
		case uapi.NDA_IFINDEX:
			e.ViaIndex = int(int32(d.Uint32()))
		case ndaNHID:
			e.NextHopID = d.Uint32()
		case ndaFlagsExt:
			e.Flags |= NeighborFlags(d.Uint32()) << 8
		case uapi.NDA_CACHEINFO: // the entry's times, not the entry
		default:
			other = d.Attr().Append(other)
		}
	}
	if err := d.Err(); err != nil {
		return false, fmt.Errorf("rtnetlink: FDB entry: %w", err)
	}
	if len(other) > 0 {
		e.Other = RawAttrs(other)
	}
	return true, nil
}
