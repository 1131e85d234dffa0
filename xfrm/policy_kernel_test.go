//go:build linux

package xfrm_test

import (
	"context"
	"errors"
	"net/netip"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/nstest"
	"github.com/nlkit/netlink/xfrm"
)

func dial(t *testing.T, ns *nstest.NS) *xfrm.Conn {
	t.Helper()
	c, err := xfrm.Dial(&netlink.Config{NetNS: ns.Path})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	skipCompat(t, c)
	return c
}

// skipCompat skips the test when the kernel refuses this program's xfrm
// requests because it is a 32-bit program (GOARCH=386 on a 64-bit kernel
// built without CONFIG_XFRM_USER_COMPAT, as CI's 386 run is).
func skipCompat(t *testing.T, c *xfrm.Conn) {
	t.Helper()
	if _, err := c.SPDInfo(context.Background()); errors.Is(err, xfrm.ErrCompat) {
		t.Skip(err)
	}
}

func listPolicies(t *testing.T, c *xfrm.Conn) []xfrm.Policy {
	t.Helper()
	var ps []xfrm.Policy
	for p, err := range c.Policies(context.Background()) {
		if err != nil {
			t.Fatal(err)
		}
		ps = append(ps, p)
	}
	return ps
}

var (
	a1 = netip.MustParseAddr("198.18.0.1")
	a2 = netip.MustParseAddr("198.18.0.2")
	b1 = netip.MustParseAddr("2001:db8::1")
	b2 = netip.MustParseAddr("2001:db8::2")
)

func anyAlgos(t xfrm.Template) xfrm.Template {
	t.AuthAlgos, t.CryptAlgos, t.CompAlgos = xfrm.AllAlgorithms, xfrm.AllAlgorithms, xfrm.AllAlgorithms
	return t
}

// testPolicies are policies of every shape ip xfrm makes, and the ip
// command that makes each.
var testPolicies = []struct {
	ip string
	p  xfrm.Policy
}{
	{"policy add src 198.18.0.0/24 dst 198.18.1.0/24 dir out priority 10 tmpl src 198.18.0.1 dst 198.18.0.2 proto esp reqid 5 mode tunnel",
		xfrm.Policy{Selector: xfrm.Selector{Src: netip.MustParsePrefix("198.18.0.0/24"), Dst: netip.MustParsePrefix("198.18.1.0/24")},
			Dir: xfrm.DirOut, Priority: 10, Lifetime: xfrm.NoLimits(),
			Templates: []xfrm.Template{anyAlgos(xfrm.Template{Src: a1, Dst: a2, Proto: xfrm.ProtoESP, ReqID: 5, Mode: xfrm.ModeTunnel})}}},
	{"policy add src 2001:db8:1::/64 dst 2001:db8:2::/64 proto udp sport 500 dir in ptype sub action block priority 3 mark 5 mask 0xf if_id 9 flag localok " +
		"tmpl src 198.18.0.1 dst 198.18.0.2 proto esp mode tunnel level use tmpl proto comp mode transport",
		xfrm.Policy{Selector: xfrm.Selector{Src: netip.MustParsePrefix("2001:db8:1::/64"), Dst: netip.MustParsePrefix("2001:db8:2::/64"),
			Proto: 17, SrcPort: 500, SrcPortMask: 0xffff},
			Dir: xfrm.DirIn, Type: xfrm.PolicySub, Action: xfrm.ActionBlock, Priority: 3, Mark: &xfrm.Mark{Value: 5, Mask: 0xf}, IfID: 9,
			Flags: xfrm.PolicyLocalOK, Lifetime: xfrm.NoLimits(),
			Templates: []xfrm.Template{
				anyAlgos(xfrm.Template{Src: a1, Dst: a2, Proto: xfrm.ProtoESP, Mode: xfrm.ModeTunnel, Optional: true}),
				anyAlgos(xfrm.Template{Family: xfrm.AFInet, Proto: xfrm.ProtoComp, Mode: xfrm.ModeTransport}),
			}}},
	{"policy add src ::/0 dst ::/0 dir fwd priority 100 limit time-hard 600 limit byte-soft 5000 flag icmp",
		xfrm.Policy{Selector: xfrm.Selector{Family: xfrm.AFInet6}, Dir: xfrm.DirFwd, Priority: 100, Flags: xfrm.PolicyICMP,
			Lifetime: func() xfrm.LifetimeConfig {
				l := xfrm.NoLimits()
				l.HardAddExpires, l.SoftByteLimit = 600, 5000
				return l
			}()}},
	{"policy add src 198.18.2.0/24 dst 198.18.3.0/24 proto tcp dport 443 dir out tmpl src 2001:db8::1 dst 2001:db8::2 proto esp reqid 9 mode tunnel",
		xfrm.Policy{Selector: xfrm.Selector{Src: netip.MustParsePrefix("198.18.2.0/24"), Dst: netip.MustParsePrefix("198.18.3.0/24"),
			Proto: 6, DstPort: 443, DstPortMask: 0xffff},
			Dir: xfrm.DirOut, Lifetime: xfrm.NoLimits(),
			Templates: []xfrm.Template{anyAlgos(xfrm.Template{Src: b1, Dst: b2, Proto: xfrm.ProtoESP, ReqID: 9, Mode: xfrm.ModeTunnel})}}},
}

// sameAsAdded clears in listed what the kernel fills in, so that it
// compares with what was added.
func sameAsAdded(listed xfrm.Policy) xfrm.Policy {
	listed.Index, listed.Current = 0, xfrm.LifetimeCurrent{}
	return listed
}

func prepared(p xfrm.Policy) xfrm.Policy {
	if p.Selector.Family == 0 {
		p.Selector.Family = xfrm.AFInet
		if p.Selector.Src.Addr().Is6() {
			p.Selector.Family = xfrm.AFInet6
		}
	}
	p.Templates = slices.Clone(p.Templates)
	for i := range p.Templates {
		if p.Templates[i].Family == 0 {
			p.Templates[i].Family = xfrm.AFInet
			if p.Templates[i].Dst.Is6() {
				p.Templates[i].Family = xfrm.AFInet6
			}
		}
	}
	return p
}

// comparePolicies compares the policies listed with ip -s xfrm policy's
// text, block by block, in dump order.
func comparePolicies(t *testing.T, ns *nstest.NS, listed []xfrm.Policy) {
	t.Helper()
	blocks := ipBlocks(ns.Run(t, "-s", "xfrm", "policy"))
	if len(blocks) != len(listed) {
		t.Fatalf("ip shows %d policies, we list %d", len(blocks), len(listed))
	}
	for i, p := range listed {
		if want := ipPolicy(p); !slices.Equal(blocks[i], want) {
			t.Errorf("policy %d:\nip shows:\n%s\nwe read:\n%s", i, strings.Join(blocks[i], "\n"), strings.Join(want, "\n"))
		}
	}
}

// TestPolicyFromIP: what ip xfrm adds, Policies lists as ip shows it;
// and re-added from the listing after a flush, ip shows it the same.
func TestPolicyFromIP(t *testing.T) {
	ns := nstest.New(t)
	c := dial(t, ns)
	for _, tp := range testPolicies {
		ns.Run(t, append([]string{"xfrm"}, strings.Fields(tp.ip)...)...)
	}
	listed := listPolicies(t, c)
	comparePolicies(t, ns, listed)
	for _, p := range listed {
		found := false
		for _, tp := range testPolicies {
			if reflect.DeepEqual(sameAsAdded(p), prepared(tp.p)) {
				found = true
			}
		}
		if !found {
			t.Errorf("listed %+v, not among those ip added", p)
		}
	}

	before := ns.Run(t, "xfrm", "policy")
	ctx := context.Background()
	for _, p := range listed {
		if err := c.DeletePolicy(ctx, p.ID()); err != nil {
			t.Fatal(err)
		}
	}
	if out := ns.Run(t, "xfrm", "policy"); out != "" {
		t.Fatalf("after deleting every listed policy, ip shows:\n%s", out)
	}
	for _, p := range slices.Backward(listed) {
		if err := c.AddPolicy(ctx, &p); err != nil {
			t.Fatal(err)
		}
	}
	if after := ns.Run(t, "xfrm", "policy"); after != before {
		t.Errorf("re-added from the listing, ip shows:\n%s\nwas:\n%s", after, before)
	}
}

// TestPolicyToIP: what AddPolicy adds, ip shows as added, and Policies
// and GetPolicy read back; UpdatePolicy, DeletePolicy and FlushPolicies
// do to the kernel what ip then shows.
func TestPolicyToIP(t *testing.T) {
	ns := nstest.New(t)
	c := dial(t, ns)
	ctx := context.Background()
	for _, tp := range testPolicies {
		if err := c.AddPolicy(ctx, &tp.p); err != nil {
			t.Fatal(err)
		}
	}
	listed := listPolicies(t, c)
	comparePolicies(t, ns, listed)
	if len(listed) != len(testPolicies) {
		t.Fatalf("listed %d policies, added %d", len(listed), len(testPolicies))
	}
	for _, p := range listed {
		got, err := c.GetPolicy(ctx, p.ID())
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(sameAsAdded(got), sameAsAdded(p)) {
			t.Errorf("GetPolicy(%v) = %+v, listed %+v", p.ID(), got, p)
		}
		byIndex := xfrm.PolicyID{Index: p.Index, Dir: p.Dir, Type: p.Type, Mark: p.Mark, IfID: p.IfID}
		if got, err := c.GetPolicy(ctx, byIndex); err != nil || got.Index != p.Index {
			t.Errorf("GetPolicy by index %d: %v, %v", p.Index, got.Index, err)
		}
	}

	// Update the first: a new priority and action; ip shows them.
	i := slices.IndexFunc(listed, func(p xfrm.Policy) bool { return reflect.DeepEqual(sameAsAdded(p), prepared(testPolicies[0].p)) })
	if i < 0 {
		t.Fatalf("%s not listed", testPolicies[0].p.String())
	}
	up := listed[i]
	up.Priority, up.Action = 77, xfrm.ActionBlock
	if err := c.UpdatePolicy(ctx, &up); err != nil {
		t.Fatal(err)
	}
	out := ns.Run(t, "xfrm", "policy", "get", "src", "198.18.0.0/24", "dst", "198.18.1.0/24", "dir", "out")
	if !strings.Contains(out, "action block priority 77") {
		t.Errorf("after UpdatePolicy, ip shows:\n%s", out)
	}

	if err := c.DeletePolicy(ctx, listed[i].ID()); err != nil {
		t.Fatal(err)
	}
	if out, err := ns.Try("xfrm", "policy", "get", "src", "198.18.0.0/24", "dst", "198.18.1.0/24", "dir", "out"); err == nil {
		t.Errorf("deleted policy still there:\n%s", out)
	}
	if err := c.FlushPolicies(ctx, xfrm.PolicyMain); err != nil {
		t.Fatal(err)
	}
	if got := len(listPolicies(t, c)); got != 1 {
		t.Errorf("after flushing the main policies, %d left, want the sub policy alone", got)
	}
	if err := c.FlushPolicies(ctx, xfrm.PolicySub); err != nil {
		t.Fatal(err)
	}
	if out := ns.Run(t, "xfrm", "policy"); out != "" {
		t.Errorf("after flushing both types, ip shows:\n%s", out)
	}
}

// TestPolicyErrors: the kernel's refusals name the request and the
// policy and wrap the errno; what we can check is refused before sending.
func TestPolicyErrors(t *testing.T) {
	ns := nstest.New(t)
	c := dial(t, ns)
	ctx := context.Background()
	p := testPolicies[0].p
	if err := c.AddPolicy(ctx, &p); err != nil {
		t.Fatal(err)
	}
	err := c.AddPolicy(ctx, &p)
	if !errors.Is(err, syscall.EEXIST) {
		t.Errorf("adding twice: %v, want EEXIST", err)
	}
	want := "netlink xfrm XFRM_MSG_NEWPOLICY policy out 198.18.0.0/24->198.18.1.0/24: file exists"
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error %q, want it to start with %q", err, want)
	}
	id := xfrm.PolicyID{Dir: xfrm.DirIn, Selector: p.Selector}
	if err := c.DeletePolicy(ctx, id); !errors.Is(err, syscall.ENOENT) || !strings.Contains(err.Error(), "XFRM_MSG_DELPOLICY policy in 198.18.0.0/24->198.18.1.0/24") {
		t.Errorf("deleting a policy that is not there: %v", err)
	}
	bad := p
	bad.Selector.Dst = netip.MustParsePrefix("2001:db8::/64")
	err = c.AddPolicy(ctx, &bad)
	var oe *netlink.OpError
	if !errors.Is(err, os.ErrInvalid) || !errors.As(err, &oe) || oe.Op != "check" {
		t.Errorf("mismatched families: %v, want a check error matching os.ErrInvalid", err)
	}
	bad = p
	bad.Templates = []xfrm.Template{{Dst: b2, Proto: xfrm.ProtoESP, Mode: xfrm.ModeTransport}}
	if err := c.AddPolicy(ctx, &bad); !errors.Is(err, os.ErrInvalid) {
		t.Errorf("a transport template changing the family: %v, want os.ErrInvalid", err)
	}
}

// TestInfo compares SAInfo and SPDInfo with ip xfrm state count and ip
// -s xfrm policy count.
func TestInfo(t *testing.T) {
	ns := nstest.New(t)
	c := dial(t, ns)
	ctx := context.Background()
	for _, tp := range testPolicies {
		ns.Run(t, append([]string{"xfrm"}, strings.Fields(tp.ip)...)...)
	}
	spd, err := c.SPDInfo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	out := strings.Join(strings.Fields(ns.Run(t, "-s", "xfrm", "policy", "count")), " ")
	want := strings.Join(strings.Fields(
		"SPD IN "+itoa(spd.In)+" OUT "+itoa(spd.Out)+" FWD "+itoa(spd.Fwd)+
			" (Sock: IN "+itoa(spd.SocketIn)+" OUT "+itoa(spd.SocketOut)+" FWD "+itoa(spd.SocketFwd)+")"), " ")
	if !strings.HasPrefix(out, want) {
		t.Errorf("ip -s xfrm policy count says %q, we read %q", out, want)
	}
	if spd.In+spd.Out+spd.Fwd != uint32(len(testPolicies)) {
		t.Errorf("SPDInfo counts %+v, added %d policies", spd, len(testPolicies))
	}
	sa, err := c.SAInfo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	out = strings.Join(strings.Fields(ns.Run(t, "-s", "xfrm", "state", "count")), " ")
	if want := "SAD count " + itoa(sa.Count) + " (buckets count " + itoa(sa.HashBuckets) + " Max " + itoa(sa.HashMax) + ")"; out != want {
		t.Errorf("ip -s xfrm state count says %q, we read %q", out, want)
	}
}

func itoa(v uint32) string { return strconv.FormatUint(uint64(v), 10) }
