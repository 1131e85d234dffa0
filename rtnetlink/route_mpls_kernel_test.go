//go:build linux

package rtnetlink_test

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os/exec"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/nlkit/netlink/internal/nstest"
	"github.com/nlkit/netlink/rtnetlink"
)

// ipMPLSRoutes lists the MPLS routes of ns as ip -j -d -f mpls route show
// does, one line each in the form ourMPLSRoute uses.
func ipMPLSRoutes(t *testing.T, ns *nstest.NS) []string {
	t.Helper()
	var lines []string
	for _, r := range arJSON(t, ns, "-d", "-f", "mpls", "route", "show") {
		path := func(h map[string]any) string {
			via := ""
			if v, ok := h["via"].(map[string]any); ok {
				via = arStr(v["host"])
			}
			return fmt.Sprintf("as=%s via=%s dev=%s", arStr(h["to"]), via, arStr(h["dev"]))
		}
		ttl := "" // ip 6.1 spells the key so
		if v, ok := r["ttl-propogate"].(bool); ok {
			ttl = map[bool]string{true: "enabled", false: "disabled"}[v]
		}
		line := fmt.Sprintf("%s proto=%s ttl-propagate=%s %s", arStr(r["dst"]), arStr(r["protocol"]), ttl, path(r))
		if nh, ok := r["nexthops"].([]any); ok {
			for _, h := range nh {
				line += " | " + path(h.(map[string]any))
			}
		}
		lines = append(lines, line)
	}
	return lines
}

// ourMPLSRoute formats r as ipMPLSRoutes does.
func ourMPLSRoute(r rtnetlink.MPLSRoute, names map[int]string) string {
	labels := func(ls []uint32) string {
		var s []string
		for _, l := range ls {
			s = append(s, fmt.Sprint(l))
		}
		return strings.Join(s, "/")
	}
	addr := func(a netip.Addr) string {
		if !a.IsValid() {
			return ""
		}
		return a.String()
	}
	ttl := map[rtnetlink.MPLSTTLPropagate]string{rtnetlink.MPLSTTLEnabled: "enabled", rtnetlink.MPLSTTLDisabled: "disabled"}[r.TTLPropagate]
	line := fmt.Sprintf("%d proto=%s ttl-propagate=%s as=%s via=%s dev=%s", r.Label, r.Protocol, ttl, labels(r.NewLabels), addr(r.Via), names[r.Index])
	for _, h := range r.MultiPath {
		line += fmt.Sprintf(" | as=%s via=%s dev=%s", labels(h.NewLabels), addr(h.Via), names[h.Index])
	}
	return line
}

// TestMPLSRoutesOracle adds MPLS routes through the package and through
// ip -f mpls, and checks that the package lists what ip -j -f mpls route
// show lists: label, new labels, via, link, protocol, TTL propagation and
// the paths of multipath routes; deleting one as listed deletes it. It
// needs MPLS routing (CONFIG_MPLS_ROUTING, the mpls_router module), which
// it skips without, saying so.
func TestMPLSRoutesOracle(t *testing.T) {
	ns, c, v0, v1 := arRouteNS(t, nil)
	ctx := context.Background()
	if out, err := exec.Command("ip", "netns", "exec", ns.Name, "sysctl", "-qw", "net.mpls.platform_labels=1000", "net.mpls.conf.v0.input=1").CombinedOutput(); err != nil {
		t.Skipf("no MPLS routing in this kernel (CONFIG_MPLS_ROUTING, the mpls_router module): sysctl net.mpls: %v: %s", err, out)
	}
	ip := netip.MustParseAddr
	for _, r := range []rtnetlink.MPLSRoute{
		{Label: 100, NewLabels: []uint32{200, 300}, Via: ip("10.0.0.2"), Index: v0},
		{Label: 101, Via: ip("2001:db8:1::2"), Index: v1, TTLPropagate: rtnetlink.MPLSTTLDisabled, Protocol: rtnetlink.ProtoStatic},
		{Label: 102, MultiPath: []rtnetlink.MPLSNextHop{
			{NewLabels: []uint32{400}, Via: ip("10.0.0.2"), Index: v0},
			{Via: ip("10.0.1.2"), Index: v1},
		}},
		{Label: 103, Via: ip("10.0.0.2"), Index: v0, TTLPropagate: rtnetlink.MPLSTTLEnabled},
	} {
		if err := c.AddMPLSRoute(ctx, r); err != nil {
			t.Fatalf("add %+v: %v", r, err)
		}
	}
	if err := c.AddMPLSRoute(ctx, rtnetlink.MPLSRoute{Label: 100, Via: ip("10.0.0.2"), Index: v0}); !errors.Is(err, unix.EEXIST) {
		t.Errorf("adding label 100 twice: %v, want EEXIST", err)
	}
	// One ip each: ip -batch takes no options (-f mpls) on its lines.
	for _, l := range []string{
		"-f mpls route add 200 as 500/600 via inet 10.0.0.3 dev v0",
		"-f mpls route add 201 via inet6 2001:db8::3 dev v0 ttl-propagate enabled proto static",
		"-f mpls route add 202 nexthop as 700 via inet 10.0.0.4 dev v0 nexthop via inet 10.0.1.4 dev v1",
	} {
		ns.Run(t, strings.Fields(l)...)
	}
	names := arLinkNames(t, ns)
	var ours []string
	var listed []rtnetlink.MPLSRoute
	for r, err := range c.MPLSRoutes(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		ours = append(ours, ourMPLSRoute(r, names))
		listed = append(listed, r)
	}
	want := ipMPLSRoutes(t, ns)
	arDiff(t, "MPLS routes", ours, want)
	t.Logf("%q", want)
	for _, r := range listed {
		if r.Label == 202 || r.Label == 101 {
			if err := c.DeleteMPLSRoute(ctx, r); err != nil {
				t.Errorf("deleting %+v as listed: %v", r, err)
			}
		}
	}
	for _, l := range ipMPLSRoutes(t, ns) {
		if strings.HasPrefix(l, "202 ") || strings.HasPrefix(l, "101 ") {
			t.Errorf("deleted route still listed: %s", l)
		}
	}
}
