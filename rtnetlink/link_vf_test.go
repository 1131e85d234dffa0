package rtnetlink

import (
	"encoding/binary"
	"net"
	"reflect"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/uapi"
)

// vfMessage is an RTM_NEWLINK payload of a physical function with two
// virtual functions, as a driver with SR-IOV reports them (this machine
// has none): IFLA_NUM_VF, then IFLA_VFINFO_LIST with the structs of
// <linux/if_link.h>, each led by the function's number, and a nested
// IFLA_VF_STATS that is not read.
func vfMessage() []byte {
	u32s := func(v ...uint32) []byte {
		var b []byte
		for _, x := range v {
			b = binary.NativeEndian.AppendUint32(b, x)
		}
		return b
	}
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
		e.Bytes(uapi.IFLA_VF_VLAN, u32s(vf, 100+vf, 3))
		e.Bytes(uapi.IFLA_VF_TX_RATE, u32s(vf, 0))
		e.Bytes(uapi.IFLA_VF_RATE, u32s(vf, 10, 1000))
		e.Bytes(uapi.IFLA_VF_SPOOFCHK, u32s(vf, 1))
		e.Bytes(uapi.IFLA_VF_LINK_STATE, u32s(vf, 2))
		e.Bytes(uapi.IFLA_VF_RSS_QUERY_EN, u32s(vf, vf))
		e.Bytes(uapi.IFLA_VF_TRUST, u32s(vf, 1-vf))
		stats := e.Nest(uapi.IFLA_VF_STATS)
		e.Uint64(uapi.IFLA_VF_STATS_RX_PACKETS, 77)
		e.End(stats)
		e.End(info)
	}
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
	want := []VFInfo{
		{ID: 0, MAC: net.HardwareAddr{2, 0, 0, 0, 1, 0}, VLAN: 100, QoS: 3, MinTxRate: 10, MaxTxRate: 1000, SpoofCheck: true, LinkState: 2, Trust: true},
		{ID: 1, MAC: net.HardwareAddr{2, 0, 0, 0, 1, 1}, VLAN: 101, QoS: 3, MinTxRate: 10, MaxTxRate: 1000, SpoofCheck: true, LinkState: 2, RSSQuery: true},
	}
	if l.NumVF != 2 || !reflect.DeepEqual(l.VFs, want) {
		t.Errorf("NumVF %d, VFs\n %+v\nwant\n %+v", l.NumVF, l.VFs, want)
	}
}
