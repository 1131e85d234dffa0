package rtnetlink

import (
	"bytes"
	"context"
	"encoding/binary"
	"net"
	"runtime"
	"strconv"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/uapi"
)

// VFInfo is one SR-IOV virtual function of a device, as its physical
// function reports it (IFLA_VF_INFO in IFLA_VFINFO_LIST): Links and Link
// ask for them (IFLA_EXT_MASK with RTEXT_FILTER_VF, as ip link show
// does), and SetLinkVF sets them (ip link set DEV vf N ...).
//
// Has says which of the settings the kernel listed, and which SetLinkVF
// sends: a virtual function as it was listed is set again as it was, and
// one built by hand sets only what its Has names. A driver that does not
// report spoof checking, trust or the RSS query lists them as -1 (the
// kernel's preset, which ip does not print): the field is then false and
// Has lacks its bit, so that SetLinkVF does not send it (the kernel would
// take -1 as on).
//
// Other holds, as the kernel sent them and in order, the attributes the
// fields do not model: those of kernels newer than the package, one that
// repeats an attribute already read, and one whose bytes are not exactly
// what SetLinkVF would send back for the value read from it (another
// size, another function's number, padding that is not zero, a setting
// other than 0, 1 or -1); and, in an IFLA_VF_STATS of its own, the
// counters VFStats lacks. SetLinkVF sends them back after the fields, but
// for the broadcast address and the counters.
type VFInfo struct {
	ID         uint32           // the function's number, from 0; every setting carries it
	Has        VFFields         // the settings below that the kernel listed, and that SetLinkVF sends
	MAC        net.HardwareAddr // IFLA_VF_MAC: its hardware address, as long as the physical function's
	Broadcast  net.HardwareAddr // IFLA_VF_BROADCAST: the physical function's broadcast address; read only
	VLAN       uint32           // IFLA_VF_VLAN: the 802.1Q VLAN its traffic is tagged with, 0 for none
	QoS        uint32           // IFLA_VF_VLAN: the 802.1p priority of that tag, 0 to 7
	VLANs      []VFVLAN         // IFLA_VF_VLAN_LIST: the VLAN with its protocol (the kernel lists one, and takes one)
	TxRate     uint32           // IFLA_VF_TX_RATE: the maximum rate, Mb/s, as ip link set's rate sets it; lists MaxTxRate
	MinTxRate  uint32           // IFLA_VF_RATE: the guaranteed rate, Mb/s
	MaxTxRate  uint32           // IFLA_VF_RATE: the maximum rate, Mb/s, 0 for none
	SpoofCheck bool             // IFLA_VF_SPOOFCHK: source addresses checked
	LinkState  VFLinkState      // IFLA_VF_LINK_STATE: up with the physical function, always, or never
	Trust      bool             // IFLA_VF_TRUST: may change its address and turn promiscuous
	RSSQuery   bool             // IFLA_VF_RSS_QUERY_EN: may query the RSS configuration
	NodeGUID   uint64           // IFLA_VF_IB_NODE_GUID: an InfiniBand function's node GUID
	PortGUID   uint64           // IFLA_VF_IB_PORT_GUID: an InfiniBand function's port GUID
	Stats      VFStats          // IFLA_VF_STATS: its traffic counters; read only
	Other      RawAttrs         // the attributes the fields do not model, in order (see above)
}

// VFVLAN is the VLAN of a virtual function with its protocol: an
// IFLA_VF_VLAN_INFO of IFLA_VF_VLAN_LIST (struct ifla_vf_vlan_info). The
// kernel lists 0x8100 unless the driver says otherwise; netdevsim lists 0
// for a function that was never given a VLAN, and takes 0 back.
type VFVLAN struct {
	VLAN     uint32 // the VLAN ID, 0 for none
	QoS      uint32 // the priority of the tag, 0 to 7
	Protocol uint16 // the tag's EtherType: 0x8100 (802.1Q) or 0x88a8 (802.1ad); a driver may refuse one (EPROTONOSUPPORT)
}

// VFStats are a virtual function's traffic counters (IFLA_VF_STATS), as
// its driver counts them; 0 from a driver that does not.
type VFStats struct {
	RxPackets uint64 // IFLA_VF_STATS_RX_PACKETS
	TxPackets uint64 // IFLA_VF_STATS_TX_PACKETS
	RxBytes   uint64 // IFLA_VF_STATS_RX_BYTES
	TxBytes   uint64 // IFLA_VF_STATS_TX_BYTES
	Broadcast uint64 // IFLA_VF_STATS_BROADCAST: broadcast packets received
	Multicast uint64 // IFLA_VF_STATS_MULTICAST: multicast packets received
	RxDropped uint64 // IFLA_VF_STATS_RX_DROPPED
	TxDropped uint64 // IFLA_VF_STATS_TX_DROPPED
}

// VFFields name settings of a VFInfo: those the kernel listed, and those
// SetLinkVF sends. Each is one attribute of IFLA_VF_INFO.
type VFFields uint16

// The settings of a virtual function.
const (
	VFHasMAC        VFFields = 1 << iota // MAC: IFLA_VF_MAC
	VFHasVLAN                            // VLAN and QoS: IFLA_VF_VLAN, whose protocol is 802.1Q
	VFHasVLANList                        // VLANs: IFLA_VF_VLAN_LIST
	VFHasTxRate                          // TxRate: IFLA_VF_TX_RATE
	VFHasRate                            // MinTxRate and MaxTxRate: IFLA_VF_RATE
	VFHasSpoofCheck                      // SpoofCheck: IFLA_VF_SPOOFCHK
	VFHasLinkState                       // LinkState: IFLA_VF_LINK_STATE
	VFHasTrust                           // Trust: IFLA_VF_TRUST
	VFHasRSSQuery                        // RSSQuery: IFLA_VF_RSS_QUERY_EN
	VFHasNodeGUID                        // NodeGUID: IFLA_VF_IB_NODE_GUID
	VFHasPortGUID                        // PortGUID: IFLA_VF_IB_PORT_GUID

	vfHasAll = VFHasPortGUID<<1 - 1
)

// vfAttrs are the attributes of the settings, in the order of VFFields'
// bits, which is the order SetLinkVF sends them in.
var vfAttrs = [...]uint16{
	uapi.IFLA_VF_MAC, uapi.IFLA_VF_VLAN, uapi.IFLA_VF_VLAN_LIST, uapi.IFLA_VF_TX_RATE, uapi.IFLA_VF_RATE,
	uapi.IFLA_VF_SPOOFCHK, uapi.IFLA_VF_LINK_STATE, uapi.IFLA_VF_TRUST, uapi.IFLA_VF_RSS_QUERY_EN,
	uapi.IFLA_VF_IB_NODE_GUID, uapi.IFLA_VF_IB_PORT_GUID,
}

// vfField is the setting of the attribute typ, 0 for the others.
func vfField(typ uint16) VFFields {
	for i, t := range vfAttrs {
		if t == typ {
			return 1 << i
		}
	}
	return 0
}

// VFLinkState is a virtual function's link state (IFLA_VF_LINK_STATE).
type VFLinkState uint32

// The link states of a virtual function (IFLA_VF_LINK_STATE_*).
const (
	VFLinkAuto    VFLinkState = uapi.IFLA_VF_LINK_STATE_AUTO    // up when the physical function's link is
	VFLinkEnable  VFLinkState = uapi.IFLA_VF_LINK_STATE_ENABLE  // always up
	VFLinkDisable VFLinkState = uapi.IFLA_VF_LINK_STATE_DISABLE // always down
)

// String names the state as ip does: "auto", "enable", "disable".
func (s VFLinkState) String() string {
	switch s {
	case VFLinkAuto:
		return "auto"
	case VFLinkEnable:
		return "enable"
	case VFLinkDisable:
		return "disable"
	}
	return "VFLinkState(" + strconv.FormatUint(uint64(s), 10) + ")"
}

// The sizes of the structs of <linux/if_link.h> that carry the settings.
const (
	vfMACLen      = 32 // the address bytes of struct ifla_vf_mac and ifla_vf_broadcast
	vfVLANInfoLen = 16 // struct ifla_vf_vlan_info: vf, vlan, qos, __be16 vlan_proto, 2 bytes of padding
)

// vfGUIDPad is the padding of struct ifla_vf_guid { __u32 vf; __u64 guid; }
// between its fields: 4 bytes where a __u64 is aligned to 8 in a struct,
// none on 386, which aligns it to 4.
var vfGUIDPad = func() int {
	if runtime.GOARCH == "386" {
		return 0
	}
	return 4
}()

// vfUnreported is the setting of spoof checking, trust and the RSS query
// that a driver left unreported: the kernel's preset, -1.
const vfUnreported = 1<<32 - 1

// decodeVFs reads IFLA_VFINFO_LIST's payload: its IFLA_VF_INFOs (the
// others are kept by the link). macLen is the hardware address length of
// the physical function (6 if it has none).
func decodeVFs(b []byte, macLen int) ([]VFInfo, error) {
	if macLen <= 0 || macLen > vfMACLen {
		macLen = 6
	}
	var vfs []VFInfo
	d := netlink.NewAttrDecoder(b)
	for d.Next() {
		if d.Type() != uapi.IFLA_VF_INFO {
			continue
		}
		var vf VFInfo
		vf.decode(&d, macLen)
		vfs = append(vfs, vf)
	}
	return vfs, d.Err()
}

// decode reads the IFLA_VF_INFO where d stands into vf, the zero VFInfo.
// The function's number is the one the first setting read carries (0 if
// none is read): the attributes of another number are kept in Other.
func (vf *VFInfo) decode(d *netlink.AttrDecoder, macLen int) {
	numbered := false
	nest := d.Enter()
	for !numbered && d.Next() {
		var first VFInfo
		if d.Type() == uapi.IFLA_VF_VLAN_LIST {
			numbered = first.decodeVLANs(d, false) && len(first.VLANs) > 0
		} else {
			numbered = first.set(d.Attr(), macLen, false)
		}
		vf.ID = first.ID
	}
	d.Exit(nest)
	if !numbered {
		vf.ID = 0
	}
	var other []byte
	stats := false // IFLA_VF_STATS was read
	nest = d.Enter()
	for d.Next() {
		a := d.Attr()
		switch a.Type {
		case uapi.IFLA_VF_BROADCAST:
			// struct ifla_vf_broadcast: the address in 32 bytes. Those
			// past the address are not kept: the kernel never takes
			// this attribute back, and some kernels leave them
			// uninitialised (rtnl_fill_vfinfo copies addr_len bytes
			// into a struct it does not clear).
			if vf.Broadcast == nil && len(a.Data) >= macLen && !a.Nested && !a.NetByteOrder {
				vf.Broadcast = cloneAddr(a.Data[:macLen])
				continue
			}
		case uapi.IFLA_VF_VLAN_LIST:
			if vf.decodeVLANs(d, numbered) {
				continue
			}
		case uapi.IFLA_VF_STATS:
			if !stats {
				stats = true
				other = vf.Stats.decode(d, other)
				continue
			}
		case uapi.IFLA_VF_SPOOFCHK, uapi.IFLA_VF_TRUST, uapi.IFLA_VF_RSS_QUERY_EN:
			// vf, setting: -1 when the driver does not report it.
			if p := a.Data; len(p) == 8 && binary.NativeEndian.Uint32(p) == vf.ID &&
				binary.NativeEndian.Uint32(p[4:]) == vfUnreported &&
				vf.Has&vfField(a.Type) == 0 && !a.Nested && !a.NetByteOrder {
				continue
			}
			if vf.set(a, macLen, numbered) {
				continue
			}
		default:
			if vf.set(a, macLen, numbered) {
				if a.Type == uapi.IFLA_VF_MAC {
					vf.MAC = cloneAddr(vf.MAC) // it aliased the message
				}
				continue
			}
		}
		other = a.Append(other)
	}
	d.Exit(nest)
	if len(other) > 0 {
		vf.Other = RawAttrs(other)
	}
}

// set reads a, an attribute of the settings but IFLA_VF_VLAN_LIST (one of
// the structs of <linux/if_link.h> that start with the function's number),
// into vf, and reports whether it did: it does when a is the first of its
// type, for vf's function when numbered (set reads vf.ID otherwise), and
// exactly what SetLinkVF sends for the value read from it. Otherwise vf is
// unchanged. An address read aliases a.
func (vf *VFInfo) set(a netlink.Attr, macLen int, numbered bool) bool {
	bit, p := vfField(a.Type), a.Data
	if bit == 0 || bit == VFHasVLANList || vf.Has&bit != 0 || len(p) < 4 || a.Nested || a.NetByteOrder {
		return false
	}
	try := *vf
	try.ID = binary.NativeEndian.Uint32(p)
	if numbered && try.ID != vf.ID {
		return false
	}
	u32 := func(i int) uint32 {
		if len(p) < 4*(i+1) {
			return 0
		}
		return binary.NativeEndian.Uint32(p[4*i:])
	}
	switch a.Type {
	case uapi.IFLA_VF_MAC: // struct ifla_vf_mac: vf, mac[32]
		if len(p) < 4+macLen {
			return false
		}
		try.MAC = p[4 : 4+macLen]
	case uapi.IFLA_VF_VLAN: // struct ifla_vf_vlan: vf, vlan, qos
		try.VLAN, try.QoS = u32(1), u32(2)
	case uapi.IFLA_VF_TX_RATE: // struct ifla_vf_tx_rate: vf, rate
		try.TxRate = u32(1)
	case uapi.IFLA_VF_RATE: // struct ifla_vf_rate: vf, min_tx_rate, max_tx_rate
		try.MinTxRate, try.MaxTxRate = u32(1), u32(2)
	case uapi.IFLA_VF_SPOOFCHK: // struct ifla_vf_spoofchk: vf, setting
		try.SpoofCheck = u32(1) == 1
	case uapi.IFLA_VF_LINK_STATE: // struct ifla_vf_link_state: vf, link_state
		try.LinkState = VFLinkState(u32(1))
	case uapi.IFLA_VF_TRUST: // struct ifla_vf_trust: vf, setting
		try.Trust = u32(1) == 1
	case uapi.IFLA_VF_RSS_QUERY_EN: // struct ifla_vf_rss_query_en: vf, setting
		try.RSSQuery = u32(1) == 1
	case uapi.IFLA_VF_IB_NODE_GUID, uapi.IFLA_VF_IB_PORT_GUID: // struct ifla_vf_guid: vf, guid
		if len(p) != 12+vfGUIDPad {
			return false
		}
		guid := binary.NativeEndian.Uint64(p[4+vfGUIDPad:])
		if a.Type == uapi.IFLA_VF_IB_NODE_GUID {
			try.NodeGUID = guid
		} else {
			try.PortGUID = guid
		}
	}
	var buf [4 + vfMACLen]byte
	if !bytes.Equal(try.payload(buf[:0], a.Type), p) {
		return false
	}
	try.Has |= bit
	*vf = try
	return true
}

// payload appends to b the payload of vf's attribute typ, one of the
// settings but IFLA_VF_VLAN_LIST, as <linux/if_link.h> lays it out.
func (vf *VFInfo) payload(b []byte, typ uint16) []byte {
	ne := binary.NativeEndian
	b = ne.AppendUint32(b, vf.ID)
	switch typ {
	case uapi.IFLA_VF_MAC:
		n := len(b) + vfMACLen
		b = append(b, vf.MAC...)
		for len(b) < n {
			b = append(b, 0)
		}
	case uapi.IFLA_VF_VLAN:
		b = ne.AppendUint32(ne.AppendUint32(b, vf.VLAN), vf.QoS)
	case uapi.IFLA_VF_TX_RATE:
		b = ne.AppendUint32(b, vf.TxRate)
	case uapi.IFLA_VF_RATE:
		b = ne.AppendUint32(ne.AppendUint32(b, vf.MinTxRate), vf.MaxTxRate)
	case uapi.IFLA_VF_SPOOFCHK:
		b = ne.AppendUint32(b, uint32(boolByte(vf.SpoofCheck)))
	case uapi.IFLA_VF_LINK_STATE:
		b = ne.AppendUint32(b, uint32(vf.LinkState))
	case uapi.IFLA_VF_TRUST:
		b = ne.AppendUint32(b, uint32(boolByte(vf.Trust)))
	case uapi.IFLA_VF_RSS_QUERY_EN:
		b = ne.AppendUint32(b, uint32(boolByte(vf.RSSQuery)))
	case uapi.IFLA_VF_IB_NODE_GUID, uapi.IFLA_VF_IB_PORT_GUID:
		guid := vf.NodeGUID
		if typ == uapi.IFLA_VF_IB_PORT_GUID {
			guid = vf.PortGUID
		}
		b = ne.AppendUint64(append(b, make([]byte, vfGUIDPad)...), guid)
	}
	return b
}

// decodeVLANs reads the IFLA_VF_VLAN_LIST where d stands into vf.VLANs
// and reports whether it did: it does when the list is the first, and
// each of its entries an IFLA_VF_VLAN_INFO of one function, vf's when
// numbered (decodeVLANs reads vf.ID from them otherwise), exactly as
// SetLinkVF sends it. Otherwise vf is unchanged.
func (vf *VFInfo) decodeVLANs(d *netlink.AttrDecoder, numbered bool) bool {
	if vf.Has&VFHasVLANList != 0 {
		return false
	}
	id, ok := vf.ID, true
	var vlans []VFVLAN
	var buf [vfVLANInfoLen]byte
	nest := d.Enter()
	for d.Next() {
		a := d.Attr()
		if a.Type != uapi.IFLA_VF_VLAN_INFO || len(a.Data) != vfVLANInfoLen || a.Nested || a.NetByteOrder ||
			(numbered || len(vlans) > 0) && binary.NativeEndian.Uint32(a.Data) != id {
			ok = false
			continue
		}
		id = binary.NativeEndian.Uint32(a.Data)
		v := VFVLAN{
			VLAN:     binary.NativeEndian.Uint32(a.Data[4:]),
			QoS:      binary.NativeEndian.Uint32(a.Data[8:]),
			Protocol: binary.BigEndian.Uint16(a.Data[12:]),
		}
		ok = ok && bytes.Equal(v.payload(buf[:0], id), a.Data)
		vlans = append(vlans, v)
	}
	d.Exit(nest)
	if !ok {
		return false
	}
	vf.ID, vf.VLANs = id, vlans
	vf.Has |= VFHasVLANList
	return true
}

// payload appends v to b as struct ifla_vf_vlan_info, for function id.
func (v VFVLAN) payload(b []byte, id uint32) []byte {
	ne := binary.NativeEndian
	b = ne.AppendUint32(ne.AppendUint32(ne.AppendUint32(b, id), v.VLAN), v.QoS)
	return append(binary.BigEndian.AppendUint16(b, v.Protocol), 0, 0)
}

// decode reads the IFLA_VF_STATS where d stands into s, and appends to
// other, in an IFLA_VF_STATS of its own, what s does not hold: counters it
// lacks, or that came twice or in another size. The padding the kernel may
// put before a counter (an empty IFLA_VF_STATS_PAD) is dropped.
func (s *VFStats) decode(d *netlink.AttrDecoder, other []byte) []byte {
	fields := [...]*uint64{
		uapi.IFLA_VF_STATS_RX_PACKETS: &s.RxPackets, uapi.IFLA_VF_STATS_TX_PACKETS: &s.TxPackets,
		uapi.IFLA_VF_STATS_RX_BYTES: &s.RxBytes, uapi.IFLA_VF_STATS_TX_BYTES: &s.TxBytes,
		uapi.IFLA_VF_STATS_BROADCAST: &s.Broadcast, uapi.IFLA_VF_STATS_MULTICAST: &s.Multicast,
		uapi.IFLA_VF_STATS_PAD:        nil,
		uapi.IFLA_VF_STATS_RX_DROPPED: &s.RxDropped, uapi.IFLA_VF_STATS_TX_DROPPED: &s.TxDropped,
	}
	var read uint16 // the counters read, by their attribute's bit
	other, start := openKept(other, d)
	nest := d.Enter()
	for d.Next() {
		a := d.Attr()
		plain := !a.Nested && !a.NetByteOrder
		switch {
		case a.Type == uapi.IFLA_VF_STATS_PAD && len(a.Data) == 0 && plain:
		case int(a.Type) < len(fields) && fields[a.Type] != nil && read&(1<<a.Type) == 0 && len(a.Data) == 8 && plain:
			*fields[a.Type] = binary.NativeEndian.Uint64(a.Data)
			read |= 1 << a.Type
		default:
			other = a.Append(other)
		}
	}
	d.Exit(nest)
	return closeKept(other, start)
}

// SetLinkVF sets the virtual function vf.ID of the link, a physical
// function with SR-IOV, as ip link set DEV vf N does: the settings vf.Has
// names, then the attributes of vf.Other but those only the kernel sets
// (IFLA_VF_BROADCAST, which it refuses, and IFLA_VF_STATS). A virtual
// function as Link or Links listed it is set again as it was; to change
// some settings, set Has to them alone. ip link set's words set these
// fields: mac MAC; vlan and qos VLAN and QoS, or, with proto, VLANs (one
// VFVLAN); rate TxRate; max_tx_rate and min_tx_rate MaxTxRate and
// MinTxRate (ip sends both, the one not given as listed); spoofchk
// SpoofCheck; state LinkState; trust Trust; query_rss RSSQuery;
// node_guid and port_guid NodeGUID and PortGUID (InfiniBand only:
// EOPNOTSUPP on another device).
//
// The kernel applies the settings in the order of VFFields' bits
// (IFLA_VF_VLAN_LIST after IFLA_VF_VLAN, replacing it) and stops at the
// first the driver refuses, EOPNOTSUPP for one it cannot change, keeping
// those before it. Two go in a second IFLA_VF_INFO, which it applies
// after the first: TxRate sent with the rates (the kernel would apply it
// first, with the minimum rate the function had, and refuse a maximum
// below that, so that a function listed would not always be set back),
// and a port GUID sent with a node GUID (the kernel reads nothing after a
// node GUID).
//
// Refused before sending: nothing to set, settings Has does not know, a
// function number of 2^31-1 or more (the kernel's is an int), a MAC empty
// or longer than 32 bytes, a VLAN above 4095 or a priority above 7 (in
// VLANs too), an empty VLANs, a MaxTxRate below MinTxRate (0 is no
// limit), a LinkState above VFLinkDisable, and an Other that does not
// parse.
//
// SetLinkVF sends RTM_SETLINK: an ifinfomsg with the index, then
// IFLA_VFINFO_LIST holding IFLA_VF_INFO holding the settings, each the
// struct of <linux/if_link.h> that starts with vf.ID.
func (c *Conn) SetLinkVF(ctx context.Context, index int, vf VFInfo) error {
	return c.setLink(ctx, index, 0, func(r *request) error { return putVF(r, &vf) })
}

// putVF appends vf's settings to r as IFLA_VFINFO_LIST, checking them.
func putVF(r *request, vf *VFInfo) error {
	req, has := r.typ, vf.Has
	others := 0 // the attributes of Other to send
	for a, err := range vf.Other.All() {
		if err != nil {
			return invalid(req, "VF %d: Other: %v", vf.ID, err)
		}
		if sentVFAttr(a) {
			others++
		}
	}
	switch {
	case has&^vfHasAll != 0:
		return invalid(req, "VF %d: unknown settings %#x in Has", vf.ID, uint16(has&^vfHasAll))
	case has == 0 && others == 0:
		return invalid(req, "VF %d: nothing to set (Has is 0, and Other holds nothing to send)", vf.ID)
	case vf.ID >= 1<<31-1:
		return invalid(req, "VF number %d is out of range (at most %d)", vf.ID, 1<<31-2)
	case has&VFHasMAC != 0 && (len(vf.MAC) == 0 || len(vf.MAC) > vfMACLen):
		return invalid(req, "VF %d: a MAC of %d bytes (1 to %d)", vf.ID, len(vf.MAC), vfMACLen)
	case has&VFHasVLAN != 0 && (vf.VLAN > 4095 || vf.QoS > 7):
		return invalid(req, "VF %d: VLAN %d above 4095 or priority %d above 7", vf.ID, vf.VLAN, vf.QoS)
	case has&VFHasVLANList != 0 && len(vf.VLANs) == 0:
		return invalid(req, "VF %d: VFHasVLANList with no VLANs", vf.ID)
	case has&VFHasRate != 0 && vf.MaxTxRate != 0 && vf.MaxTxRate < vf.MinTxRate:
		return invalid(req, "VF %d: maximum rate %d below the minimum %d", vf.ID, vf.MaxTxRate, vf.MinTxRate)
	case has&VFHasLinkState != 0 && vf.LinkState > VFLinkDisable:
		return invalid(req, "VF %d: link state %d is above %d (disable)", vf.ID, vf.LinkState, VFLinkDisable)
	}
	if has&VFHasVLANList != 0 {
		for _, v := range vf.VLANs {
			if v.VLAN > 4095 || v.QoS > 7 {
				return invalid(req, "VF %d: VLAN %d above 4095 or priority %d above 7", vf.ID, v.VLAN, v.QoS)
			}
		}
	}
	// What the kernel would apply too early goes in a second
	// IFLA_VF_INFO, which it applies after the first: IFLA_VF_TX_RATE
	// sent with IFLA_VF_RATE (it applies the former first, with the
	// minimum the function had, and refuses a maximum below that), and a
	// port GUID sent with a node GUID (it reads nothing after the node
	// GUID).
	var late VFFields
	if has&VFHasRate != 0 {
		late |= has & VFHasTxRate
	}
	if has&VFHasNodeGUID != 0 {
		late |= has & VFHasPortGUID
	}
	var buf [4 + vfMACLen]byte
	list := r.Nest(uapi.IFLA_VFINFO_LIST)
	info := r.Nest(uapi.IFLA_VF_INFO)
	vf.put(r, has&^late, buf[:0])
	for a := range vf.Other.All() {
		if sentVFAttr(a) {
			r.Attr(a)
		}
	}
	r.End(info)
	if late != 0 {
		info := r.Nest(uapi.IFLA_VF_INFO)
		vf.put(r, late, buf[:0])
		r.End(info)
	}
	r.End(list)
	return nil
}

// put appends to r the attributes of vf's settings that has names, in the
// order of their bits; buf is scratch space.
func (vf *VFInfo) put(r *request, has VFFields, buf []byte) {
	for i, typ := range vfAttrs {
		switch bit := VFFields(1) << i; {
		case has&bit == 0:
		case bit == VFHasVLANList:
			vlans := r.Nest(typ)
			for _, v := range vf.VLANs {
				r.Bytes(uapi.IFLA_VF_VLAN_INFO, v.payload(buf[:0], vf.ID))
			}
			r.End(vlans)
		default:
			r.Bytes(typ, vf.payload(buf[:0], typ))
		}
	}
}

// sentVFAttr reports whether SetLinkVF sends a, an attribute of a
// VFInfo's Other: all but those only the kernel sets, IFLA_VF_BROADCAST
// (which it refuses) and IFLA_VF_STATS.
func sentVFAttr(a netlink.Attr) bool {
	return a.Type != uapi.IFLA_VF_BROADCAST && a.Type != uapi.IFLA_VF_STATS
}

// rtextFilterVF is RTEXT_FILTER_VF from <linux/rtnetlink.h>, which
// x/sys/unix lacks: IFLA_EXT_MASK's bit asking for the virtual functions.
const rtextFilterVF = 1 << 0
