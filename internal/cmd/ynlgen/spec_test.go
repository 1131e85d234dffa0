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
