//go:build linux

package rtnetlink_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/nstest"
	"github.com/nlkit/netlink/rtnetlink"
	"golang.org/x/sys/unix"
)

// vlanBridge makes a bridge br0 with VLAN filtering and veth ports p0 and
// p1 in ns, and returns the indexes by name. It skips on kernels without
// VLAN filtering (CONFIG_BRIDGE_VLAN_FILTERING), as this machine's.
func vlanBridge(t *testing.T, ns *nstest.NS) map[string]int {
	t.Helper()
	if out, err := ns.Try("link", "add", "br0", "type", "bridge", "vlan_filtering", "1"); err != nil {
		t.Skipf("no bridge VLAN filtering in this kernel (CONFIG_BRIDGE_VLAN_FILTERING): %s", out)
	}
	ns.Batch(t, []string{
		"link add p0 type veth peer name p1",
		"link set p0 master br0",
		"link set p1 master br0",
		"link set br0 up", "link set p0 up", "link set p1 up",
	})
	return indexes(t, ns)
}

// indexes returns the namespace's link indexes by name.
func indexes(t *testing.T, ns *nstest.NS) map[string]int {
	t.Helper()
	var links []struct {
		Index int    `json:"ifindex"`
		Name  string `json:"ifname"`
	}
	if err := json.Unmarshal([]byte(ns.Run(t, "-j", "link", "show")), &links); err != nil {
		t.Fatal(err)
	}
	m := map[string]int{}
	for _, l := range links {
		m[l.Name] = l.Index
	}
	return m
}

// runBridge runs bridge with args in ns and returns its output.
func runBridge(t *testing.T, ns *nstest.NS, args ...string) string {
	t.Helper()
	out, err := exec.Command("bridge", append([]string{"-n", ns.Name}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("bridge %s: %v: %s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// vlanLine is one VLAN as a line: "p0 10 pvid|untagged tunnel 1000".
func vlanLine(name string, vid int, flags rtnetlink.BridgeVLANFlags, tunnel uint32) string {
	s := fmt.Sprintf("%s %d %v", name, vid, flags&(rtnetlink.BridgeVLANPVID|rtnetlink.BridgeVLANUntagged))
	if tunnel != 0 {
		s += fmt.Sprintf(" tunnel %d", tunnel)
	}
	return s
}

// bridgeVLANLines returns bridge -j vlan show's VLANs, one line each, a
// range expanded.
func bridgeVLANLines(t *testing.T, ns *nstest.NS) []string {
	t.Helper()
	var devs []struct {
		Name  string `json:"ifname"`
		VLANs []struct {
			VLAN  int      `json:"vlan"`
			End   int      `json:"vlanEnd"`
			Flags []string `json:"flags"`
		} `json:"vlans"`
	}
	out := runBridge(t, ns, "-j", "vlan", "show")
	if err := json.Unmarshal([]byte(out), &devs); err != nil {
		t.Fatalf("bridge -j vlan show: %v: %s", err, out)
	}
	var lines []string
	for _, d := range devs {
		for _, v := range d.VLANs {
			var f rtnetlink.BridgeVLANFlags
			for _, s := range v.Flags {
				switch s {
				case "PVID":
					f |= rtnetlink.BridgeVLANPVID
				case "Egress Untagged":
					f |= rtnetlink.BridgeVLANUntagged
				}
			}
			for vid := v.VLAN; vid <= max(v.VLAN, v.End); vid++ {
				lines = append(lines, vlanLine(d.Name, vid, f, 0))
			}
		}
	}
	slices.Sort(lines)
	return lines
}

// ourVLANLines returns the VLANs seq lists, one line each, a range
// expanded, with tunnel IDs when withTunnel.
func ourVLANLines(t *testing.T, seq func(func(rtnetlink.BridgeVLAN, error) bool), names map[int]string, withTunnel bool) []string {
	t.Helper()
	var lines []string
	for v, err := range seq {
		if err != nil {
			t.Fatal(err)
		}
		for vid := int(v.VID); vid <= int(max(v.VID, v.VIDEnd)); vid++ {
			tunnel := uint32(0)
			if withTunnel && v.TunnelID != 0 {
				tunnel = v.TunnelID + uint32(vid-int(v.VID))
			}
			lines = append(lines, vlanLine(names[v.Index], vid, v.Flags, tunnel))
		}
	}
	slices.Sort(lines)
	return lines
}

func invert(m map[string]int) map[int]string {
	r := map[int]string{}
	for k, v := range m {
		r[v] = k
	}
	return r
}

// TestBridgeVLANsMatchBridge adds and deletes port VLANs both ways,
// RTM_NEWVLAN (AddBridgeVLAN) and the setlink form (AddPortVLAN), and with
// bridge vlan add; BridgeVLANs, PortVLANs and bridge -j vlan show list the
// same VLANs with the same flags.
func TestBridgeVLANsMatchBridge(t *testing.T) {
	ns := nstest.New(t)
	idx := vlanBridge(t, ns)
	names := invert(idx)
	rt := dial(t, ns, netlink.Config{})
	ctx := context.Background()
	p0, p1, br := idx["p0"], idx["p1"], idx["br0"]

	for _, v := range []rtnetlink.BridgeVLAN{
		{Index: p0, VID: 10, Flags: rtnetlink.BridgeVLANPVID | rtnetlink.BridgeVLANUntagged},
		{Index: p0, VID: 20, VIDEnd: 30},
		{Index: p1, VID: 11, Flags: rtnetlink.BridgeVLANUntagged},
	} {
		if err := rt.AddBridgeVLAN(ctx, v); err != nil {
			t.Fatalf("AddBridgeVLAN(%+v): %v", v, err)
		}
	}
	for _, v := range []rtnetlink.BridgeVLAN{
		{Index: p0, VID: 40, VIDEnd: 45, Flags: rtnetlink.BridgeVLANUntagged},
		{Index: p1, VID: 12, Flags: rtnetlink.BridgeVLANPVID},
		{Index: br, VID: 50, Self: true},
	} {
		if err := rt.AddPortVLAN(ctx, v); err != nil {
			t.Fatalf("AddPortVLAN(%+v): %v", v, err)
		}
	}
	runBridge(t, ns, "vlan", "add", "dev", "p1", "vid", "60-62", "untagged")
	runBridge(t, ns, "vlan", "add", "dev", "br0", "vid", "70", "self")

	compare := func(when string) {
		t.Helper()
		want := bridgeVLANLines(t, ns)
		for name, seq := range map[string]func(func(rtnetlink.BridgeVLAN, error) bool){
			"BridgeVLANs": rt.BridgeVLANs(ctx, 0), "PortVLANs": rt.PortVLANs(ctx, 0)} {
			if got := ourVLANLines(t, seq, names, false); !slices.Equal(got, want) {
				t.Errorf("%s: %s lists\n%s\nbridge -j vlan show\n%s", when, name, strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		}
	}
	compare("after adding")
	if got := bridgeVLANLines(t, ns); !slices.Contains(got, "p0 25 0x0") || !slices.Contains(got, "br0 50 0x0") || !slices.Contains(got, "p1 12 pvid") {
		t.Errorf("bridge lacks VLANs we added: %q", got)
	}

	// The PVID moves: p0's VLAN 10 is no longer the PVID once 20 is.
	if err := rt.AddBridgeVLAN(ctx, rtnetlink.BridgeVLAN{Index: p0, VID: 21, Flags: rtnetlink.BridgeVLANPVID}); err != nil {
		t.Fatal(err)
	}
	if err := rt.DeleteBridgeVLAN(ctx, rtnetlink.BridgeVLAN{Index: p0, VID: 25, VIDEnd: 27}); err != nil {
		t.Fatal(err)
	}
	if err := rt.DeletePortVLAN(ctx, rtnetlink.BridgeVLAN{Index: p0, VID: 41, VIDEnd: 42}); err != nil {
		t.Fatal(err)
	}
	// Delete as listed: every VLAN of p1 that PortVLANs lists.
	var p1VLANs []rtnetlink.BridgeVLAN
	for v, err := range rt.PortVLANs(ctx, p1) {
		if err != nil {
			t.Fatal(err)
		}
		if v.Index != p1 {
			t.Errorf("PortVLANs(p1) lists %+v", v)
		}
		p1VLANs = append(p1VLANs, v)
	}
	for _, v := range p1VLANs {
		if err := rt.DeletePortVLAN(ctx, v); err != nil {
			t.Errorf("DeletePortVLAN(%+v) as listed: %v", v, err)
		}
	}
	compare("after deleting")
	got := bridgeVLANLines(t, ns)
	for _, l := range []string{"p0 21 pvid", "p0 10 untagged", "p0 24 0x0", "p0 28 0x0", "p0 40 untagged", "p0 43 untagged"} {
		if !slices.Contains(got, l) {
			t.Errorf("bridge lacks %q: %q", l, got)
		}
	}
	for _, l := range []string{"p0 25 0x0", "p0 27 0x0", "p0 41 untagged", "p0 42 untagged"} {
		if slices.Contains(got, l) {
			t.Errorf("bridge still has %q", l)
		}
	}
	if slices.ContainsFunc(got, func(l string) bool { return strings.HasPrefix(l, "p1 ") }) {
		t.Errorf("p1 has VLANs after deleting those listed: %q", got)
	}

	// Refusals: before sending, and the kernel's.
	for _, v := range []rtnetlink.BridgeVLAN{{Index: p0, VID: 4095}, {Index: p0, VID: 0}, {Index: p0, VID: 20, VIDEnd: 10},
		{Index: p0, VID: 20, VIDEnd: 22, Flags: rtnetlink.BridgeVLANPVID}} {
		var oe *netlink.OpError
		if err := rt.AddBridgeVLAN(ctx, v); !errors.Is(err, unix.EINVAL) || !errors.As(err, &oe) || oe.Op != "check" {
			t.Errorf("AddBridgeVLAN(%+v) = %v; want refused before sending", v, err)
		}
		if err := rt.AddPortVLAN(ctx, v); !errors.Is(err, unix.EINVAL) || !errors.As(err, &oe) || oe.Op != "check" {
			t.Errorf("AddPortVLAN(%+v) = %v; want refused before sending", v, err)
		}
	}
	err := rt.AddBridgeVLAN(ctx, rtnetlink.BridgeVLAN{Index: idx["lo"], VID: 5})
	var oe *netlink.OpError
	if !errors.Is(err, unix.EINVAL) || !errors.As(err, &oe) || oe.ExtAck.Message == "" || !strings.Contains(err.Error(), fmt.Sprintf("VLAN 5 on link %d", idx["lo"])) {
		t.Errorf("AddBridgeVLAN on lo = %v; want EINVAL with the kernel's message, naming the VLAN", err)
	}
}

// TestBridgeVLANTunnelsMatchBridge maps VLANs of a VXLAN port in VLAN
// tunnel mode to tunnel IDs both ways (AddPortVLAN and AddBridgeVLAN with a
// TunnelID, and bridge vlan add ... tunnel_info), and compares PortVLANs
// and BridgeVLANs with bridge -j vlan tunnelshow.
func TestBridgeVLANTunnelsMatchBridge(t *testing.T) {
	ns := nstest.New(t)
	vlanBridge(t, ns)
	ns.Batch(t, []string{
		"link add vx0 type vxlan external dstport 4789",
		"link set vx0 master br0",
		"link set vx0 type bridge_slave vlan_tunnel on",
		"link set vx0 up",
	})
	idx := indexes(t, ns)
	names := invert(idx)
	vx := idx["vx0"]
	rt := dial(t, ns, netlink.Config{})
	ctx := context.Background()

	if err := rt.AddPortVLAN(ctx, rtnetlink.BridgeVLAN{Index: vx, VID: 100, VIDEnd: 102}); err != nil {
		t.Fatal(err)
	}
	if err := rt.AddPortVLAN(ctx, rtnetlink.BridgeVLAN{Index: vx, VID: 100, VIDEnd: 102, TunnelID: 1000}); err != nil {
		t.Fatal(err)
	}
	if err := rt.AddBridgeVLAN(ctx, rtnetlink.BridgeVLAN{Index: vx, VID: 300, TunnelID: 7000}); err != nil {
		t.Fatal(err)
	}
	runBridge(t, ns, "vlan", "add", "dev", "vx0", "vid", "200")
	runBridge(t, ns, "vlan", "add", "dev", "vx0", "vid", "200", "tunnel_info", "id", "5000")
	runBridge(t, ns, "vlan", "add", "dev", "vx0", "vid", "210")

	tunnels := func() []string {
		var devs []struct {
			Name    string `json:"ifname"`
			Tunnels []struct {
				VLAN     int    `json:"vlan"`
				VLANEnd  int    `json:"vlanEnd"`
				TunID    uint32 `json:"tunid"`
				TunIDEnd uint32 `json:"tunidEnd"`
			} `json:"tunnels"`
		}
		out := runBridge(t, ns, "-j", "vlan", "tunnelshow")
		if err := json.Unmarshal([]byte(out), &devs); err != nil {
			t.Fatalf("bridge -j vlan tunnelshow: %v: %s", err, out)
		}
		var lines []string
		for _, d := range devs {
			for _, tn := range d.Tunnels {
				for i := 0; tn.VLAN+i <= max(tn.VLAN, tn.VLANEnd); i++ {
					lines = append(lines, fmt.Sprintf("%s %d tunnel %d", d.Name, tn.VLAN+i, tn.TunID+uint32(i)))
				}
			}
		}
		slices.Sort(lines)
		return lines
	}
	ours := func(seq func(func(rtnetlink.BridgeVLAN, error) bool)) []string {
		var lines []string
		for _, l := range ourVLANLines(t, seq, names, true) {
			if i := strings.Index(l, " tunnel "); i > 0 {
				f := strings.Fields(l)
				lines = append(lines, f[0]+" "+f[1]+l[i:])
			}
		}
		return lines
	}
	check := func(when string, want []string) {
		t.Helper()
		theirs := tunnels()
		if !slices.Equal(theirs, want) {
			t.Errorf("%s: bridge vlan tunnelshow\n%s\nwant\n%s", when, strings.Join(theirs, "\n"), strings.Join(want, "\n"))
		}
		if got := ours(rt.PortVLANs(ctx, vx)); !slices.Equal(got, theirs) {
			t.Errorf("%s: PortVLANs\n%s\nbridge\n%s", when, strings.Join(got, "\n"), strings.Join(theirs, "\n"))
		}
		if got := ours(rt.BridgeVLANs(ctx, vx)); !slices.Equal(got, theirs) {
			t.Errorf("%s: BridgeVLANs\n%s\nbridge\n%s", when, strings.Join(got, "\n"), strings.Join(theirs, "\n"))
		}
	}
	check("after adding", []string{"vx0 100 tunnel 1000", "vx0 101 tunnel 1001", "vx0 102 tunnel 1002", "vx0 200 tunnel 5000", "vx0 300 tunnel 7000"})

	// Deleting a mapping leaves the VLAN.
	if err := rt.DeletePortVLAN(ctx, rtnetlink.BridgeVLAN{Index: vx, VID: 200, TunnelID: 5000}); err != nil {
		t.Fatal(err)
	}
	check("after deleting 200's mapping", []string{"vx0 100 tunnel 1000", "vx0 101 tunnel 1001", "vx0 102 tunnel 1002", "vx0 300 tunnel 7000"})
	if lines := bridgeVLANLines(t, ns); !slices.Contains(lines, "vx0 200 0x0") || !slices.Contains(lines, "vx0 210 0x0") {
		t.Errorf("VLAN 200 went with its mapping, or 210 is missing: %q", lines)
	}
}

// TestVNIsMatchBridge adds and deletes VNIs of a VXLAN device with VNI
// filtering both ways (AddVNI, bridge vni add) and compares VNIs with
// bridge -j vni show.
func TestVNIsMatchBridge(t *testing.T) {
	ns := nstest.New(t)
	if out, err := ns.Try("link", "add", "vx1", "type", "vxlan", "external", "vnifilter", "dstport", "4790", "local", "198.18.0.1"); err != nil {
		t.Skipf("no VXLAN VNI filtering (Linux 6.0, iproute2 6.0): %s", out)
	}
	idx := indexes(t, ns)
	vx := idx["vx1"]
	rt := dial(t, ns, netlink.Config{})
	ctx := context.Background()
	for _, v := range []rtnetlink.VNI{{Index: vx, VNI: 100}, {Index: vx, VNI: 200, VNIEnd: 210},
		{Index: vx, VNI: 300, Group: netip.MustParseAddr("198.18.0.9")}} {
		if err := rt.AddVNI(ctx, v); err != nil {
			t.Fatalf("AddVNI(%+v): %v", v, err)
		}
	}
	runBridge(t, ns, "vni", "add", "dev", "vx1", "vni", "400-405")
	runBridge(t, ns, "vni", "add", "dev", "vx1", "vni", "500", "remote", "198.18.0.10")

	compare := func(when string) []string {
		t.Helper()
		var devs []struct {
			Name string `json:"ifname"`
			VNIs []struct {
				VNI    uint32 `json:"vni"`
				VNIEnd uint32 `json:"vniEnd"`
				Group  string `json:"group"`
				Remote string `json:"remote"`
			} `json:"vnis"`
		}
		out := runBridge(t, ns, "-j", "vni", "show")
		if err := json.Unmarshal([]byte(out), &devs); err != nil {
			t.Fatalf("bridge -j vni show: %v: %s", err, out)
		}
		var want, got []string
		for _, d := range devs {
			for _, v := range d.VNIs {
				want = append(want, fmt.Sprintf("%s %d-%d %s%s", d.Name, v.VNI, max(v.VNI, v.VNIEnd), v.Group, v.Remote))
			}
		}
		for v, err := range rt.VNIs(ctx, 0) {
			if err != nil {
				t.Fatal(err)
			}
			g := ""
			if v.Group.IsValid() {
				g = v.Group.String()
			}
			got = append(got, fmt.Sprintf("vx1 %d-%d %s", v.VNI, max(v.VNI, v.VNIEnd), g))
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: VNIs\n%s\nbridge -j vni show\n%s", when, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		return want
	}
	lines := compare("after adding")
	for _, l := range []string{"vx1 100-100 ", "vx1 300-300 198.18.0.9", "vx1 400-405 ", "vx1 500-500 198.18.0.10"} {
		if !slices.Contains(lines, l) {
			t.Errorf("bridge vni show lacks %q: %q", l, lines)
		}
	}
	if err := rt.DeleteVNI(ctx, rtnetlink.VNI{Index: vx, VNI: 202, VNIEnd: 204}); err != nil {
		t.Fatal(err)
	}
	// Delete as listed.
	for v, err := range rt.VNIs(ctx, vx) {
		if err == nil && v.VNI == 500 {
			if err := rt.DeleteVNI(ctx, v); err != nil {
				t.Errorf("DeleteVNI(%+v) as listed: %v", v, err)
			}
		}
	}
	lines = compare("after deleting")
	if slices.ContainsFunc(lines, func(l string) bool { return strings.HasPrefix(l, "vx1 500-") }) {
		t.Errorf("VNI 500 is still there: %q", lines)
	}
	if err := rt.AddVNI(ctx, rtnetlink.VNI{Index: vx, VNI: 1 << 24}); !errors.Is(err, unix.EINVAL) {
		t.Errorf("AddVNI(2^24) = %v; want EINVAL", err)
	}
}
