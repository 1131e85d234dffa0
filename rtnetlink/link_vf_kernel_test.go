//go:build linux

package rtnetlink_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/nstest"
	"github.com/nlkit/netlink/internal/vmtest"
)

// ipVF is a virtual function as `ip -j -d link show` prints it in
// vfinfo_list.
type ipVF struct {
	VF       uint32 `json:"vf"`
	Address  string `json:"address"`
	VLANList []struct {
		VLAN *uint32 `json:"vlan"`
		QoS  *uint32 `json:"qos"`
	} `json:"vlan_list"`
	VLAN *uint32 `json:"vlan"` // without vlan_list, from IFLA_VF_VLAN
	QoS  *uint32 `json:"qos"`
	Rate struct {
		MaxTx uint32 `json:"max_tx"`
		MinTx uint32 `json:"min_tx"`
	} `json:"rate"`
	SpoofCheck *bool  `json:"spoofchk"`
	LinkState  string `json:"link_state"`
	Trust      *bool  `json:"trust"`
	RSSQuery   *bool  `json:"query_rss_en"`
}

// vfLinkStates are ip's names of IFLA_VF_LINK_STATE's values.
var vfLinkStates = map[uint32]string{0: "auto", 1: "enable", 2: "disable"}

// TestVFsMatchIP gives a netdevsim port three SR-IOV virtual functions
// (sriov_numvfs), sets their address, VLAN and priority, rates, spoof
// checking, trust, link state and RSS query with ip link set PF vf N, and
// compares the port's Link.NumVF and VFs with ip -j -d link show's
// vfinfo_list, and every link of the namespace with ip as
// TestLinksMatchIP does. It runs where netdevsim is: in a VM
// (TestModulesVM, or internal/cmd/vmtest -modules netdevsim), since
// Debian's kernels lack it and the harness builds it.
func TestVFsMatchIP(t *testing.T) {
	if _, ok := vmtest.Guest(); !ok {
		t.Skip("runs inside the VM of TestModulesVM: it needs netdevsim, which internal/vmtest builds")
	}
	ns := nstest.New(t)
	d := ns.NewNetdevsim(t, 1, 0)
	pf := d.Ports[0]
	numvfs := fmt.Sprintf("/sys/bus/netdevsim/devices/%s/sriov_numvfs", d.Dev)
	if err := os.WriteFile(numvfs, []byte("3"), 0); err != nil {
		t.Fatalf("netdevsim: 3 virtual functions: %v", err)
	}
	t.Cleanup(func() {
		if err := os.WriteFile(numvfs, []byte("0"), 0); err != nil {
			t.Errorf("netdevsim: no virtual functions: %v", err)
		}
	})
	ns.Run(t, "link", "set", pf, "vf", "0", "mac", "02:00:00:00:00:10", "vlan", "10", "qos", "3")
	ns.Run(t, "link", "set", pf, "vf", "1", "spoofchk", "on", "trust", "on", "state", "enable", "query_rss", "on",
		"max_tx_rate", "100", "min_tx_rate", "10")
	ns.Run(t, "link", "set", pf, "vf", "2", "state", "disable", "vlan", "4000")

	rt := dial(t, ns, netlink.Config{})
	l, err := rt.LinkByName(context.Background(), pf)
	if err != nil {
		t.Fatal(err)
	}
	var ip []struct {
		VFs []ipVF `json:"vfinfo_list"`
	}
	if out := ns.Run(t, "-j", "-d", "link", "show", pf); json.Unmarshal([]byte(out), &ip) != nil || len(ip) != 1 {
		t.Fatalf("ip -j -d link show %s: %s", pf, out)
	}
	want := ip[0].VFs
	if l.NumVF != 3 || len(l.VFs) != 3 || len(want) != 3 {
		t.Fatalf("NumVF %d, %d VFs; ip lists %d, want 3", l.NumVF, len(l.VFs), len(want))
	}
	for i, vf := range l.VFs {
		w := want[i]
		wantVLAN, wantQoS := w.VLAN, w.QoS
		if len(w.VLANList) > 0 {
			wantVLAN, wantQoS = w.VLANList[0].VLAN, w.VLANList[0].QoS
		}
		deref := func(p *uint32) uint32 {
			if p == nil {
				return 0 // ip prints no vlan for 0
			}
			return *p
		}
		type view struct {
			ID                  uint32
			MAC                 string
			VLAN, QoS, Max, Min uint32
			Spoof, Trust, RSS   bool
			LinkState           string
		}
		got := view{vf.ID, vf.MAC.String(), vf.VLAN, vf.QoS, vf.MaxTxRate, vf.MinTxRate, vf.SpoofCheck, vf.Trust, vf.RSSQuery, vfLinkStates[vf.LinkState]}
		exp := view{w.VF, w.Address, deref(wantVLAN), deref(wantQoS), w.Rate.MaxTx, w.Rate.MinTx,
			w.SpoofCheck != nil && *w.SpoofCheck, w.Trust != nil && *w.Trust, w.RSSQuery != nil && *w.RSSQuery, w.LinkState}
		if got != exp {
			t.Errorf("VF %d:\n got %+v\nwant %+v (ip)", i, got, exp)
		}
	}
	// What was set, to know the comparison saw it.
	if v := l.VFs[0]; v.MAC.String() != "02:00:00:00:00:10" || v.VLAN != 10 || v.QoS != 3 {
		t.Errorf("VF 0: %+v, want the address, VLAN and priority set", v)
	}
	if v := l.VFs[1]; !v.SpoofCheck || !v.Trust || !v.RSSQuery || v.LinkState != 1 || v.MaxTxRate != 100 || v.MinTxRate != 10 {
		t.Errorf("VF 1: %+v, want the checks, trust, RSS query, state and rates set", v)
	}
	if v := l.VFs[2]; v.LinkState != 2 || v.VLAN != 4000 {
		t.Errorf("VF 2: %+v, want link state disable and VLAN 4000", v)
	}
	compareWithIP(t, ns, rt)
}
