package rtnetlink

import (
	"encoding/binary"
	"net"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/uapi"
)

// VFInfo is one SR-IOV virtual function of a device, as its physical
// function reports it (IFLA_VF_INFO in IFLA_VFINFO_LIST). Links and Link
// ask for it (IFLA_EXT_MASK with RTEXT_FILTER_VF, as ip link show does).
type VFInfo struct {
	ID         uint32           // the function's number, from 0
	MAC        net.HardwareAddr // IFLA_VF_MAC: its hardware address
	VLAN       uint32           // IFLA_VF_VLAN: the VLAN its traffic is tagged with, 0 for none
	QoS        uint32           // IFLA_VF_VLAN: the 802.1p priority of that tag
	TxRate     uint32           // IFLA_VF_TX_RATE: the maximum rate, Mb/s (older drivers)
	MinTxRate  uint32           // IFLA_VF_RATE: the guaranteed rate, Mb/s
	MaxTxRate  uint32           // IFLA_VF_RATE: the maximum rate, Mb/s
	SpoofCheck bool             // IFLA_VF_SPOOFCHK: source addresses checked
	LinkState  uint32           // IFLA_VF_LINK_STATE: 0 follows the physical function's, 1 up, 2 down
	Trust      bool             // IFLA_VF_TRUST: may change its address and turn promiscuous
	RSSQuery   bool             // IFLA_VF_RSS_QUERY_EN: may query the RSS configuration
}

// decodeVFs reads IFLA_VFINFO_LIST's payload; macLen is the hardware
// address length of the physical function (6 if it has none).
func decodeVFs(b []byte, macLen int) ([]VFInfo, error) {
	if macLen <= 0 || macLen > 32 {
		macLen = 6
	}
	var vfs []VFInfo
	d := netlink.NewAttrDecoder(b)
	for d.Next() {
		if d.Type() != uapi.IFLA_VF_INFO {
			continue
		}
		var vf VFInfo
		nest := d.Enter()
		for d.Next() {
			p := d.Bytes()
			u32 := func(i int) uint32 {
				if len(p) < 4*(i+1) {
					return 0
				}
				return binary.NativeEndian.Uint32(p[4*i:])
			}
			switch d.Type() {
			case uapi.IFLA_VF_MAC, uapi.IFLA_VF_VLAN, uapi.IFLA_VF_TX_RATE, uapi.IFLA_VF_RATE,
				uapi.IFLA_VF_SPOOFCHK, uapi.IFLA_VF_LINK_STATE, uapi.IFLA_VF_TRUST, uapi.IFLA_VF_RSS_QUERY_EN:
				vf.ID = u32(0) // these structs start with the function's number
			}
			switch d.Type() {
			case uapi.IFLA_VF_MAC: // struct ifla_vf_mac: vf, mac[32]
				if len(p) >= 4+macLen {
					vf.MAC = cloneAddr(p[4 : 4+macLen])
				}
			case uapi.IFLA_VF_VLAN: // struct ifla_vf_vlan: vf, vlan, qos
				vf.VLAN, vf.QoS = u32(1), u32(2)
			case uapi.IFLA_VF_TX_RATE: // struct ifla_vf_tx_rate: vf, rate
				vf.TxRate = u32(1)
			case uapi.IFLA_VF_RATE: // struct ifla_vf_rate: vf, min, max
				vf.MinTxRate, vf.MaxTxRate = u32(1), u32(2)
			case uapi.IFLA_VF_SPOOFCHK: // struct ifla_vf_spoofchk: vf, setting
				vf.SpoofCheck = u32(1) == 1
			case uapi.IFLA_VF_LINK_STATE: // struct ifla_vf_link_state: vf, link_state
				vf.LinkState = u32(1)
			case uapi.IFLA_VF_TRUST: // struct ifla_vf_trust: vf, setting
				vf.Trust = u32(1) == 1
			case uapi.IFLA_VF_RSS_QUERY_EN: // struct ifla_vf_rss_query_en: vf, setting
				vf.RSSQuery = u32(1) == 1
			}
		}
		d.Exit(nest)
		vfs = append(vfs, vf)
	}
	return vfs, d.Err()
}

// rtextFilterVF is RTEXT_FILTER_VF from <linux/rtnetlink.h>, which
// x/sys/unix lacks: IFLA_EXT_MASK's bit asking for the virtual functions.
const rtextFilterVF = 1 << 0
