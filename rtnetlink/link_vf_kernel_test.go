//go:build linux

package rtnetlink_test

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"reflect"
	"strings"
	"syscall"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/nstest"
	"github.com/nlkit/netlink/internal/vmtest"
	"github.com/nlkit/netlink/rtnetlink"
	"golang.org/x/sys/unix"
)

// ipVF is a virtual function as `ip -j -s -d link show` prints it in
// vfinfo_list (iproute2's print_vfinfo): a key is left out when its
// attribute is, and spoofchk, trust and query_rss_en when the driver
// reports -1; a VLAN, a priority and a tx_rate of 0 are left out too, and
// a protocol of 802.1Q.
type ipVF struct {
	VF        uint32 `json:"vf"`
	Address   string `json:"address"`
	Broadcast string `json:"broadcast"`
	VLANList  *[]struct {
		VLAN     uint32 `json:"vlan"`
		QoS      uint32 `json:"qos"`
		Protocol string `json:"protocol"`
	} `json:"vlan_list"`
	VLAN   uint32 `json:"vlan"` // without vlan_list, from IFLA_VF_VLAN
	QoS    uint32 `json:"qos"`
	TxRate uint32 `json:"tx_rate"`
	Rate   *struct {
		MaxTx uint32 `json:"max_tx"`
		MinTx uint32 `json:"min_tx"`
	} `json:"rate"`
	SpoofCheck *bool  `json:"spoofchk"`
	LinkState  string `json:"link_state"`
	Trust      *bool  `json:"trust"`
	RSSQuery   *bool  `json:"query_rss_en"`
	NodeGUID   string `json:"node guid"`
	PortGUID   string `json:"port guid"`
	Stats      *struct {
		RX struct {
			Bytes     uint64 `json:"bytes"`
			Packets   uint64 `json:"packets"`
			Multicast uint64 `json:"multicast"`
			Broadcast uint64 `json:"broadcast"`
			Dropped   uint64 `json:"dropped"`
		} `json:"rx"`
		TX struct {
			Bytes   uint64 `json:"tx_bytes"`
			Packets uint64 `json:"tx_packets"`
			Dropped uint64 `json:"dropped"`
		} `json:"tx"`
	} `json:"stats"`
}

// ipVLANProtocols are the names ip gives the VLAN protocols. It leaves
// out 802.1Q, and 0, which netdevsim lists for a function never given a
// VLAN: "" stands for either.
var ipVLANProtocols = map[string]uint16{"802.1Q": 0x8100, "802.1ad": 0x88a8}

// ipGUID is a GUID as ip prints it: its 8 bytes, most significant first.
func ipGUID(g uint64) string {
	return net.HardwareAddr(binary.BigEndian.AppendUint64(nil, g)).String()
}

// compareVFs compares the virtual functions of a link with what ip -j -s
// -d link show printed of them (its vfinfo_list), every field and
// setting, and says what differs. What ip prints in another form (a
// key left out for 0 or for -1) is compared in that form.
func compareVFs(name string, raw []json.RawMessage, vfs []rtnetlink.VFInfo) []string {
	var diffs []string
	errorf := func(i int, field string, got, want any) {
		diffs = append(diffs, fmt.Sprintf("%s VF %d: %s = %v, ip says %v", name, i, field, got, want))
	}
	if len(raw) != len(vfs) {
		return []string{fmt.Sprintf("%s: %d VFs, ip lists %d", name, len(vfs), len(raw))}
	}
	for i, vf := range vfs {
		var ip ipVF
		if err := json.Unmarshal(raw[i], &ip); err != nil {
			diffs = append(diffs, fmt.Sprintf("%s VF %d: %v: %s", name, i, err, raw[i]))
			continue
		}
		if vf.ID != ip.VF {
			errorf(i, "ID", vf.ID, ip.VF)
		}
		if vf.MAC.String() != ip.Address || vf.Has&rtnetlink.VFHasMAC == 0 {
			errorf(i, "MAC", vf.MAC, ip.Address)
		}
		if vf.Broadcast.String() != ip.Broadcast {
			errorf(i, "Broadcast", vf.Broadcast, ip.Broadcast)
		}
		if ip.VLANList == nil {
			if vf.Has&rtnetlink.VFHasVLANList != 0 || vf.VLAN != ip.VLAN || vf.QoS != ip.QoS {
				errorf(i, "VLAN, QoS (no list)", fmt.Sprint(vf.VLAN, vf.QoS, vf.VLANs), fmt.Sprint(ip.VLAN, ip.QoS))
			}
		} else {
			var want []rtnetlink.VFVLAN
			for j, v := range *ip.VLANList {
				p, ok := ipVLANProtocols[v.Protocol]
				switch {
				case v.Protocol == "" && j < len(vf.VLANs) && vf.VLANs[j].Protocol == 0:
				case v.Protocol == "":
					p = 0x8100
				case !ok:
					errorf(i, "VLANs", vf.VLANs, "protocol "+v.Protocol)
				}
				want = append(want, rtnetlink.VFVLAN{VLAN: v.VLAN, QoS: v.QoS, Protocol: p})
			}
			if vf.Has&rtnetlink.VFHasVLANList == 0 || !reflect.DeepEqual(vf.VLANs, want) {
				errorf(i, "VLANs", vf.VLANs, want)
			}
			// ip prints the list alone; the kernel lists its first
			// entry's VLAN and priority in IFLA_VF_VLAN as well.
			if len(want) > 0 && (vf.Has&rtnetlink.VFHasVLAN == 0 || vf.VLAN != want[0].VLAN || vf.QoS != want[0].QoS) {
				errorf(i, "VLAN, QoS", fmt.Sprint(vf.VLAN, vf.QoS), fmt.Sprint(want[0].VLAN, want[0].QoS))
			}
		}
		if vf.TxRate != ip.TxRate {
			errorf(i, "TxRate", vf.TxRate, ip.TxRate)
		}
		if ip.Rate == nil {
			if vf.Has&rtnetlink.VFHasRate != 0 {
				errorf(i, "MinTxRate, MaxTxRate", fmt.Sprint(vf.MinTxRate, vf.MaxTxRate), "none")
			}
		} else if vf.Has&rtnetlink.VFHasRate == 0 || vf.MinTxRate != ip.Rate.MinTx || vf.MaxTxRate != ip.Rate.MaxTx {
			errorf(i, "MinTxRate, MaxTxRate", fmt.Sprint(vf.MinTxRate, vf.MaxTxRate), fmt.Sprint(ip.Rate.MinTx, ip.Rate.MaxTx))
		}
		for _, s := range []struct {
			name string
			bit  rtnetlink.VFFields
			got  bool
			ip   *bool
		}{
			{"SpoofCheck", rtnetlink.VFHasSpoofCheck, vf.SpoofCheck, ip.SpoofCheck},
			{"Trust", rtnetlink.VFHasTrust, vf.Trust, ip.Trust},
			{"RSSQuery", rtnetlink.VFHasRSSQuery, vf.RSSQuery, ip.RSSQuery},
		} {
			switch {
			case s.ip == nil && (vf.Has&s.bit != 0 || s.got):
				errorf(i, s.name, s.got, "not reported")
			case s.ip != nil && (vf.Has&s.bit == 0 || s.got != *s.ip):
				errorf(i, s.name, fmt.Sprint(s.got, vf.Has&s.bit != 0), *s.ip)
			}
		}
		// ip prints disable for any state but auto and enable.
		if st := vf.LinkState.String(); (st != ip.LinkState && (ip.LinkState != "disable" || vf.LinkState <= rtnetlink.VFLinkEnable)) ||
			vf.Has&rtnetlink.VFHasLinkState == 0 {
			errorf(i, "LinkState", st, ip.LinkState)
		}
		for _, g := range []struct {
			name string
			bit  rtnetlink.VFFields
			got  uint64
			ip   string
		}{
			{"NodeGUID", rtnetlink.VFHasNodeGUID, vf.NodeGUID, ip.NodeGUID},
			{"PortGUID", rtnetlink.VFHasPortGUID, vf.PortGUID, ip.PortGUID},
		} {
			if (vf.Has&g.bit != 0) != (g.ip != "") || g.ip != "" && ipGUID(g.got) != g.ip {
				errorf(i, g.name, ipGUID(g.got), g.ip)
			}
		}
		if ip.Stats != nil {
			got := vf.Stats
			want := rtnetlink.VFStats{
				RxPackets: ip.Stats.RX.Packets, TxPackets: ip.Stats.TX.Packets,
				RxBytes: ip.Stats.RX.Bytes, TxBytes: ip.Stats.TX.Bytes,
				Broadcast: ip.Stats.RX.Broadcast, Multicast: ip.Stats.RX.Multicast,
				RxDropped: ip.Stats.RX.Dropped, TxDropped: ip.Stats.TX.Dropped,
			}
			if got != want {
				errorf(i, "Stats", got, want)
			}
		}
	}
	return diffs
}

// newVFs gives a netdevsim port of ns n SR-IOV virtual functions
// (sriov_numvfs) and returns its name; they go at the end of the test.
func newVFs(t *testing.T, ns *nstest.NS, n int) string {
	t.Helper()
	if _, ok := vmtest.Guest(); !ok {
		t.Skip("runs inside the VM of TestModulesVM: it needs netdevsim, which internal/vmtest builds")
	}
	d := ns.NewNetdevsim(t, 1, 0)
	numvfs := fmt.Sprintf("/sys/bus/netdevsim/devices/%s/sriov_numvfs", d.Dev)
	if err := os.WriteFile(numvfs, []byte(fmt.Sprint(n)), 0); err != nil {
		t.Fatalf("netdevsim: %d virtual functions: %v", n, err)
	}
	t.Cleanup(func() {
		if err := os.WriteFile(numvfs, []byte("0"), 0); err != nil {
			t.Errorf("netdevsim: no virtual functions: %v", err)
		}
	})
	return d.Ports[0]
}

// vfsMatchIP lists the link pf with rt and with ip -j -s -d link show,
// compares its virtual functions, and returns the link. The kernel reports
// nothing of a netdevsim function that VFInfo does not model: its Other,
// and the link's, hold nothing of them.
func vfsMatchIP(t *testing.T, ns *nstest.NS, rt *rtnetlink.Conn, pf string) rtnetlink.Link {
	t.Helper()
	l, err := rt.LinkByName(context.Background(), pf)
	if err != nil {
		t.Fatal(err)
	}
	ip := ipLinks(t, ns, pf)
	if len(ip) != 1 {
		t.Fatalf("ip lists %d links named %s", len(ip), pf)
	}
	for _, d := range compareVFs(pf, ip[0].VFs, l.VFs) {
		t.Error(d)
	}
	for _, vf := range l.VFs {
		if vf.Other != "" {
			t.Errorf("VF %d: Other % x: the kernel sent what VFInfo does not model", vf.ID, vf.Other)
		}
	}
	for a, err := range l.Other.All() {
		if err == nil && a.Type == unix.IFLA_VFINFO_LIST {
			t.Errorf("Other keeps an IFLA_VFINFO_LIST % x", a.Data)
		}
	}
	return l
}

// TestVFsMatchIP gives a netdevsim port three SR-IOV virtual functions
// (sriov_numvfs), sets their address, VLAN, priority and protocol, rates
// (both APIs), spoof checking, trust, link state and RSS query with ip
// link set PF vf N, and compares the port's Link.NumVF and every field of
// its VFs with ip -j -s -d link show's vfinfo_list (broadcast address and
// counters as the kernel reports them: netdevsim counts nothing, and has
// no GUIDs), and every link of the namespace with ip as TestLinksMatchIP
// does. It runs where netdevsim is: in a VM (TestModulesVM, or
// internal/cmd/vmtest -modules netdevsim), since Debian's kernels lack it
// and the harness builds it.
func TestVFsMatchIP(t *testing.T) {
	ns := nstest.New(t)
	pf := newVFs(t, ns, 3)
	ns.Run(t, "link", "set", pf, "vf", "0", "mac", "02:00:00:00:00:10", "vlan", "10", "qos", "3", "proto", "802.1ad")
	ns.Run(t, "link", "set", pf, "vf", "1", "spoofchk", "on", "trust", "on", "state", "enable", "query_rss", "on",
		"max_tx_rate", "100", "min_tx_rate", "10")
	ns.Run(t, "link", "set", pf, "vf", "1", "rate", "50") // IFLA_VF_TX_RATE: the maximum, with the minimum kept
	ns.Run(t, "link", "set", pf, "vf", "2", "state", "disable", "vlan", "4000")

	rt := dial(t, ns, netlink.Config{})
	l := vfsMatchIP(t, ns, rt, pf)
	if l.NumVF != 3 || len(l.VFs) != 3 {
		t.Fatalf("NumVF %d, %d VFs, want 3", l.NumVF, len(l.VFs))
	}
	// What was set, to know the comparison saw it.
	if v := l.VFs[0]; v.MAC.String() != "02:00:00:00:00:10" || v.VLAN != 10 || v.QoS != 3 ||
		!reflect.DeepEqual(v.VLANs, []rtnetlink.VFVLAN{{VLAN: 10, QoS: 3, Protocol: 0x88a8}}) {
		t.Errorf("VF 0: %+v, want the address, VLAN, priority and 802.1ad set", v)
	}
	if v := l.VFs[1]; !v.SpoofCheck || !v.Trust || !v.RSSQuery || v.LinkState != rtnetlink.VFLinkEnable ||
		v.MaxTxRate != 50 || v.MinTxRate != 10 || v.TxRate != 50 {
		t.Errorf("VF 1: %+v, want the checks, trust, RSS query, state and rates set", v)
	}
	if v := l.VFs[2]; v.LinkState != rtnetlink.VFLinkDisable || v.VLAN != 4000 || len(v.VLANs) != 1 || v.VLANs[0].Protocol != 0x8100 {
		t.Errorf("VF 2: %+v, want link state disable and VLAN 4000 (802.1Q)", v)
	}
	// netdevsim reports every setting; the broadcast address is the port's.
	const all = rtnetlink.VFHasMAC | rtnetlink.VFHasVLAN | rtnetlink.VFHasVLANList | rtnetlink.VFHasTxRate | rtnetlink.VFHasRate |
		rtnetlink.VFHasSpoofCheck | rtnetlink.VFHasLinkState | rtnetlink.VFHasTrust | rtnetlink.VFHasRSSQuery
	for _, v := range l.VFs {
		if v.Has != all || v.Broadcast.String() != l.Broadcast.String() {
			t.Errorf("VF %d: Has %#x, broadcast %v; want %#x and the port's %v", v.ID, v.Has, v.Broadcast, all, l.Broadcast)
		}
	}
	compareWithIP(t, ns, rt)
}

// TestSetLinkVF sets virtual functions of a netdevsim port with
// SetLinkVF, as ip link set PF vf N does, and checks what ip -j -s -d link
// show then says: the settings sent, and those left out unchanged. Then
// it changes every function with ip, sets each back as it was listed
// before (SetLinkVF of the listed VFInfo) and lists the same functions
// again, field for field. A setting the driver cannot change (a GUID, on
// a device that is not InfiniBand) is EOPNOTSUPP, and a request the
// package refuses is never sent.
func TestSetLinkVF(t *testing.T) {
	ns := nstest.New(t)
	pf := newVFs(t, ns, 3)
	rt := dial(t, ns, netlink.Config{})
	ctx := context.Background()
	l, err := rt.LinkByName(ctx, pf)
	if err != nil {
		t.Fatal(err)
	}
	mac := net.HardwareAddr{2, 0, 0, 0, 0, 0x21}
	for _, vf := range []rtnetlink.VFInfo{
		{ID: 0, Has: rtnetlink.VFHasMAC | rtnetlink.VFHasVLANList | rtnetlink.VFHasRate | rtnetlink.VFHasTrust,
			MAC: mac, VLANs: []rtnetlink.VFVLAN{{VLAN: 20, QoS: 5, Protocol: 0x88a8}}, MinTxRate: 20, MaxTxRate: 200, Trust: true},
		{ID: 1, Has: rtnetlink.VFHasVLAN | rtnetlink.VFHasSpoofCheck | rtnetlink.VFHasLinkState | rtnetlink.VFHasRSSQuery,
			VLAN: 30, QoS: 1, SpoofCheck: true, LinkState: rtnetlink.VFLinkDisable, RSSQuery: true},
		{ID: 2, Has: rtnetlink.VFHasTxRate | rtnetlink.VFHasLinkState, TxRate: 70, LinkState: rtnetlink.VFLinkEnable},
	} {
		if err := rt.SetLinkVF(ctx, l.Index, vf); err != nil {
			t.Fatalf("SetLinkVF(%+v): %v", vf, err)
		}
	}
	set := vfsMatchIP(t, ns, rt, pf)
	var ip []struct {
		VFs []ipVF `json:"vfinfo_list"`
	}
	if out := ns.Run(t, "-j", "-d", "link", "show", pf); json.Unmarshal([]byte(out), &ip) != nil || len(ip) != 1 || len(ip[0].VFs) != 3 {
		t.Fatalf("ip -j -d link show %s: %s", pf, out)
	}
	// What ip says was set, in its own words; the settings not sent
	// are as netdevsim starts them: off, auto, 0.
	for i, want := range []string{
		`vf 0 02:00:00:00:00:21 [{20 5 802.1ad}] tx 200 rate 20-200 spoof false state auto trust true rss false`,
		`vf 1 00:00:00:00:00:00 [{30 1 }] tx 0 rate 0-0 spoof true state disable trust false rss true`,
		`vf 2 00:00:00:00:00:00 [{0 0 }] tx 70 rate 0-70 spoof false state enable trust false rss false`,
	} {
		v := ip[0].VFs[i]
		var vlans []string
		if v.VLANList != nil {
			for _, x := range *v.VLANList {
				vlans = append(vlans, fmt.Sprintf("{%d %d %s}", x.VLAN, x.QoS, x.Protocol))
			}
		}
		rate := "none"
		if v.Rate != nil {
			rate = fmt.Sprintf("%d-%d", v.Rate.MinTx, v.Rate.MaxTx)
		}
		b := func(p *bool) string {
			if p == nil {
				return "unreported"
			}
			return fmt.Sprint(*p)
		}
		got := fmt.Sprintf("vf %d %s [%s] tx %d rate %s spoof %s state %s trust %s rss %s", v.VF, v.Address, strings.Join(vlans, " "),
			v.TxRate, rate, b(v.SpoofCheck), v.LinkState, b(v.Trust), b(v.RSSQuery))
		if got != want {
			t.Errorf("after SetLinkVF, ip says\n %s\nwant\n %s", got, want)
		}
	}

	// Changed with ip, then set back as listed.
	for i := range 3 {
		ns.Run(t, "link", "set", pf, "vf", fmt.Sprint(i), "mac", fmt.Sprintf("02:00:00:00:01:%02x", i), "vlan", "99", "qos", "7",
			"max_tx_rate", "900", "min_tx_rate", "90", "spoofchk", "off", "trust", "off", "state", "auto", "query_rss", "off")
	}
	changed := vfsMatchIP(t, ns, rt, pf)
	if reflect.DeepEqual(changed.VFs, set.VFs) {
		t.Fatalf("ip link set changed nothing: %+v", changed.VFs)
	}
	for _, vf := range set.VFs {
		if err := rt.SetLinkVF(ctx, l.Index, vf); err != nil {
			t.Fatalf("SetLinkVF(%+v) as listed: %v", vf, err)
		}
	}
	again := vfsMatchIP(t, ns, rt, pf)
	if !reflect.DeepEqual(again.VFs, set.VFs) {
		t.Errorf("set back as listed:\n %+v\nwant\n %+v", again.VFs, set.VFs)
	}

	// netdevsim has no GUIDs (nor InfiniBand); the settings before the
	// GUID are applied.
	err = rt.SetLinkVF(ctx, l.Index, rtnetlink.VFInfo{ID: 2, Has: rtnetlink.VFHasTrust | rtnetlink.VFHasNodeGUID, Trust: true, NodeGUID: 1})
	var op *netlink.OpError
	if !errors.Is(err, syscall.EOPNOTSUPP) || !errors.As(err, &op) || !strings.Contains(err.Error(), fmt.Sprint(l.Index)) {
		t.Errorf("a node GUID: %v, want EOPNOTSUPP naming link %d", err, l.Index)
	}
	if v := vfsMatchIP(t, ns, rt, pf).VFs[2]; !v.Trust {
		t.Errorf("VF 2 after a refused GUID: %+v, want the trust set before it", v)
	}
	// A function the device lacks is the driver's EINVAL; settings out of
	// range are refused before sending.
	err = rt.SetLinkVF(ctx, l.Index, rtnetlink.VFInfo{ID: 3, Has: rtnetlink.VFHasTrust})
	if !errors.Is(err, syscall.EINVAL) || !errors.As(err, &op) || op.Op == "check" {
		t.Errorf("VF 3 of 3: %v, want the kernel's EINVAL", err)
	}
	if err := rt.SetLinkVF(ctx, l.Index, rtnetlink.VFInfo{ID: 0, Has: rtnetlink.VFHasVLAN, VLAN: 4096}); !errors.Is(err, os.ErrInvalid) {
		t.Errorf("VLAN 4096: %v, want a refusal before sending", err)
	}
	if again := vfsMatchIP(t, ns, rt, pf); !reflect.DeepEqual(again.VFs[:2], set.VFs[:2]) {
		t.Errorf("the refusals changed VFs 0 and 1:\n %+v\nwant\n %+v", again.VFs[:2], set.VFs[:2])
	}
}
