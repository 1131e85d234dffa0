package rtnetlink

import (
	"context"
	"encoding/binary"
	"fmt"
	"iter"
	"net"
	"net/netip"
	"strings"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/uapi"
)

// NeighborState is the state of a neighbour cache entry (ndm_state, the
// NUD_* bits of <linux/neighbour.h>). An entry has one state bit set; a
// filter may set several.
type NeighborState uint16

// Neighbour states. NeighNone (0) is the state of proxy entries and of
// entries just made.
const (
	NeighNone       NeighborState = uapi.NUD_NONE       // no state
	NeighIncomplete NeighborState = uapi.NUD_INCOMPLETE // being resolved
	NeighReachable  NeighborState = uapi.NUD_REACHABLE  // confirmed reachable lately
	NeighStale      NeighborState = uapi.NUD_STALE      // usable, to be checked on use
	NeighDelay      NeighborState = uapi.NUD_DELAY      // used while stale; a probe is due
	NeighProbe      NeighborState = uapi.NUD_PROBE      // being probed
	NeighFailed     NeighborState = uapi.NUD_FAILED     // resolution failed
	NeighNoARP      NeighborState = uapi.NUD_NOARP      // valid without resolution ("static" for bridge FDB entries)
	NeighPermanent  NeighborState = uapi.NUD_PERMANENT  // set by the administrator, never expires
)

var neighStateNames = [...]string{
	"INCOMPLETE", "REACHABLE", "STALE", "DELAY", "PROBE", "FAILED", "NOARP", "PERMANENT",
}

// String names the state bits as ip neigh prints them ("REACHABLE",
// "PERMANENT", ...), joined by commas; NeighNone is "NONE", and unknown
// bits are printed in hex.
func (s NeighborState) String() string {
	if s == 0 {
		return "NONE"
	}
	var b strings.Builder
	for i, name := range neighStateNames {
		if s&(1<<i) != 0 {
			if b.Len() > 0 {
				b.WriteByte(',')
			}
			b.WriteString(name)
		}
	}
	if rest := s &^ (1<<len(neighStateNames) - 1); rest != 0 {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%#x", uint16(rest))
	}
	return b.String()
}

// NeighborFlags are a neighbour entry's flags: the NTF_* bits of ndm_flags
// in the low 8 bits, and the NTF_EXT_* bits of NDA_FLAGS_EXT above them,
// as the kernel itself keeps them.
type NeighborFlags uint32

// Neighbour flags from <linux/neighbour.h>.
const (
	NeighUse        NeighborFlags = uapi.NTF_USE         // on add: use the entry now, starting resolution
	NeighSelf       NeighborFlags = uapi.NTF_SELF        // FDB: an entry of the device itself
	NeighMaster     NeighborFlags = uapi.NTF_MASTER      // FDB: an entry of the device's master (the bridge)
	NeighProxy      NeighborFlags = uapi.NTF_PROXY       // a proxy ARP or proxy NDP entry
	NeighExtLearned NeighborFlags = uapi.NTF_EXT_LEARNED // learned or added by something outside the kernel
	NeighOffloaded  NeighborFlags = uapi.NTF_OFFLOADED   // offloaded to hardware
	NeighSticky     NeighborFlags = 0x40                 // NTF_STICKY, FDB: never moves to another port
	NeighRouter     NeighborFlags = uapi.NTF_ROUTER      // IPv6: the neighbour is a router
	NeighManaged    NeighborFlags = 1 << 8               // NTF_EXT_MANAGED: kept resolved by the kernel
	NeighLocked     NeighborFlags = 1 << 9               // NTF_EXT_LOCKED, FDB: from a locked port (set by the kernel)
	NeighExtValid   NeighborFlags = 1 << 10              // NTF_EXT_EXT_VALIDATED: validated outside the kernel (kernels that have it)
)

var neighFlagNames = [...]string{
	"use", "self", "master", "proxy", "extern_learn", "offload", "sticky", "router", "managed", "locked", "extern_valid",
}

// String names the flags as ip and bridge do ("router", "extern_learn",
// "self", ...), joined by "|"; unknown bits are printed in hex, and no
// flags as "0".
func (f NeighborFlags) String() string {
	if f == 0 {
		return "0"
	}
	var b strings.Builder
	for i, name := range neighFlagNames {
		if f&(1<<i) != 0 {
			if b.Len() > 0 {
				b.WriteByte('|')
			}
			b.WriteString(name)
		}
	}
	if rest := f &^ (1<<len(neighFlagNames) - 1); rest != 0 {
		if b.Len() > 0 {
			b.WriteByte('|')
		}
		fmt.Fprintf(&b, "%#x", uint32(rest))
	}
	return b.String()
}

// Attribute numbers missing from x/sys/unix.
const (
	ndaSrcVNI   = 11 // NDA_SRC_VNI
	ndaProtocol = 12 // NDA_PROTOCOL
	ndaNHID     = 13 // NDA_NH_ID
	ndaFlagsExt = 15 // NDA_FLAGS_EXT
)

// Neighbor is an entry of the IPv4 (ARP) or IPv6 (NDP) neighbour cache, or
// a proxy entry (RTM_NEWNEIGH).
type Neighbor struct {
	// Index is the interface index of the entry's link (ndm_ifindex). An
	// IPv4 proxy entry may have none (0): it then answers on every link.
	// (Linux 6.18 keeps such an entry after its network namespace is gone,
	// and lists it in a namespace made later that gets the dead one's
	// memory: delete them before deleting a namespace.)
	Index int
	// IP is the neighbour's address (NDA_DST); its family is the entry's.
	IP netip.Addr
	// HardwareAddr is the neighbour's link-layer address (NDA_LLADDR), or
	// nil while it is not known.
	HardwareAddr net.HardwareAddr
	// State is the entry's state. When adding, NeighNone (0) is taken as
	// NeighPermanent, as ip neigh add does, for an entry with a
	// HardwareAddr that is not NeighManaged (ip sends "managed" with no
	// state too); otherwise it is sent as it is (ip's "nud none"), where
	// ip would send NeighPermanent, which the kernel refuses without an
	// address ("No link layer address given"). The kernel keeps a
	// HardwareAddr only for the states that have one (reachable, stale,
	// delay, probe, noarp, permanent), and turns a managed entry's state
	// into its own (incomplete, as it resolves). Proxy entries have no
	// state.
	State NeighborState
	// Flags are the entry's flags: NeighRouter for an IPv6 router (ip's
	// "router"), NeighProxy for a proxy entry ("proxy"), NeighExtLearned
	// ("extern_learn"), NeighManaged ("managed"), NeighExtValid
	// ("extern_valid"), NeighUse ("use": sent, never listed).
	Flags NeighborFlags
	// Protocol says who added the entry (NDA_PROTOCOL), 0 if unknown.
	Protocol Protocol
	// Probes is the number of probes sent to resolve the entry
	// (NDA_PROBES); it is only read.
	Probes uint32
	// Other holds the entry's attributes that the fields above do not
	// model, as the kernel sent them, but for NDA_CACHEINFO (timestamps);
	// adding and replacing send them back.
	Other RawAttrs
}

// NeighborFilter says which entries Neighbors lists. The zero
// NeighborFilter lists every IPv4 and IPv6 entry of the cache, as ip neigh
// show nud all does.
type NeighborFilter struct {
	// Family is uapi.AF_INET or uapi.AF_INET6 for one family, or 0 for both.
	Family int
	// Index is a link's interface index, for its entries only; 0 for all.
	Index int
	// MasterIndex is the index of a master (a bridge, a VRF), for the
	// entries of its ports only; 0 for all.
	MasterIndex int
	// State, when not 0, lists only the entries in one of these states.
	State NeighborState
	// Proxy lists the proxy entries (ip neigh show proxy) instead of the
	// cache.
	Proxy bool
}

// ParseNeighbor reads an RTM_NEWNEIGH or RTM_DELNEIGH message of the IPv4
// or IPv6 family: a reply of Neighbors, or a notification received on the
// RTNLGRP_NEIGH group. Bridge FDB entries (family AF_BRIDGE) are read by
// ParseFDBEntry instead. The entry owns its memory: nothing aliases m.
func ParseNeighbor(m netlink.Message) (Neighbor, error) {
	var n Neighbor
	ok, err := n.decode(&m)
	if err == nil && !ok {
		err = fmt.Errorf("rtnetlink: %s is not an IPv4 or IPv6 neighbour message: %w",
			netlink.RequestName(uapi.NETLINK_ROUTE, m.Header.Type), netlink.ErrMalformed)
	}
	if err != nil {
		return Neighbor{}, err
	}
	return n, nil
}

// Neighbors lists the neighbour entries f selects. The kernel filters by
// family, link and master; the iterator filters too, so the result is the
// same with or without strict checking. An error ends the iteration.
//
// Neighbors sends an RTM_GETNEIGH dump request: an ndmsg with the family
// (and NTF_PROXY for proxy entries), then NDA_IFINDEX and NDA_MASTER when
// set. Each RTM_NEWNEIGH reply is a Neighbor.
func (c *Conn) Neighbors(ctx context.Context, f NeighborFilter) iter.Seq2[Neighbor, error] {
	return func(yield func(Neighbor, error) bool) {
		if f.Family != 0 && f.Family != uapi.AF_INET && f.Family != uapi.AF_INET6 {
			yield(Neighbor{}, invalid(uapi.RTM_GETNEIGH, "family %d is neither AF_INET nor AF_INET6", f.Family))
			return
		}
		var flags NeighborFlags
		if f.Proxy {
			flags = NeighProxy
		}
		req, err := neighDumpRequest(uint8(f.Family), flags, f.Index, f.MasterIndex)
		if err != nil {
			yield(Neighbor{}, dumpError(err, f.Index))
			return
		}
		for m, err := range c.dump(ctx, uapi.RTM_GETNEIGH, req) {
			if err != nil {
				yield(Neighbor{}, dumpError(err, f.Index))
				return
			}
			var n Neighbor
			ok, err := n.decode(&m)
			if err != nil {
				yield(Neighbor{}, err)
				return
			}
			if !ok || !f.match(&n) {
				continue
			}
			if !yield(n, nil) {
				return
			}
		}
	}
}

// match reports whether n passes f; MasterIndex is left to the kernel,
// since entries do not say their link's master.
func (f *NeighborFilter) match(n *Neighbor) bool {
	switch {
	case f.Family == uapi.AF_INET && !n.IP.Is4(), f.Family == uapi.AF_INET6 && !n.IP.Is6():
		return false
	case f.Index != 0 && n.Index != f.Index:
		return false
	case f.State != 0 && n.State&f.State == 0:
		return false
	}
	return f.Proxy == (n.Flags&NeighProxy != 0)
}

// neighDumpRequest returns an RTM_GETNEIGH dump request: an ndmsg with the
// family and flags, and the link and master as NDA_IFINDEX and NDA_MASTER,
// the filters the kernel takes under strict checking.
func neighDumpRequest(family uint8, flags NeighborFlags, index, master int) ([]byte, error) {
	if index < 0 || index > 1<<31-1 || master < 0 || master > 1<<31-1 {
		return nil, invalid(uapi.RTM_GETNEIGH, "link index %d or master index %d is out of range", index, master)
	}
	b := make([]byte, uapi.SizeofNdMsg, uapi.SizeofNdMsg+16)
	b[0] = family
	b[10] = uint8(flags)
	e := netlink.NewAttrEncoder(b)
	if index != 0 {
		e.Uint32(uapi.NDA_IFINDEX, uint32(index))
	}
	if master != 0 {
		e.Uint32(uapi.NDA_MASTER, uint32(master))
	}
	return e.Finish()
}

// GetNeighbor returns the cache entry for ip on the link index, as ip
// neigh get does; ENOENT if there is none.
//
// GetNeighbor sends RTM_GETNEIGH: an ndmsg with the family and link index,
// then NDA_DST. The reply is one RTM_NEWNEIGH.
func (c *Conn) GetNeighbor(ctx context.Context, index int, ip netip.Addr) (Neighbor, error) {
	object := (&Neighbor{IP: ip, Index: index}).object()
	if err := checkNeighborIP(uapi.RTM_GETNEIGH, ip); err != nil {
		return Neighbor{}, named(err, "%s", object)
	}
	if index <= 0 || index > 1<<31-1 {
		return Neighbor{}, named(invalid(uapi.RTM_GETNEIGH, "link index %d is out of range", index), "%s", object)
	}
	b := make([]byte, uapi.SizeofNdMsg, 48)
	b[0] = neighFamily(ip)
	binary.NativeEndian.PutUint32(b[4:], uint32(index))
	e := netlink.NewAttrEncoder(b)
	e.Addr(uapi.NDA_DST, ip)
	data, err := e.Finish()
	if err != nil {
		return Neighbor{}, named(opError("check", uapi.RTM_GETNEIGH, err), "%s", object)
	}
	msgs, err := c.execute(ctx, uapi.RTM_GETNEIGH, 0, data)
	if err != nil {
		return Neighbor{}, named(err, "%s", object)
	}
	for i := range msgs {
		var n Neighbor
		if ok, err := n.decode(&msgs[i]); ok || err != nil {
			return n, err
		}
	}
	return Neighbor{}, fmt.Errorf("rtnetlink: get neighbour: the kernel sent no entry: %w", netlink.ErrMalformed)
}

// AddNeighbor adds the entry n (ip neigh add). It fails (EEXIST) when the
// link has an entry for n.IP already. A proxy entry (Flags NeighProxy)
// needs only IP, and Index unless it is for every link.
//
// An entry that cannot be right (no IP, an IPv4-mapped address, no link
// for a cache entry or an IPv6 proxy entry, an unknown flag) is refused
// before anything is sent,
// with a *netlink.OpError whose error matches both syscall.EINVAL and
// os.ErrInvalid. The kernel's refusals are *netlink.OpError values with
// its errno and extended ACK message.
//
// AddNeighbor sends RTM_NEWNEIGH with NLM_F_CREATE and NLM_F_EXCL: an ndmsg
// (family, link index, state, flags), then NDA_DST, and NDA_LLADDR,
// NDA_PROTOCOL and NDA_FLAGS_EXT when set, then Other.
func (c *Conn) AddNeighbor(ctx context.Context, n Neighbor) error {
	return c.change(ctx, uapi.RTM_NEWNEIGH, netlink.Create|netlink.Excl, &n)
}

// ReplaceNeighbor adds n, or changes the link's entry for n.IP (ip neigh
// replace).
//
// ReplaceNeighbor sends RTM_NEWNEIGH with NLM_F_CREATE and NLM_F_REPLACE,
// encoded as for AddNeighbor.
func (c *Conn) ReplaceNeighbor(ctx context.Context, n Neighbor) error {
	return c.change(ctx, uapi.RTM_NEWNEIGH, netlink.Create|netlink.Replace, &n)
}

// DeleteNeighbor deletes the link n.Index's entry for n.IP, or the proxy
// entry when n.Flags has NeighProxy; the other fields are not looked at.
//
// DeleteNeighbor sends RTM_DELNEIGH: an ndmsg with the family and link index
// (and NTF_PROXY for a proxy entry), then NDA_DST.
func (c *Conn) DeleteNeighbor(ctx context.Context, n Neighbor) error {
	return c.change(ctx, uapi.RTM_DELNEIGH, 0, &n)
}

// encode checks n and returns it as an ndmsg and its attributes.
func (n *Neighbor) encode(typ netlink.HeaderType) ([]byte, error) {
	if err := checkNeighborIP(typ, n.IP); err != nil {
		return nil, err
	}
	proxy := n.Flags&NeighProxy != 0
	switch {
	case n.Index < 0 || n.Index > 1<<31-1 || n.Index == 0 && !proxy:
		return nil, invalid(typ, "link index %d is out of range", n.Index)
	case n.Flags >= 1<<len(neighFlagNames):
		return nil, invalid(typ, "unknown neighbour flags %v", n.Flags)
	case proxy && n.Index == 0 && n.IP.Is6() && typ == uapi.RTM_NEWNEIGH:
		return nil, invalid(typ, "IPv6 proxy entry %v has no link (the kernel answers ENOBUFS)", n.IP)
	}
	del := typ == uapi.RTM_DELNEIGH
	state := n.State
	if state == NeighNone && !proxy && !del && len(n.HardwareAddr) > 0 && n.Flags&NeighManaged == 0 {
		state = NeighPermanent
	}
	b := make([]byte, uapi.SizeofNdMsg, 64)
	b[0] = neighFamily(n.IP)
	binary.NativeEndian.PutUint32(b[4:], uint32(n.Index))
	if !del {
		binary.NativeEndian.PutUint16(b[8:], uint16(state))
		b[10] = uint8(n.Flags)
	} else if proxy {
		b[10] = uapi.NTF_PROXY
	}
	e := netlink.NewAttrEncoder(b)
	e.Addr(uapi.NDA_DST, n.IP)
	if !del {
		if len(n.HardwareAddr) > 0 {
			e.Bytes(uapi.NDA_LLADDR, n.HardwareAddr)
		}
		if n.Protocol != 0 {
			e.Uint8(ndaProtocol, uint8(n.Protocol))
		}
		if ext := uint32(n.Flags >> 8); ext != 0 {
			e.Uint32(ndaFlagsExt, ext)
		}
		e.RawAttrs(n.Other)
	}
	data, err := e.Finish()
	if err != nil {
		return nil, opError("check", typ, err)
	}
	return data, nil
}

// checkNeighborIP checks the address of a neighbour request.
func checkNeighborIP(typ netlink.HeaderType, ip netip.Addr) error {
	switch {
	case !ip.IsValid():
		return invalid(typ, "no neighbour address")
	case ip.Is4In6():
		return invalid(typ, "neighbour %v is an IPv4-mapped IPv6 address; use the IPv4 form", ip)
	case ip.Zone() != "":
		return invalid(typ, "neighbour %v has a zone; set Index instead", ip)
	}
	return nil
}

// neighFamily returns the address family of ip.
func neighFamily(ip netip.Addr) uint8 {
	if ip.Is4() {
		return uapi.AF_INET
	}
	return uapi.AF_INET6
}

// decode reads m into n, which is the zero Neighbor, and reports whether
// m is an IPv4 or IPv6 neighbour entry.
func (n *Neighbor) decode(m *netlink.Message) (bool, error) {
	if m.Header.Type != uapi.RTM_NEWNEIGH && m.Header.Type != uapi.RTM_DELNEIGH {
		return false, nil
	}
	family, err := n.decodeHeader(m)
	if err != nil || family != uapi.AF_INET && family != uapi.AF_INET6 {
		return false, err
	}
	var buf [64]byte
	other := buf[:0]
	d := m.AttrDecoder(uapi.SizeofNdMsg)
	for d.Next() {
		switch d.Type() {
		case uapi.NDA_DST:
			n.IP = d.Addr()
		case uapi.NDA_LLADDR:
			n.HardwareAddr = cloneAddr(d.Bytes())
		case uapi.NDA_PROBES:
			n.Probes = d.Uint32()
		case ndaProtocol:
			n.Protocol = Protocol(d.Uint8())
		case ndaFlagsExt:
			n.Flags |= NeighborFlags(d.Uint32()) << 8
		case uapi.NDA_CACHEINFO: // the entry's times, not the entry
		default:
			other = d.Attr().Append(other)
		}
	}
	if err := d.Err(); err != nil {
		return false, fmt.Errorf("rtnetlink: neighbour: %w", err)
	}
	if len(other) > 0 {
		n.Other = RawAttrs(other)
	}
	if !n.IP.IsValid() || n.IP.Is4() != (family == uapi.AF_INET) {
		return false, fmt.Errorf("rtnetlink: neighbour %v does not fit family %d: %w", n.IP, family, netlink.ErrMalformed)
	}
	return true, nil
}

// decodeHeader reads m's ndmsg: the index, state and flags into n, and
// returns the family.
func (n *Neighbor) decodeHeader(m *netlink.Message) (uint8, error) {
	if len(m.Data) < uapi.SizeofNdMsg {
		return 0, fmt.Errorf("rtnetlink: neighbour message of %d bytes is shorter than ndmsg: %w", len(m.Data), netlink.ErrMalformed)
	}
	n.Index = int(int32(binary.NativeEndian.Uint32(m.Data[4:])))
	n.State = NeighborState(binary.NativeEndian.Uint16(m.Data[8:]))
	n.Flags = NeighborFlags(m.Data[10])
	return m.Data[0], nil
}
