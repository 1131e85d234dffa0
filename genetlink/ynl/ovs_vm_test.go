//go:build linux

package ynl_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/genetlink"
	"github.com/nlkit/netlink/genetlink/ynl"
	"github.com/nlkit/netlink/genetlink/ynl/ovsdatapath"
	"github.com/nlkit/netlink/genetlink/ynl/ovsflow"
	"github.com/nlkit/netlink/genetlink/ynl/ovsvport"
	"github.com/nlkit/netlink/internal/nstest"
	"golang.org/x/sys/unix"
)

// The Open vSwitch checks of TestFamiliesKernel: each makes a datapath
// of its own in the test's namespace (the kernel makes its local port, a
// netdev of the datapath's name) and deletes it at the end. Each logs the
// payload of a real reply as a fuzz seed ("fuzz seed PKG NAME SET HEX"),
// which the packages' testdata/fuzz/FuzzRoundTrip files hold.

// ipLink is what `ip -j -d link show` says of a link.
type ipLink struct {
	Ifname   string `json:"ifname"`
	Ifindex  uint32 `json:"ifindex"`
	LinkInfo struct {
		Kind string `json:"info_kind"`
	} `json:"linkinfo"`
}

// ipLinks returns the links of ns by name, as `ip -j -d link show` lists them.
func ipLinks(t *testing.T, ns *nstest.NS) map[string]ipLink {
	t.Helper()
	var links []ipLink
	if err := json.Unmarshal([]byte(ns.Run(t, "-j", "-d", "link", "show")), &links); err != nil {
		t.Fatal(err)
	}
	m := map[string]ipLink{}
	for _, l := range links {
		m[l.Ifname] = l
	}
	return m
}

// logSeed logs the payload after the generic netlink header of the one
// reply to cmd with payload (a fixed header and attributes), for the fuzz
// corpus of package pkg's set number set.
func logSeed(t *testing.T, g *genetlink.Conn, fam *genetlink.Family, cmd uint8, payload []byte, pkg, name string, set int) {
	t.Helper()
	msgs, err := g.Execute(context.Background(), fam, cmd, payload)
	if err != nil || len(msgs) != 1 {
		t.Fatalf("%s %s: %d replies, %v", pkg, name, len(msgs), err)
	}
	t.Logf("fuzz seed %s %s %d %x", pkg, name, set, msgs[0].Data[genetlink.HeaderLen:])
}

// header returns an ovs_header of dp_ifindex ifindex, as its bytes.
func header(ifindex uint32) []byte {
	return []byte{byte(ifindex), byte(ifindex >> 8), byte(ifindex >> 16), byte(ifindex >> 24)}
}

// newDatapath makes the datapath name in ns with the ovs_datapath family
// on g, deleted at the end of t, and returns its ifindex as a get by name
// gives it in the reply's header.
func newDatapath(t *testing.T, g *genetlink.Conn, name string) (*ovsdatapath.Client, uint32) {
	t.Helper()
	ctx := context.Background()
	c, err := ovsdatapath.New(ctx, g)
	if err != nil {
		t.Fatal(err)
	}
	features := ynl.Some(uint32(ovsdatapath.UserFeaturesUnaligned | ovsdatapath.UserFeaturesVportPids))
	// A request by name: header 0.
	if err := c.New(ctx, ovsdatapath.OVSHeader{}, &ovsdatapath.Datapath{Name: name, UpcallPid: ynl.Some[uint32](0), UserFeatures: features}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		err := c.Del(ctx, ovsdatapath.OVSHeader{}, &ovsdatapath.Datapath{Name: name})
		if err != nil && !errors.Is(err, unix.ENODEV) {
			t.Errorf("del of datapath %s: %v", name, err)
		}
	})
	dp, err := c.Get(ctx, ovsdatapath.OVSHeader{}, &ovsdatapath.Datapath{Name: name})
	if err != nil {
		t.Fatal(err)
	}
	if dp.Attrs.Name != name || dp.Attrs.UserFeatures != features || dp.Header.DPIfindex == 0 {
		t.Errorf("get of datapath %s: %s, features %v, ifindex %d; want features %v", name, dp.Attrs.Name, dp.Attrs.UserFeatures, dp.Header.DPIfindex, features)
	}
	return c, dp.Header.DPIfindex
}

// runOVSDatapath makes a datapath (new, by name), reads it with a get by
// name and by ifindex and with a dump, checked against `ip link`, which
// shows its local port, and deletes it.
func runOVSDatapath(t *testing.T, ns *nstest.NS, _, g *genetlink.Conn) {
	ctx := context.Background()
	const name = "ovsdp0"
	c, ifindex := newDatapath(t, g, name)
	links := ipLinks(t, ns)
	if l, ok := links[name]; !ok || l.Ifindex != ifindex || l.LinkInfo.Kind != "openvswitch" {
		t.Errorf("ip link shows %s as %+v (ok %v); the datapath's ifindex is %d, kind openvswitch", name, l, ok, ifindex)
	}
	byIndex, err := c.Get(ctx, ovsdatapath.OVSHeader{DPIfindex: ifindex}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if byIndex.Attrs.Name != name || byIndex.Header.DPIfindex != ifindex || !byIndex.Attrs.Stats.Set || !byIndex.Attrs.MegaflowStats.Set {
		t.Errorf("get by ifindex %d: %+v", ifindex, byIndex)
	}
	if s := byIndex.Attrs.Stats.V; s.NFlows != 0 {
		t.Errorf("a new datapath has %d flows", s.NFlows)
	}
	var dumped []string
	for dp, err := range c.GetDump(ctx, ovsdatapath.OVSHeader{}, nil) {
		if err != nil {
			t.Fatal(err)
		}
		dumped = append(dumped, dp.Attrs.Name)
		if dp.Attrs.Name == name && dp.Header.DPIfindex != ifindex {
			t.Errorf("dump: %s has ifindex %d, want %d", name, dp.Header.DPIfindex, ifindex)
		}
	}
	if !slices.Equal(dumped, []string{name}) {
		t.Errorf("dump: %v, want [%s]", dumped, name)
	}
	logSeed(t, g, &c.Family, ovsdatapath.CmdGet, header(ifindex), "ovsdatapath", "get-"+name, 0)

	if err := c.Del(ctx, ovsdatapath.OVSHeader{}, &ovsdatapath.Datapath{Name: name}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Get(ctx, ovsdatapath.OVSHeader{}, &ovsdatapath.Datapath{Name: name}); !errors.Is(err, unix.ENODEV) {
		t.Errorf("get after del: %v, want ENODEV", err)
	}
	if _, ok := ipLinks(t, ns)[name]; ok {
		t.Errorf("ip link still shows %s after its datapath's del", name)
	}
}

// runOVSVport adds an internal port to a datapath, reads it with a get
// and with a dump (the datapath's local port and it), checked against
// `ip link`, which shows the port's netdev, and deletes it.
func runOVSVport(t *testing.T, ns *nstest.NS, _, g *genetlink.Conn) {
	ctx := context.Background()
	const dpName, name = "ovsdp1", "ovsint0"
	_, dp := newDatapath(t, g, dpName)
	c, err := ovsvport.New(ctx, g)
	if err != nil {
		t.Fatal(err)
	}
	hdr := ovsvport.OVSHeader{DPIfindex: dp}
	pid := []byte{0, 0, 0, 0} // upcall-pid: one port ID, 0 (no upcalls)
	err = c.New(ctx, hdr, &ovsvport.Vport{Name: name, Type: ynl.Some(ovsvport.VportTypeInternal), UpcallPid: pid})
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.Get(ctx, hdr, &ovsvport.Vport{Name: name})
	if err != nil {
		t.Fatal(err)
	}
	links := ipLinks(t, ns)
	l, ok := links[name]
	if !ok || l.LinkInfo.Kind != "openvswitch" {
		t.Fatalf("ip link shows %s as %+v (ok %v), want kind openvswitch", name, l, ok)
	}
	v := got.Attrs
	if got.Header.DPIfindex != dp || v.Name != name || v.Type != ynl.Some(ovsvport.VportTypeInternal) ||
		v.PortNo != ynl.Some[uint32](1) || v.Ifindex != ynl.Some(l.Ifindex) || !slices.Equal(v.UpcallPid, pid) || !v.Stats.Set {
		t.Errorf("get of %s: %+v, header %+v; want datapath %d, internal, port 1, ifindex %d, upcall-pid %x", name, v, got.Header, dp, l.Ifindex, pid)
	}
	ports := map[string]ovsvport.Vport{}
	for p, err := range c.GetDump(ctx, hdr, nil) {
		if err != nil {
			t.Fatal(err)
		}
		if p.Header.DPIfindex != dp {
			t.Errorf("dump: %s in datapath %d, want %d", p.Attrs.Name, p.Header.DPIfindex, dp)
		}
		ports[p.Attrs.Name] = p.Attrs
	}
	if len(ports) != 2 {
		t.Errorf("dump: %d ports, want the local port and %s", len(ports), name)
	}
	for pname, port := range map[string]uint32{dpName: 0, name: 1} {
		p, ok := ports[pname]
		if !ok || p.PortNo != ynl.Some(port) || p.Type != ynl.Some(ovsvport.VportTypeInternal) || p.Ifindex != ynl.Some(links[pname].Ifindex) {
			t.Errorf("dump: %s is %+v (ok %v); want port %d, internal, ifindex %d as ip link says", pname, p, ok, port, links[pname].Ifindex)
		}
	}
	// A request by name only: the datapath's ifindex 0.
	req, err := ynl.Encode(&ovsvport.Vport{Name: name})
	if err != nil {
		t.Fatal(err)
	}
	logSeed(t, g, &c.Family, ovsvport.CmdGet, append(header(0), req...), "ovsvport", "get-internal", 2)

	if err := c.Del(ctx, hdr, &ovsvport.Vport{Name: name}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Get(ctx, hdr, &ovsvport.Vport{Name: name}); !errors.Is(err, unix.ENODEV) {
		t.Errorf("get after del: %v, want ENODEV", err)
	}
	if _, ok := ipLinks(t, ns)[name]; ok {
		t.Errorf("ip link still shows %s after its del", name)
	}
}

// runOVSFlow installs two flows in a datapath with an internal port and
// reads them back, with a get and with a dump, compared field by field
// with what was set; then deletes one by its key and the other with a
// flush (a del without a key). A port flow matches the input port and an
// Ethernet type (802 local experimental 1, which asks for no further key,
// where IPv4's would want an IPv4 key) with a mask, and outputs to the
// local port; an ARP flow
// matches an ARP key (struct ovs_key_arp, big-endian members and C's
// padding, which the kernel checks: an opcode over 255 or another length
// is refused) and pushes a VLAN tag (struct ovs_action_push_vlan, whose
// TPID and CFI bit the kernel checks), outputs, pops the tag and outputs
// again: actions in order, one of them twice. The requests are traced,
// and the trace names the header, keys and actions.
func runOVSFlow(t *testing.T, ns *nstest.NS, _, gns *genetlink.Conn) {
	ctx := context.Background()
	const dpName, portName = "ovsdp2", "ovsint1"
	_, dp := newDatapath(t, gns, dpName)
	vc, err := ovsvport.New(ctx, gns)
	if err != nil {
		t.Fatal(err)
	}
	if err := vc.New(ctx, ovsvport.OVSHeader{DPIfindex: dp}, &ovsvport.Vport{Name: portName, Type: ynl.Some(ovsvport.VportTypeInternal), UpcallPid: []byte{0, 0, 0, 0}}); err != nil {
		t.Fatal(err)
	}
	port, err := vc.Get(ctx, ovsvport.OVSHeader{DPIfindex: dp}, &ovsvport.Vport{Name: portName})
	if err != nil {
		t.Fatal(err)
	}
	in := port.Attrs.PortNo.V

	// The flows' requests go on a Conn of their own, traced.
	var trace lockedBuffer
	g, err := genetlink.Dial(&netlink.Config{NetNS: ns.Path, Trace: &trace})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	c, err := ovsflow.New(ctx, g)
	if err != nil {
		t.Fatal(err)
	}
	hdr := ovsflow.OVSHeader{DPIfindex: dp}
	portKey := ovsflow.KeyAttrs{InPort: ynl.Some(in), Ethernet: ynl.Some(ovsflow.OVSKeyEthernet{}), Ethertype: ynl.Some[uint16](unix.ETH_P_802_EX1)}
	portMask := ovsflow.KeyAttrs{InPort: ynl.Some[uint32](0xffffffff), Ethernet: ynl.Some(ovsflow.OVSKeyEthernet{}), Ethertype: ynl.Some[uint16](0xffff)}
	portActions := ovsflow.ActionAttrsList{{Output: ynl.Some[uint32](0)}}
	arp := ovsflow.OVSKeyARP{ARPSIP: 0xc6120001, ARPTIP: 0xc6120002, ARPOp: 1, // 198.18.0.1 asks for 198.18.0.2
		ARPSHA: [6]byte{0x02, 0, 0, 0, 0, 1}}
	arpKey := ovsflow.KeyAttrs{InPort: ynl.Some(in), Ethernet: ynl.Some(ovsflow.OVSKeyEthernet{EthSrc: [6]byte{0x02, 0, 0, 0, 0, 1}, EthDst: [6]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}}),
		Ethertype: ynl.Some[uint16](unix.ETH_P_ARP), ARP: ynl.Some(arp)}
	arpActions := ovsflow.ActionAttrsList{
		{PushVlan: ynl.Some(ovsflow.OVSActionPushVlan{VlanTPID: unix.ETH_P_8021Q, VlanTCI: 0x1000 | 5})}, // CFI set, VLAN 5
		{Output: ynl.Some[uint32](0)},
		{PopVlan: true},
		{Output: ynl.Some[uint32](0)},
	}
	if err := c.New(ctx, hdr, &ovsflow.FlowAttrs{Key: ynl.Some(portKey), Mask: ynl.Some(portMask), Actions: ynl.Some(portActions)}); err != nil {
		t.Fatal(err)
	}
	if err := c.New(ctx, hdr, &ovsflow.FlowAttrs{Key: ynl.Some(arpKey), Actions: ynl.Some(arpActions)}); err != nil {
		t.Fatal(err)
	}

	// check compares a flow as the kernel gives it with what was set.
	check := func(how string, f ynl.Fixed[ovsflow.OVSHeader, ovsflow.FlowAttrs]) {
		t.Helper()
		k, m := f.Attrs.Key.V, f.Attrs.Mask.V
		// No packet went through the flows (the ports are down): no
		// stats, which the kernel sends only when they are not zero.
		if f.Header.DPIfindex != dp || !f.Attrs.Key.Set || !f.Attrs.Mask.Set || f.Attrs.Stats.Set || k.InPort != ynl.Some(in) {
			t.Errorf("%s: header %+v, key %v, mask %v, stats %v, in-port %v; want datapath %d, port %d, no stats", how, f.Header, f.Attrs.Key.Set, f.Attrs.Mask.Set, f.Attrs.Stats, k.InPort, dp, in)
			return
		}
		switch k.Ethertype {
		case portKey.Ethertype:
			if m.InPort != portMask.InPort || m.Ethertype != portMask.Ethertype || k.Ethernet != portKey.Ethernet || m.Ethernet != portMask.Ethernet {
				t.Errorf("%s: port flow key %+v mask %+v; want in-port %d and ethertype exact, Ethernet addresses wildcarded", how, k, m, in)
			}
			if !reflect.DeepEqual(f.Attrs.Actions, ynl.Some(portActions)) {
				t.Errorf("%s: port flow actions %+v, want %+v", how, f.Attrs.Actions, portActions)
			}
		case arpKey.Ethertype:
			if k.ARP != arpKey.ARP || k.Ethernet != arpKey.Ethernet || m.ARP != ynl.Some(ovsflow.OVSKeyARP{ARPSIP: 0xffffffff, ARPTIP: 0xffffffff, ARPOp: 0xff,
				ARPSHA: [6]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, ARPTHA: [6]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}}) {
				// An exact match; the kernel keeps the opcode in a byte.
				t.Errorf("%s: ARP flow key %+v mask %+v; want %+v, an exact match", how, k, m, arpKey)
			}
			if !reflect.DeepEqual(f.Attrs.Actions, ynl.Some(arpActions)) {
				t.Errorf("%s: ARP flow actions %+v, want %+v", how, f.Attrs.Actions, arpActions)
			}
		default:
			t.Errorf("%s: a flow of ethertype %v", how, k.Ethertype)
		}
	}
	got, err := c.Get(ctx, hdr, &ovsflow.FlowAttrs{Key: ynl.Some(arpKey)})
	if err != nil {
		t.Fatal(err)
	}
	check("get of the ARP flow", got)
	n := 0
	for f, err := range c.GetDump(ctx, hdr, nil) {
		if err != nil {
			t.Fatal(err)
		}
		n++
		check("dump", f)
	}
	if n != 2 {
		t.Errorf("dump: %d flows, want 2", n)
	}
	req, err := ynl.Encode(&ovsflow.FlowAttrs{Key: ynl.Some(arpKey)})
	if err != nil {
		t.Fatal(err)
	}
	logSeed(t, g, &c.Family, ovsflow.CmdGet, append(header(dp), req...), "ovsflow", "get-arp", 0)

	if err := c.Del(ctx, hdr, &ovsflow.FlowAttrs{Key: ynl.Some(portKey)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Get(ctx, hdr, &ovsflow.FlowAttrs{Key: ynl.Some(portKey)}); !errors.Is(err, unix.ENOENT) {
		t.Errorf("get of the port flow after its del: %v, want ENOENT", err)
	}
	if err := c.Del(ctx, hdr, &ovsflow.FlowAttrs{Key: ynl.Some(portKey)}); !errors.Is(err, unix.ENOENT) {
		t.Errorf("del of a flow that is gone: %v, want ENOENT", err)
	}
	var left []ynl.Fixed[ovsflow.OVSHeader, ovsflow.FlowAttrs]
	for f, err := range c.GetDump(ctx, hdr, nil) {
		if err != nil {
			t.Fatal(err)
		}
		left = append(left, f)
	}
	if len(left) != 1 || left[0].Attrs.Key.V.Ethertype != arpKey.Ethertype {
		t.Errorf("dump after the port flow's del: %d flows, want the ARP flow", len(left))
	}
	if err := c.Del(ctx, hdr, &ovsflow.FlowAttrs{}); err != nil { // a flush
		t.Fatal(err)
	}
	for f, err := range c.GetDump(ctx, hdr, nil) {
		if err != nil {
			t.Fatal(err)
		}
		t.Errorf("after the flush, the dump has %+v", f.Attrs.Key.V)
	}
	// An ARP opcode over 255 is refused: the kernel reads arp_op
	// big-endian, as the struct is written.
	bad := arpKey
	bad.ARP.V.ARPOp = 0x100
	if err := c.New(ctx, hdr, &ovsflow.FlowAttrs{Key: ynl.Some(bad), Actions: ynl.Some(arpActions)}); !errors.Is(err, unix.EINVAL) {
		t.Errorf("new with ARP opcode 256: %v, want EINVAL", err)
	}

	g.Close()
	for _, want := range []string{
		"ovs_flow len=", "cmd=1 (new) version=1\n", fmt.Sprintf("header len=4: % x\n", header(dp)),
		"attr 1 key len=", "attr 3 in-port len=8: ", "attr 6 ethertype len=6: 88 b5 (34997)\n",
		"attr 2 actions len=", "attr 1 output len=8: 00 00 00 00 (0)\n", "attr 5 pop-vlan len=4\n",
	} {
		if !strings.Contains(trace.b.String(), want) {
			t.Errorf("no %q in the trace", want)
		}
	}
}
