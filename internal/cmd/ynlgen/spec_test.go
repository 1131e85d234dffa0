package main

import (
	"bytes"
	"path/filepath"
	"testing"
)

// testSpec reads a spec from the specs beside the repository, or skips.
func testSpec(t *testing.T, file string) *spec {
	t.Helper()
	dir, err := specDir(".")
	if err != nil {
		t.Skip(err)
	}
	s, err := readSpec(filepath.Join(dir, file))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func op(t *testing.T, s *spec, name string) *operation {
	t.Helper()
	for _, o := range s.Operations.List {
		if o.Name == name {
			return o
		}
	}
	t.Fatalf("no operation %s", name)
	return nil
}

// TestDirectionalNumbers checks ethtool's command numbers (the directional
// model: requests and replies count apart, notifications take a reply
// number) against <linux/ethtool_netlink.h>, as x/sys/unix has them.
func TestDirectionalNumbers(t *testing.T) {
	s := testSpec(t, "ethtool.yaml")
	for _, c := range []struct {
		op       string
		req, rsp int
	}{
		{"strset-get", 1, 1},
		{"linkinfo-set", 3, -1},
		{"linkinfo-ntf", -1, 3},         // ETHTOOL_MSG_LINKINFO_NTF
		{"features-set", 12, 12},        // ETHTOOL_MSG_FEATURES_SET_REPLY
		{"tsinfo-get", 25, 26},          // ETHTOOL_MSG_TSINFO_GET
		{"module-fw-flash-ntf", -1, 44}, // ETHTOOL_MSG_MODULE_FW_FLASH_NTF
	} {
		o := op(t, s, c.op)
		if o.req != c.req || o.rsp != c.rsp {
			t.Errorf("%s: request %d reply %d, want %d %d", c.op, o.req, o.rsp, c.req, c.rsp)
		}
	}
}

// TestUnifiedNumbersAndSets checks netdev's numbers (the unified model),
// flags values, and a subset's attributes, which take their parent's
// numbers and types.
func TestUnifiedNumbersAndSets(t *testing.T) {
	s := testSpec(t, "netdev.yaml")
	if o := op(t, s, "dev-add-ntf"); o.req != 2 || o.rsp != 2 {
		t.Errorf("dev-add-ntf: %d/%d, want 2", o.req, o.rsp)
	}
	if o := op(t, s, "bind-tx"); o.req != 15 {
		t.Errorf("bind-tx: %d, want 15", o.req)
	}
	d := s.defs["xdp-act"]
	if d.Entries[0].value != 1 || d.Entries[6].value != 1<<6 || !d.wide {
		t.Errorf("xdp-act: %d, %d, wide %v; want bits 1 and 64, 64 bits wide (a u64 holds it)", d.Entries[0].value, d.Entries[6].value, d.wide)
	}
	sub := s.sets["page-pool-info"]
	if sub == nil || sub.SubsetOf != "page-pool" {
		t.Fatal("no subset page-pool-info")
	}
	for _, a := range sub.Attributes {
		full := s.sets["page-pool"].byName[a.Name]
		if a.value != full.value || a.Type != full.Type {
			t.Errorf("page-pool-info %s: %d %s, page-pool has %d %s", a.Name, a.value, a.Type, full.value, full.Type)
		}
	}
}

// TestGenerateIsReproducible generates a package twice.
func TestGenerateIsReproducible(t *testing.T) {
	for _, file := range []string{"ethtool.yaml", "nlctrl.yaml", "wireguard.yaml"} {
		a, err := generate(testSpec(t, file), "p", "// header")
		if err != nil {
			t.Fatal(err)
		}
		b, err := generate(testSpec(t, file), "p", "// header")
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) {
			t.Errorf("%s: two runs differ", file)
		}
	}
}

func TestGoName(t *testing.T) {
	for in, want := range map[string]string{
		"xdp-zc-max-segs":   "XDPZCMaxSegs",
		"in_progress":       "InProgress",
		"--kernel-timespec": "KernelTimespec",
		"ipv4-or-v6":        "IPv4OrV6",
		"10baset-half":      "N10basetHalf",
	} {
		if got := goName(in); got != want {
			t.Errorf("goName(%q) = %q, want %q", in, got, want)
		}
	}
	// The raw families' constants keep their names without the
	// initialisms the ovs families brought.
	if got, raw := goName("ovs-key-ct-tuple-ipv4"), rawName("nf-ct-tcp-flags"); got != "OVSKeyCTTupleIPv4" || raw != "NfCtTCPFlags" {
		t.Errorf("goName = %q, rawName = %q", got, raw)
	}
	if got := lowerFirst("XDPAct"); got != "xdpAct" {
		t.Errorf("lowerFirst(XDPAct) = %q", got)
	}
}

// TestKernelFixes checks that team's option and port items are read as
// multi-attr and its options-set has no reply (kernelRepeats,
// kernelNoReply), and that a set of another family keeps its spec's word.
func TestKernelFixes(t *testing.T) {
	s := testSpec(t, "team.yaml")
	for set, attr := range map[string]string{"item-option": "option", "item-port": "port"} {
		if a := s.sets[set].byName[attr]; a == nil || !a.MultiAttr {
			t.Errorf("team %s.%s is not multi-attr", set, attr)
		}
	}
	if o := op(t, s, "options-set"); o.Do.Reply != nil {
		t.Errorf("team options-set has a reply")
	}
	if o := op(t, s, "options-get"); o.Do.Reply == nil {
		t.Errorf("team options-get lost its reply")
	}
	f := testSpec(t, "fou.yaml")
	for _, set := range f.AttrSets {
		for _, a := range set.Attributes {
			if a.MultiAttr {
				t.Errorf("fou %s.%s is multi-attr", set.Name, a.Name)
			}
		}
	}
}

// TestKeyedScalar checks that ethtool's stats-grp stat, a u64 with a
// type-value, is read as the kernel sends it (a multi-attr nest-type-value
// whose entries are u64s), that its hist-rx and hist-tx repeat, that
// generated code holds and writes it so, and that nlctrl's nest-type-value
// attributes keep their spec's word.
func TestKeyedScalar(t *testing.T) {
	s := testSpec(t, "ethtool.yaml")
	grp := s.sets["stats-grp"]
	stat := grp.byName["stat"]
	if stat.Type != "nest-type-value" || stat.SubType != "u64" || !stat.MultiAttr || stat.NestedAttributes != "" {
		t.Errorf("ethtool stats-grp stat: %s of %q, multi %v, nested %q; want a multi-attr nest-type-value of u64", stat.Type, stat.SubType, stat.MultiAttr, stat.NestedAttributes)
	}
	for _, name := range []string{"hist-rx", "hist-tx"} {
		if a := grp.byName[name]; !a.MultiAttr || a.Type != "nest" {
			t.Errorf("ethtool stats-grp %s: %s, multi %v; want a multi-attr nest", name, a.Type, a.MultiAttr)
		}
	}
	if a := grp.byName["id"]; a.Type != "u32" || a.MultiAttr {
		t.Errorf("ethtool stats-grp id: %s, multi %v", a.Type, a.MultiAttr)
	}
	src, err := generate(s, "p", "// header")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Stat       []ynl.Keyed[uint64]",
		"s.Stat = append(s.Stat, ynl.Keyed[uint64]{Key: d.Type(), V: d.Uint64()})",
		"for _, k0 := range s.Stat {\n\t\tn := e.Nest(AttrStatsGrpStat)\n\t\te.Uint64(k0.Key, k0.V)\n\t\te.End(n)\n\t}",
		`{Name: "stat", Type: 4, Kind: "nest-type-value", Multi: true, SubType: "u64", Keys: 1}`,
	} {
		if !bytes.Contains(src, []byte(want)) {
			t.Errorf("generated ethtool lacks %q", want)
		}
	}
	n := testSpec(t, "nlctrl.yaml")
	for _, name := range []string{"policy", "op-policy"} {
		a := n.sets["ctrl-attrs"].byName[name]
		if a.Type != "nest-type-value" || a.MultiAttr || a.SubType != "" || a.NestedAttributes == "" {
			t.Errorf("nlctrl ctrl-attrs %s: %s of %q, multi %v, nested %q; want the spec's nest-type-value", name, a.Type, a.SubType, a.MultiAttr, a.NestedAttributes)
		}
	}
}

// TestStructLayout checks that structs are laid out as C lays out the
// kernel's (include/uapi/linux/openvswitch.h, sizes on x86-64): trailing
// padding the spec does not give, members aligned, and the mpls-ethertype
// that kernelMembers makes a u16.
func TestStructLayout(t *testing.T) {
	s := testSpec(t, "ovs_flow.yaml")
	for _, c := range []struct {
		name    string
		size    int
		offsets map[string]int
	}{
		{"ovs-key-arp", 24, map[string]int{"arp-op": 8, "arp-sha": 10, "arp-tha": 16}},  // struct ovs_key_arp
		{"ovs-key-ct-tuple-ipv4", 16, map[string]int{"ipv4-proto": 12}},                 // struct ovs_key_ct_tuple_ipv4
		{"ovs-action-push-mpls", 8, map[string]int{"mpls-ethertype": 4}},                // __be16 mpls_ethertype
		{"ovs-action-add-mpls", 8, map[string]int{"mpls-ethertype": 4, "tun-flags": 6}}, // __be16, __u16
		{"ovs-key-ipv6", 40, map[string]int{"ipv6-label": 32, "ipv6-frag": 39}},
		{"ovs-key-nd", 28, map[string]int{"nd-tll": 22}},
		{"ovs-key-ethernet", 12, map[string]int{"eth-dst": 6}},
	} {
		d := s.defs[c.name]
		if d == nil {
			t.Errorf("no struct %s", c.name)
			continue
		}
		if d.size != c.size {
			t.Errorf("%s: %d bytes, want %d", c.name, d.size, c.size)
		}
		for _, m := range d.Members {
			if off, ok := c.offsets[m.Name]; ok && m.offset != off {
				t.Errorf("%s.%s at %d, want %d", c.name, m.Name, m.offset, off)
			}
		}
	}
	d := testSpec(t, "ovs_datapath.yaml").defs["ovs-dp-megaflow-stats"]
	if d.size != 32 || d.Members[3].offset != 16 {
		t.Errorf("ovs-dp-megaflow-stats: %d bytes, n-cache-hit at %d; want 32, 16", d.size, d.Members[3].offset)
	}
	src, err := generate(s, "p", "// header")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"const ovsKeyARPLen = 24",
		"b = append(b, make([]byte, 2)...) // C's padding\n\treturn b",
		"MPLSEthertype uint16 // mpls-ethertype",
		"s.MPLSEthertype = binary.BigEndian.Uint16(w[4:])",
	} {
		if !bytes.Contains(src, []byte(want)) {
			t.Errorf("generated ovs_flow lacks %q", want)
		}
	}
}

// TestOVSFixes checks the Open vSwitch specs' fixes: the commands the
// kernel has and the specs lack (kernelOps, numbered as
// <linux/openvswitch.h> numbers them), actions as an ordered list
// (orderedSets), mpls as an array (kernelStructArrays), and the fixed
// header that every call takes and every reply returns.
func TestOVSFixes(t *testing.T) {
	for file, ops := range map[string]map[string]int{
		"ovs_datapath.yaml": {"new": 1, "del": 2, "get": 3, "set": 4},
		"ovs_vport.yaml":    {"new": 1, "del": 2, "get": 3, "set": 4},
		"ovs_flow.yaml":     {"new": 1, "del": 2, "get": 3, "set": 4},
	} {
		s := testSpec(t, file)
		for name, num := range ops {
			if o := op(t, s, name); o.req != num || o.rsp != num {
				t.Errorf("%s %s: command %d/%d, want %d", file, name, o.req, o.rsp, num)
			}
		}
		if n := len(s.Operations.List); n != 4 {
			t.Errorf("%s: %d operations, want 4", file, n)
		}
	}
	s := testSpec(t, "ovs_flow.yaml")
	if !s.sets["action-attrs"].ordered || s.sets["key-attrs"].ordered {
		t.Errorf("ordered: action-attrs %v, key-attrs %v; want true, false", s.sets["action-attrs"].ordered, s.sets["key-attrs"].ordered)
	}
	if !s.sets["key-attrs"].byName["mpls"].structArray || !s.defs["ovs-key-mpls"].array {
		t.Errorf("key-attrs mpls is not an array of ovs-key-mpls")
	}
	src, err := generate(s, "p", "// header")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Actions   ynl.Opt[ActionAttrsList] // actions",
		"type ActionAttrsList []ActionAttrs",
		"MPLS            []OVSKeyMPLS               // mpls",
		"func (c *Client) GetDump(ctx context.Context, hdr OVSHeader, req *FlowAttrs) iter.Seq2[ynl.Fixed[OVSHeader, FlowAttrs], error] {",
		"func (c *Client) Del(ctx context.Context, hdr OVSHeader, req *FlowAttrs) error {",
		`Header: &ynl.Struct{Name: "ovs-header", Len: 4, Members: []ynl.Member{`,
		`{Name: "action-attrs", SubsetOf: "", Ordered: true, Attrs: []ynl.Attr{`,
	} {
		if !bytes.Contains(src, []byte(want)) {
			t.Errorf("generated ovs_flow lacks %q", want)
		}
	}
	// Families without a fixed header keep their calls.
	src, err = generate(testSpec(t, "fou.yaml"), "p", "// header")
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(src, []byte("ynl.Fixed")) || bytes.Contains(src, []byte("Header: &ynl.Struct")) {
		t.Errorf("generated fou has a fixed header")
	}
}
