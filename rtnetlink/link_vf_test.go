package rtnetlink

import (
	"encoding/binary"
	"errors"
	"net"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/uapi"
)

// u32s is the payload of a struct of u32s, such as those of
// <linux/if_link.h> that carry a virtual function's settings.
func u32s(v ...uint32) []byte {
	var b []byte
	for _, x := range v {
		b = binary.NativeEndian.AppendUint32(b, x)
	}
	return b
}

// vfGUID is the payload of struct ifla_vf_guid for this architecture.
func vfGUID(vf uint32, guid uint64) []byte {
	return binary.NativeEndian.AppendUint64(append(u32s(vf), make([]byte, vfGUIDPad)...), guid)
}

// vfMessage is an RTM_NEWLINK payload of a physical function with two
// virtual functions, as a driver with SR-IOV reports them (this machine
// has none), in the kernel's order (rtnl_fill_vfinfo): IFLA_NUM_VF, then
// IFLA_VFINFO_LIST with the structs of <linux/if_link.h>, each led by the
// function's number, the broadcast address (with the uninitialised bytes
// some kernels leave after it), the VLAN list, the counters (one after a
// padding attribute). The second function is InfiniBand-like (GUIDs) and
// leaves spoof checking unreported (-1); the first has an attribute of a
// newer kernel, and the list an entry that is no IFLA_VF_INFO.
func vfMessage() []byte {
	e := netlink.NewAttrEncoder(make([]byte, uapi.SizeofIfInfomsg))
	e.String(uapi.IFLA_IFNAME, "pf0")
	e.Bytes(uapi.IFLA_ADDRESS, []byte{2, 0, 0, 0, 0, 0xf0})
	e.Uint32(uapi.IFLA_NUM_VF, 2)
	list := e.Nest(uapi.IFLA_VFINFO_LIST)
	for vf := range uint32(2) {
		info := e.Nest(uapi.IFLA_VF_INFO)
		mac := make([]byte, 32) // struct ifla_vf_mac: vf, mac[32]
		copy(mac, []byte{2, 0, 0, 0, 1, byte(vf)})
		e.Bytes(uapi.IFLA_VF_MAC, append(u32s(vf), mac...))
		brd := make([]byte, 32)
		copy(brd, []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, byte(vf), 0x5a})
		e.Bytes(uapi.IFLA_VF_BROADCAST, brd)
		e.Bytes(uapi.IFLA_VF_VLAN, u32s(vf, 100+vf, 3))
		e.Bytes(uapi.IFLA_VF_RATE, u32s(vf, 10, 1000))
		e.Bytes(uapi.IFLA_VF_TX_RATE, u32s(vf, 1000))
		e.Bytes(uapi.IFLA_VF_SPOOFCHK, u32s(vf, []uint32{1, vfUnreported}[vf]))
		e.Bytes(uapi.IFLA_VF_LINK_STATE, u32s(vf, 2))
		e.Bytes(uapi.IFLA_VF_RSS_QUERY_EN, u32s(vf, vf))
		e.Bytes(uapi.IFLA_VF_TRUST, u32s(vf, 1-vf))
		if vf == 1 {
			e.Bytes(uapi.IFLA_VF_IB_NODE_GUID, vfGUID(vf, 0x0011223344556677))
			e.Bytes(uapi.IFLA_VF_IB_PORT_GUID, vfGUID(vf, 0x8899aabbccddeeff))
		}
		vlans := e.Nest(uapi.IFLA_VF_VLAN_LIST)
		e.Bytes(uapi.IFLA_VF_VLAN_INFO, append(u32s(vf, 100+vf, 3), 0x88, 0xa8, 0, 0))
		e.End(vlans)
		stats := e.Nest(uapi.IFLA_VF_STATS)
		e.Uint64(uapi.IFLA_VF_STATS_RX_PACKETS, 77)
		e.Bytes(uapi.IFLA_VF_STATS_PAD, nil)
		e.Uint64(uapi.IFLA_VF_STATS_TX_PACKETS, 78)
		e.Uint64(uapi.IFLA_VF_STATS_RX_BYTES, 79)
		e.Uint64(uapi.IFLA_VF_STATS_TX_BYTES, 80)
		e.Uint64(uapi.IFLA_VF_STATS_BROADCAST, 81)
		e.Uint64(uapi.IFLA_VF_STATS_MULTICAST, 82)
		e.Uint64(uapi.IFLA_VF_STATS_RX_DROPPED, 83)
		e.Uint64(uapi.IFLA_VF_STATS_TX_DROPPED, 84+uint64(vf))
		e.End(stats)
		if vf == 0 {
			e.Bytes(40, []byte{1, 2, 3, 4})
		}
		e.End(info)
	}
	e.Uint32(2, 9) // no IFLA_VF_INFO
	e.End(list)
	b, err := e.Finish()
	if err != nil {
		panic(err)
	}
	return b
}

func TestParseLinkVFs(t *testing.T) {
	l, err := ParseLink(netlink.Message{Header: netlink.Header{Type: uapi.RTM_NEWLINK}, Data: vfMessage()})
	if err != nil {
		t.Fatal(err)
	}
	const listed = VFHasMAC | VFHasVLAN | VFHasVLANList | VFHasTxRate | VFHasRate | VFHasSpoofCheck | VFHasLinkState | VFHasTrust | VFHasRSSQuery
	brd := net.HardwareAddr{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	stats := VFStats{RxPackets: 77, TxPackets: 78, RxBytes: 79, TxBytes: 80, Broadcast: 81, Multicast: 82, RxDropped: 83, TxDropped: 84}
	want := []VFInfo{
		{ID: 0, Has: listed, MAC: net.HardwareAddr{2, 0, 0, 0, 1, 0}, Broadcast: brd, VLAN: 100, QoS: 3, VLANs: []VFVLAN{{100, 3, 0x88a8}},
			TxRate: 1000, MinTxRate: 10, MaxTxRate: 1000, SpoofCheck: true, LinkState: VFLinkDisable, Trust: true, Stats: stats,
			Other: raw(40, 1, 2, 3, 4)},
		{ID: 1, Has: listed&^VFHasSpoofCheck | VFHasNodeGUID | VFHasPortGUID, MAC: net.HardwareAddr{2, 0, 0, 0, 1, 1}, Broadcast: brd,
			VLAN: 101, QoS: 3, VLANs: []VFVLAN{{101, 3, 0x88a8}}, TxRate: 1000, MinTxRate: 10, MaxTxRate: 1000, LinkState: VFLinkDisable,
			RSSQuery: true, NodeGUID: 0x0011223344556677, PortGUID: 0x8899aabbccddeeff, Stats: stats},
	}
	want[1].Stats.TxDropped = 85
	if l.NumVF != 2 || !reflect.DeepEqual(l.VFs, want) {
		t.Errorf("NumVF %d, VFs\n %+v\nwant\n %+v", l.NumVF, l.VFs, want)
	}
	// The list's entry that is no function stays in Other, in a list of
	// its own.
	var list RawAttrs
	for a, err := range l.Other.All() {
		if err == nil && a.Type == uapi.IFLA_VFINFO_LIST {
			list = raw(a.Type|netlink.AttrNested, a.Data...)
		}
	}
	if w := raw(uapi.IFLA_VFINFO_LIST|netlink.AttrNested, []byte(raw(2, 9, 0, 0, 0))...); list != w {
		t.Errorf("Other's IFLA_VFINFO_LIST % x, want % x", list, w)
	}
	if s := want[0].LinkState.String() + " " + VFLinkAuto.String() + " " + VFLinkEnable.String() + " " + VFLinkState(7).String(); s != "disable auto enable VFLinkState(7)" {
		t.Errorf("link states named %q", s)
	}
}

// TestVFKeepsWhatItDoesNotDecode: an attribute of a virtual function that
// its fields cannot give back exactly is kept in Other, as it came, and
// the fields it would have set stay as they were; the function's number is
// that of its first setting.
func TestVFKeepsWhatItDoesNotDecode(t *testing.T) {
	mac := func(vf uint32, b ...byte) RawAttrs {
		p := make([]byte, 32)
		copy(p, b)
		return raw(uapi.IFLA_VF_MAC, append(u32s(vf), p...)...)
	}
	trust := func(vf, v uint32) RawAttrs { return raw(uapi.IFLA_VF_TRUST, u32s(vf, v)...) }
	nest := func(typ uint16, in ...RawAttrs) RawAttrs {
		return raw(typ|netlink.AttrNested, []byte(strings.Join(func() []string {
			var s []string
			for _, a := range in {
				s = append(s, string(a))
			}
			return s
		}(), ""))...)
	}
	vlan := func(vf, id uint32, tail ...byte) RawAttrs {
		return raw(uapi.IFLA_VF_VLAN_INFO, append(u32s(vf, id, 0), tail...)...)
	}
	addr := net.HardwareAddr{2, 0, 0, 0, 0, 7}
	for _, tc := range []struct {
		name string
		in   RawAttrs // the IFLA_VF_INFO's attributes
		want VFInfo
	}{
		{"short MAC", raw(uapi.IFLA_VF_MAC, u32s(3, 0)...) + trust(3, 1),
			VFInfo{ID: 3, Has: VFHasTrust, Trust: true, Other: raw(uapi.IFLA_VF_MAC, u32s(3, 0)...)}},
		{"a byte past the address", mac(3, 2, 0, 0, 0, 0, 7, 9) + trust(3, 0),
			VFInfo{ID: 3, Has: VFHasTrust, Other: mac(3, 2, 0, 0, 0, 0, 7, 9)}},
		{"another function", mac(3, addr...) + trust(4, 1),
			VFInfo{ID: 3, Has: VFHasMAC, MAC: addr, Other: trust(4, 1)}},
		{"the number is the first setting's", raw(uapi.IFLA_VF_RATE, u32s(5, 1)...) + trust(4, 1) + mac(3, addr...),
			VFInfo{ID: 4, Has: VFHasTrust, Trust: true, Other: raw(uapi.IFLA_VF_RATE, u32s(5, 1)...) + mac(3, addr...)}},
		{"no setting", raw(uapi.IFLA_VF_TX_RATE, u32s(5, 1, 2)...),
			VFInfo{Other: raw(uapi.IFLA_VF_TX_RATE, u32s(5, 1, 2)...)}},
		{"a setting of 2", trust(1, 2) + raw(uapi.IFLA_VF_SPOOFCHK, u32s(1, 1)...),
			VFInfo{ID: 1, Has: VFHasSpoofCheck, SpoofCheck: true, Other: trust(1, 2)}},
		{"unreported", trust(1, vfUnreported) + raw(uapi.IFLA_VF_LINK_STATE, u32s(1, 1)...),
			VFInfo{ID: 1, Has: VFHasLinkState, LinkState: VFLinkEnable}},
		{"unreported for another function", trust(2, vfUnreported) + raw(uapi.IFLA_VF_LINK_STATE, u32s(1, 1)...),
			VFInfo{ID: 1, Has: VFHasLinkState, LinkState: VFLinkEnable, Other: trust(2, vfUnreported)}},
		{"twice", trust(1, 1) + trust(1, 0) + raw(uapi.IFLA_VF_BROADCAST, addr...) + raw(uapi.IFLA_VF_BROADCAST, 1, 2, 3, 4, 5, 6),
			VFInfo{ID: 1, Has: VFHasTrust, Trust: true, Broadcast: addr, Other: trust(1, 0) + raw(uapi.IFLA_VF_BROADCAST, 1, 2, 3, 4, 5, 6)}},
		{"short broadcast", raw(uapi.IFLA_VF_BROADCAST, 1, 2, 3), VFInfo{Other: raw(uapi.IFLA_VF_BROADCAST, 1, 2, 3)}},
		{"GUID of another size", raw(uapi.IFLA_VF_IB_NODE_GUID, u32s(0, 1)...), VFInfo{Other: raw(uapi.IFLA_VF_IB_NODE_GUID, u32s(0, 1)...)}},
		{"a newer kernel's", raw(14, 1) + trust(0, 1), VFInfo{Has: VFHasTrust, Trust: true, Other: raw(14, 1)}},
		{"flags", raw(uapi.IFLA_VF_TRUST|netlink.AttrNetByteOrder, u32s(0, 1)...), VFInfo{Other: raw(uapi.IFLA_VF_TRUST|netlink.AttrNetByteOrder, u32s(0, 1)...)}},
		{"VLAN list", nest(uapi.IFLA_VF_VLAN_LIST, vlan(6, 5, 0x81, 0, 0, 0)) + trust(6, 1),
			VFInfo{ID: 6, Has: VFHasVLANList | VFHasTrust, VLANs: []VFVLAN{{VLAN: 5, Protocol: 0x8100}}, Trust: true}},
		{"empty VLAN list", nest(uapi.IFLA_VF_VLAN_LIST) + trust(6, 1),
			VFInfo{ID: 6, Has: VFHasVLANList | VFHasTrust, Trust: true}},
		{"VLAN list with padding", nest(uapi.IFLA_VF_VLAN_LIST, vlan(6, 5, 0x81, 0, 0, 1)) + trust(6, 1),
			VFInfo{ID: 6, Has: VFHasTrust, Trust: true, Other: nest(uapi.IFLA_VF_VLAN_LIST, vlan(6, 5, 0x81, 0, 0, 1))}},
		{"VLAN list of two functions", nest(uapi.IFLA_VF_VLAN_LIST, vlan(6, 5, 0x81, 0, 0, 0), vlan(7, 5, 0x81, 0, 0, 0)),
			VFInfo{Other: nest(uapi.IFLA_VF_VLAN_LIST, vlan(6, 5, 0x81, 0, 0, 0), vlan(7, 5, 0x81, 0, 0, 0))}},
		{"VLAN list with another entry", nest(uapi.IFLA_VF_VLAN_LIST, vlan(6, 5, 0x81, 0, 0, 0), raw(2, 1)),
			VFInfo{Other: nest(uapi.IFLA_VF_VLAN_LIST, vlan(6, 5, 0x81, 0, 0, 0), raw(2, 1))}},
		{"counters", nest(uapi.IFLA_VF_STATS, raw(uapi.IFLA_VF_STATS_RX_BYTES, 1, 0, 0, 0, 0, 0, 0, 0), raw(uapi.IFLA_VF_STATS_RX_BYTES, 2, 0, 0, 0, 0, 0, 0, 0),
			raw(uapi.IFLA_VF_STATS_TX_BYTES, 3, 0, 0, 0), raw(uapi.IFLA_VF_STATS_PAD), raw(uapi.IFLA_VF_STATS_PAD, 1), raw(9, 4, 0, 0, 0, 0, 0, 0, 0)),
			VFInfo{Stats: VFStats{RxBytes: 1}, Other: nest(uapi.IFLA_VF_STATS, raw(uapi.IFLA_VF_STATS_RX_BYTES, 2, 0, 0, 0, 0, 0, 0, 0),
				raw(uapi.IFLA_VF_STATS_TX_BYTES, 3, 0, 0, 0), raw(uapi.IFLA_VF_STATS_PAD, 1), raw(9, 4, 0, 0, 0, 0, 0, 0, 0))}},
		{"counters twice", nest(uapi.IFLA_VF_STATS) + nest(uapi.IFLA_VF_STATS, raw(uapi.IFLA_VF_STATS_RX_BYTES, 1, 0, 0, 0, 0, 0, 0, 0)),
			VFInfo{Other: nest(uapi.IFLA_VF_STATS, raw(uapi.IFLA_VF_STATS_RX_BYTES, 1, 0, 0, 0, 0, 0, 0, 0))}},
	} {
		list := raw(uapi.IFLA_VF_INFO|netlink.AttrNested, []byte(tc.in)...)
		got, err := decodeVFs([]byte(list), 6)
		if err != nil || len(got) != 1 || !reflect.DeepEqual(got[0], tc.want) {
			t.Errorf("%s: %+v, %v\nwant %+v", tc.name, got, err, tc.want)
			continue
		}
		roundTripVF(t, got[0], 6)
	}
}

// roundTripVF checks vf through SetLinkVF's request: parsed back, it is
// vf, but for what only the kernel reports (Broadcast, Stats, and their
// attributes in Other), and with a
// port GUID sent with a node GUID, which goes in an IFLA_VF_INFO of its
// own, as does TxRate sent with the rates, put back. It reports whether
// the encoder took vf. macLen is the
// physical function's address length.
func roundTripVF(t *testing.T, vf VFInfo, macLen int) bool {
	t.Helper()
	r, err := setRequest(1, func(r *request) error { return putVF(r, &vf) })
	if err != nil {
		return false
	}
	b, err := r.Finish()
	r.close()
	if err != nil {
		return false // too long
	}
	var got []VFInfo
	for a, err := range netlink.Attrs(b[uapi.SizeofIfInfomsg:]) {
		if err != nil || a.Type != uapi.IFLA_VFINFO_LIST || got != nil {
			t.Fatalf("%+v: request % x: %v", vf, b, err)
		}
		if got, err = decodeVFs(a.Data, macLen); err != nil {
			t.Fatalf("%+v: request % x: %v", vf, b, err)
		}
	}
	// The second IFLA_VF_INFO, when there is one, holds the settings the
	// kernel must apply last.
	var late VFFields
	if vf.Has&VFHasRate != 0 {
		late |= vf.Has & VFHasTxRate
	}
	if vf.Has&VFHasNodeGUID != 0 {
		late |= vf.Has & VFHasPortGUID
	}
	if late != 0 {
		if len(got) != 2 || got[1].Has != late || got[1].ID != vf.ID || got[1].Other != "" {
			t.Fatalf("%+v: request % x: %+v, want the settings %#x in a second IFLA_VF_INFO", vf, b, got, late)
		}
		got[0].Has |= late
		if late&VFHasTxRate != 0 {
			got[0].TxRate = got[1].TxRate
		}
		if late&VFHasPortGUID != 0 {
			got[0].PortGUID = got[1].PortGUID
		}
		got = got[:1]
	}
	want := vf
	want.Broadcast, want.Stats, want.Other = nil, VFStats{}, ""
	for a := range vf.Other.All() {
		if sentVFAttr(a) {
			want.Other += RawAttrs(a.Append(nil))
		}
	}
	if len(got) != 1 || !reflect.DeepEqual(got[0], want) {
		t.Fatalf("round trip of %+v:\n request % x\n got %+v", want, b, got)
	}
	return true
}

// TestSetLinkVFRequest: the bytes of SetLinkVF's requests, as ip link set
// sends them (ip link set DEV vf 1 mac 02:00:00:00:00:21 vlan 10 qos 3
// proto 802.1ad trust on; rate; node_guid and port_guid), but for the
// port GUID after a node GUID, and IFLA_VF_TX_RATE after IFLA_VF_RATE,
// each in an IFLA_VF_INFO of its own, which the kernel applies after the
// first.
func TestSetLinkVFRequest(t *testing.T) {
	arLittleEndian(t)
	nest := func(typ uint16, in RawAttrs) RawAttrs { return raw(typ|netlink.AttrNested, []byte(in)...) }
	for _, tc := range []struct {
		vf   VFInfo
		want RawAttrs
	}{
		{VFInfo{ID: 1, Has: VFHasMAC | VFHasVLANList | VFHasTrust, MAC: net.HardwareAddr{2, 0, 0, 0, 0, 0x21}, VLANs: []VFVLAN{{10, 3, 0x88a8}}, Trust: true,
			VLAN: 99, SpoofCheck: true, Broadcast: net.HardwareAddr{1}, Stats: VFStats{RxBytes: 1}}, // not sent
			nest(uapi.IFLA_VFINFO_LIST, nest(uapi.IFLA_VF_INFO,
				raw(uapi.IFLA_VF_MAC, append(u32s(1), 2, 0, 0, 0, 0, 0x21, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)...)+
					nest(uapi.IFLA_VF_VLAN_LIST, raw(uapi.IFLA_VF_VLAN_INFO, 1, 0, 0, 0, 10, 0, 0, 0, 3, 0, 0, 0, 0x88, 0xa8, 0, 0))+
					raw(uapi.IFLA_VF_TRUST, 1, 0, 0, 0, 1, 0, 0, 0)))},
		{VFInfo{ID: 2, Has: VFHasVLAN | VFHasTxRate | VFHasRate | VFHasSpoofCheck | VFHasLinkState | VFHasRSSQuery, VLAN: 4095, QoS: 7, TxRate: 5, MinTxRate: 6, MaxTxRate: 7,
			LinkState: VFLinkDisable, Other: raw(40, 1)},
			nest(uapi.IFLA_VFINFO_LIST, nest(uapi.IFLA_VF_INFO,
				raw(uapi.IFLA_VF_VLAN, u32s(2, 4095, 7)...)+raw(uapi.IFLA_VF_RATE, u32s(2, 6, 7)...)+
					raw(uapi.IFLA_VF_SPOOFCHK, u32s(2, 0)...)+raw(uapi.IFLA_VF_LINK_STATE, u32s(2, 2)...)+raw(uapi.IFLA_VF_RSS_QUERY_EN, u32s(2, 0)...)+raw(40, 1))+
				nest(uapi.IFLA_VF_INFO, raw(uapi.IFLA_VF_TX_RATE, u32s(2, 5)...)))},
		{VFInfo{ID: 2, Has: VFHasTxRate, TxRate: 5},
			nest(uapi.IFLA_VFINFO_LIST, nest(uapi.IFLA_VF_INFO, raw(uapi.IFLA_VF_TX_RATE, u32s(2, 5)...)))},
		{VFInfo{ID: 3, Has: VFHasNodeGUID | VFHasPortGUID, NodeGUID: 1, PortGUID: 2},
			nest(uapi.IFLA_VFINFO_LIST, nest(uapi.IFLA_VF_INFO, raw(uapi.IFLA_VF_IB_NODE_GUID, vfGUID(3, 1)...))+
				nest(uapi.IFLA_VF_INFO, raw(uapi.IFLA_VF_IB_PORT_GUID, vfGUID(3, 2)...)))},
		{VFInfo{ID: 3, Has: VFHasPortGUID, PortGUID: 2},
			nest(uapi.IFLA_VFINFO_LIST, nest(uapi.IFLA_VF_INFO, raw(uapi.IFLA_VF_IB_PORT_GUID, vfGUID(3, 2)...)))},
	} {
		r, err := setRequest(7, func(r *request) error { return putVF(r, &tc.vf) })
		if err != nil {
			t.Fatalf("%+v: %v", tc.vf, err)
		}
		b, err := r.Finish()
		if err != nil {
			t.Fatal(err)
		}
		if got := RawAttrs(b[uapi.SizeofIfInfomsg:]); got != tc.want || binary.NativeEndian.Uint32(b[4:]) != 7 {
			t.Errorf("%+v:\n got % x\nwant % x", tc.vf, b, tc.want)
		}
	}
}

// TestSetLinkVFRefuses: what the kernel or every driver would refuse is
// refused before sending, naming the function.
func TestSetLinkVFRefuses(t *testing.T) {
	for _, vf := range []VFInfo{
		{ID: 1},
		{ID: 1, Has: 1 << 11},
		{ID: 1<<31 - 1, Has: VFHasTrust},
		{ID: 1, Has: VFHasMAC},
		{ID: 1, Has: VFHasMAC, MAC: make(net.HardwareAddr, 33)},
		{ID: 1, Has: VFHasVLAN, VLAN: 4096},
		{ID: 1, Has: VFHasVLAN, QoS: 8},
		{ID: 1, Has: VFHasVLANList},
		{ID: 1, Has: VFHasVLANList, VLANs: []VFVLAN{{VLAN: 4096, Protocol: 0x8100}}},
		{ID: 1, Has: VFHasRate, MinTxRate: 10, MaxTxRate: 9},
		{ID: 1, Has: VFHasLinkState, LinkState: 3},
		{ID: 1, Has: VFHasTrust, Other: "\x08\x00"},
	} {
		_, err := setRequest(2, func(r *request) error { return putVF(r, &vf) })
		var op *netlink.OpError
		if !errors.Is(err, os.ErrInvalid) || !errors.As(err, &op) || op.Op != "check" || !strings.Contains(err.Error(), "VF") {
			t.Errorf("%+v: %v, want a refusal naming the VF", vf, err)
		}
	}
	// Rates of 0 are no limit; a VLAN list of one entry, as the kernel
	// takes, with any protocol, 0 too.
	for _, vf := range []VFInfo{
		{ID: 1, Has: VFHasRate, MinTxRate: 10},
		{ID: 1, Has: VFHasVLANList, VLANs: []VFVLAN{{VLAN: 4095, QoS: 7, Protocol: 0x9100}}},
		{ID: 1, Has: VFHasVLANList, VLANs: []VFVLAN{{VLAN: 1}}}, // as netdevsim lists a function without a VLAN
		{ID: 1, Other: raw(40, 1)},
	} {
		if _, err := setRequest(2, func(r *request) error { return putVF(r, &vf) }); err != nil {
			t.Errorf("%+v: %v", vf, err)
		}
	}
}

// FuzzParseVFs: IFLA_VFINFO_LIST's payload, read for a physical function
// whose address is as long as the first byte says, never panics, fails
// with ErrMalformed, reads the same twice into functions that own their
// memory, and each function goes through SetLinkVF's request and back
// (roundTripVF). FuzzParseLink reaches it too, less directly.
func FuzzParseVFs(f *testing.F) {
	for a, err := range netlink.Attrs(vfMessage()[uapi.SizeofIfInfomsg:]) {
		if err == nil && a.Type == uapi.IFLA_VFINFO_LIST {
			f.Add(append([]byte{6}, a.Data...))
			f.Add(append([]byte{20}, a.Data...))
		}
	}
	for _, vf := range []VFInfo{
		{ID: 1, Has: VFHasMAC | VFHasVLANList | VFHasTxRate | VFHasRate | VFHasNodeGUID | VFHasPortGUID, MAC: net.HardwareAddr{2, 0, 0, 0, 0, 1},
			VLANs: []VFVLAN{{1, 2, 0x8100}}, TxRate: 3, MaxTxRate: 3, NodeGUID: 4, PortGUID: 5, Other: raw(40, 1)},
	} {
		r, err := setRequest(1, func(r *request) error { return putVF(r, &vf) })
		if err != nil {
			f.Fatal(err)
		}
		b, _ := r.Finish()
		for a := range netlink.Attrs(b[uapi.SizeofIfInfomsg:]) {
			f.Add(append([]byte{6}, a.Data...))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return
		}
		macLen := int(data[0])
		vfs, err := decodeVFs(data[1:], macLen)
		if err != nil {
			if !errors.Is(err, netlink.ErrMalformed) {
				t.Fatalf("error does not wrap ErrMalformed: %v", err)
			}
			return
		}
		again, _ := decodeVFs(data[1:], macLen)
		if !reflect.DeepEqual(vfs, again) {
			t.Fatalf("second parse: %+v, first %+v", again, vfs)
		}
		if macLen <= 0 || macLen > vfMACLen {
			macLen = 6
		}
		for _, vf := range vfs {
			if aliases(vf.MAC, data) || aliases(vf.Broadcast, data) {
				t.Fatal("a VF's address aliases the input")
			}
			roundTripVF(t, vf, macLen)
		}
	})
}
