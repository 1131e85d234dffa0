//go:build linux

package nlctrl

import (
	"context"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/genetlink"
	"github.com/nlkit/netlink/genetlink/ynl"
	"github.com/nlkit/netlink/internal/nstest"
	"github.com/nlkit/netlink/internal/vmtest"
)

// TestFamilies dumps the families, compares their names with `genl ctrl
// list` and with genetlink.Families, asks for one alone, and dumps its
// policy.
func TestFamilies(t *testing.T) {
	ns := nstest.New(t)
	g, err := genetlink.Dial(&netlink.Config{NetNS: ns.Path})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	ctx := context.Background()
	c, err := New(ctx, g)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	ids := map[string]uint16{}
	for f, err := range c.GetfamilyDump(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, f.FamilyName)
		ids[f.FamilyName] = f.FamilyID.V
	}
	var want []string
	for f, err := range g.Families(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, f.Name)
		if ids[f.Name] != f.ID {
			t.Errorf("family %s: id %d, genetlink says %d", f.Name, ids[f.Name], f.ID)
		}
	}
	slices.Sort(names)
	slices.Sort(want)
	if !slices.Equal(names, want) {
		t.Errorf("families %v, genetlink.Families %v", names, want)
	}
	if out, err := exec.Command("ip", "netns", "exec", ns.Name, "genl", "ctrl", "list").Output(); err == nil {
		for _, n := range names {
			if !strings.Contains(string(out), "Name: "+n+"\n") {
				t.Errorf("family %s is not in genl ctrl list", n)
			}
		}
	}

	f, err := c.Getfamily(ctx, &CtrlAttrs{FamilyName: "nlctrl"})
	if err != nil {
		t.Fatal(err)
	}
	if f.FamilyID.V != 0x10 || len(f.Ops) == 0 || len(f.McastGroups) != 1 || f.McastGroups[0].Name != "notify" {
		t.Errorf("nlctrl: %+v", f)
	}

	// The policy of netdev's dev-get: the attributes it takes, by set; on
	// a kernel older than netdev (Linux 6.3), of ethtool's linkinfo-get.
	family, op := "netdev", uint32(1)
	if !vmtest.KernelAtLeast(t, 6, 3) {
		family, op = "ethtool", 2
	}
	want2, err := g.Policy(ctx, family, op)
	if err != nil {
		t.Fatal(err)
	}
	got := map[uint32][]genetlink.AttrPolicy{}
	for p, err := range c.GetpolicyDump(ctx, &CtrlAttrs{FamilyName: family, Op: ynl.Some(op)}) {
		if err != nil {
			t.Fatal(err)
		}
		for _, set := range p.Policy {
			for _, a := range set.V {
				got[uint32(set.Key)] = append(got[uint32(set.Key)], genetlink.AttrPolicy{Attr: a.Key, Type: genetlink.AttrType(a.V.Type.V)})
			}
		}
	}
	if len(got) == 0 || len(got) != len(want2.Sets) {
		t.Errorf("policy has %d sets, genetlink.Policy %d", len(got), len(want2.Sets))
	}
	for n, attrs := range want2.Sets {
		if len(got[n]) != len(attrs) {
			t.Errorf("policy set %d: %d attributes, genetlink.Policy %d", n, len(got[n]), len(attrs))
			continue
		}
		for i, a := range attrs {
			if got[n][i].Attr != a.Attr || got[n][i].Type != a.Type {
				t.Errorf("policy set %d: attribute %d %v, genetlink.Policy %d %v", n, got[n][i].Attr, got[n][i].Type, a.Attr, a.Type)
			}
		}
	}
}
