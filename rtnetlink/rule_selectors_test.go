//go:build linux

package rtnetlink_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/nstest"
	"github.com/nlkit/netlink/rtnetlink"
)

// TestRuleSelectorsOracle adds rules with the selectors and settings
// beyond TestRulesOracle's (uid range, ipproto, port ranges,
// suppress_prefixlength, suppress_ifgroup, l3mdev, tun_id, realms) through
// the package and through ip, and checks that the package lists what ip -j
// -d rule show lists, field by field, for each family.
func TestRuleSelectorsOracle(t *testing.T) {
	ns, c, _, _ := arNS(t, nil)
	ctx := context.Background()
	adds := []rtnetlink.Rule{
		{Priority: 100, Family: unix.AF_INET, HasUIDRange: true, Table: 100}, // uidrange 0-0
		{Priority: 101, Family: unix.AF_INET, HasUIDRange: true, UIDRange: rtnetlink.UIDRange{Start: 1000, End: 2000}, Table: 100},
		{Priority: 102, Family: unix.AF_INET, IPProto: unix.IPPROTO_TCP, SPort: rtnetlink.PortRange{Start: 1000, End: 2000}, DPort: rtnetlink.PortRange{Start: 80, End: 80}, Table: 100},
		{Priority: 103, Family: unix.AF_INET, HasSuppressPrefixLen: true, HasSuppressIfGroup: true, Table: rtnetlink.TableMain},
		{Priority: 104, Family: unix.AF_INET, HasSuppressPrefixLen: true, SuppressPrefixLen: 24, HasSuppressIfGroup: true, SuppressIfGroup: 7},
		{Priority: 105, Family: unix.AF_INET, L3MDev: true},
		{Priority: 106, Family: unix.AF_INET, TunID: 1 << 40, Table: 100},
		{Priority: 107, Family: unix.AF_INET, Realms: 3<<16 | 4, Table: 100, Protocol: rtnetlink.ProtoStatic},
		{Priority: 108, Family: unix.AF_INET, Realms: 4, Table: 100},
		{Priority: 109, Family: unix.AF_INET, IPProto: 200, Table: 100},
		{Priority: 100, Family: unix.AF_INET6, HasUIDRange: true, UIDRange: rtnetlink.UIDRange{Start: 5, End: 6}, IPProto: unix.IPPROTO_UDP, DPort: rtnetlink.PortRange{Start: 53, End: 53}, Table: 100},
		{Priority: 101, Family: unix.AF_INET6, IPProto: unix.IPPROTO_SCTP, SPort: rtnetlink.PortRange{Start: 1, End: 65534}, Table: 100},
		{Priority: 102, Family: unix.AF_INET6, HasSuppressPrefixLen: true, Table: rtnetlink.TableMain},
		{Priority: 103, Family: unix.AF_INET6, L3MDev: true},
		{Priority: 104, Family: unix.AF_INET6, TunID: 9, Table: 100},
	}
	for _, r := range adds {
		if err := c.AddRule(ctx, r); err != nil {
			t.Fatalf("add %+v: %v", r, err)
		}
	}
	ns.Batch(t, []string{
		"rule add pref 200 uidrange 0-0 lookup 100",
		"rule add pref 201 ipproto udp sport 53 dport 1024-65534 lookup 100",
		"rule add pref 202 lookup main suppress_prefixlength 0 suppress_ifgroup default",
		"rule add pref 203 l3mdev",
		"rule add pref 204 tun_id 77 lookup 100",
		"rule add pref 205 realms 3/4 lookup 100",
		"rule add pref 206 realms 5 lookup 100",
		"rule add pref 207 ipproto 200 lookup 100 proto static",
	})
	ns.Run(t, "-6", "rule", "add", "pref", "200", "uidrange", "7-8", "ipproto", "tcp", "dport", "443", "lookup", "100")
	ns.Run(t, "-6", "rule", "add", "pref", "201", "lookup", "main", "suppress_prefixlength", "64")
	ns.Run(t, "-6", "rule", "add", "pref", "202", "l3mdev")
	all := ruCompare(t, ns, c)
	for _, w := range []string{
		"-4 pref=100 from= to= iif= oif= fwmark= tos=0 action=lookup table=100 goto= proto=unspec flags= uidrange=0-0",
		"-4 pref=102 from= to= iif= oif= fwmark= tos=0 action=lookup table=100 goto= proto=unspec flags= ipproto=6 sport=1000-2000 dport=80-80",
		"-4 pref=103 from= to= iif= oif= fwmark= tos=0 action=lookup table=main goto= proto=unspec flags= suppress_prefixlength=0 suppress_ifgroup=0",
		"-4 pref=105 from= to= iif= oif= fwmark= tos=0 action=lookup table= goto= proto=unspec flags= l3mdev",
		"-4 pref=106 from= to= iif= oif= fwmark= tos=0 action=lookup table=100 goto= proto=unspec flags= tun_id=1099511627776",
		"-4 pref=107 from= to= iif= oif= fwmark= tos=0 action=lookup table=100 goto= proto=static flags= realms=3/4",
		"-4 pref=202 from= to= iif= oif= fwmark= tos=0 action=lookup table=main goto= proto=unspec flags= suppress_prefixlength=0 suppress_ifgroup=0",
		"-6 pref=100 from= to= iif= oif= fwmark= tos=0 action=lookup table=100 goto= proto=unspec flags= uidrange=5-6 ipproto=17 dport=53-53",
		"-6 pref=200 from= to= iif= oif= fwmark= tos=0 action=lookup table=100 goto= proto=unspec flags= uidrange=7-8 ipproto=6 dport=443-443",
	} {
		if !slices.Contains(all, w) {
			t.Errorf("ip does not list %s", w)
		}
	}
}

// ruleSupported reports whether the kernel keeps what r sets beyond
// Priority and Family: AddRule refuses an attribute the kernel predates
// (errors.ErrUnsupported), and a rule that lost one would list without
// it. It adds r, lists it and deletes it.
func ruleSupported(t *testing.T, c *rtnetlink.Conn, r rtnetlink.Rule, same func(rtnetlink.Rule) bool) bool {
	t.Helper()
	ctx := context.Background()
	if err := c.AddRule(ctx, r); err != nil {
		t.Logf("add %+v: %v", r, err)
		return false
	}
	defer c.DeleteRule(ctx, rtnetlink.Rule{Family: r.Family, Priority: r.Priority})
	for got, err := range c.Rules(ctx, rtnetlink.RuleFilter{Family: r.Family}) {
		if err != nil {
			t.Fatal(err)
		}
		if got.Priority == r.Priority {
			return same(got)
		}
	}
	return false
}

// TestRuleNewSelectors: the selectors of kernels newer than ip 6.1 knows
// (dscp with its mask, 6.13 and 6.16; flowlabel with its mask, 6.14;
// port masks, 6.16) read back as added, and the kernel's refusals of
// combinations it does not take come with its explanation. Each is
// skipped, saying so, on a kernel that predates it; on one that has it,
// a rule that does not read back as added fails. (TestRuleNewSelectorsOracle
// compares them with a newer ip both ways.)
func TestRuleNewSelectors(t *testing.T) {
	_, c, _, _ := arNS(t, nil)
	ctx := context.Background()
	for _, tc := range []struct {
		name, kernel string
		since        [2]int // the release of kernel
		r            rtnetlink.Rule
		want         func(rtnetlink.Rule) bool
	}{
		{"dscp", "FRA_DSCP (Linux 6.13)", [2]int{6, 13}, rtnetlink.Rule{Family: unix.AF_INET, Priority: 50, DSCP: 46, Table: 100},
			func(r rtnetlink.Rule) bool { return r.DSCP == 46 && r.DSCPMask == 0x3f && r.TOS == 0 && r.Other == "" }},
		{"dscp6", "FRA_DSCP for IPv6 (Linux 6.13)", [2]int{6, 13}, rtnetlink.Rule{Family: unix.AF_INET6, Priority: 50, DSCP: 10, Table: 100},
			func(r rtnetlink.Rule) bool { return r.DSCP == 10 && r.DSCPMask == 0x3f && r.Other == "" }},
		{"dscp mask", "FRA_DSCP_MASK (Linux 6.16)", [2]int{6, 16}, rtnetlink.Rule{Family: unix.AF_INET, Priority: 51, DSCP: 8, DSCPMask: 0x38, Table: 100},
			func(r rtnetlink.Rule) bool { return r.DSCP == 8 && r.DSCPMask == 0x38 && r.Other == "" }},
		{"dscp 0", "FRA_DSCP_MASK (Linux 6.16)", [2]int{6, 16}, rtnetlink.Rule{Family: unix.AF_INET, Priority: 52, DSCPMask: 0x3f, Table: 100},
			func(r rtnetlink.Rule) bool { return r.DSCP == 0 && r.DSCPMask == 0x3f && r.Other == "" }},
		{"flowlabel", "FRA_FLOWLABEL (Linux 6.14)", [2]int{6, 14}, rtnetlink.Rule{Family: unix.AF_INET6, Priority: 53, FlowLabel: 0x12345, Table: 100},
			func(r rtnetlink.Rule) bool {
				return r.FlowLabel == 0x12345 && r.FlowLabelMask == 0xfffff && r.Other == ""
			}},
		{"flowlabel mask", "FRA_FLOWLABEL_MASK (Linux 6.14)", [2]int{6, 14}, rtnetlink.Rule{Family: unix.AF_INET6, Priority: 54, FlowLabel: 0x100, FlowLabelMask: 0xf00, Table: 100},
			func(r rtnetlink.Rule) bool { return r.FlowLabel == 0x100 && r.FlowLabelMask == 0xf00 && r.Other == "" }},
		{"port masks", "FRA_SPORT_MASK and FRA_DPORT_MASK (Linux 6.16)", [2]int{6, 16}, rtnetlink.Rule{Family: unix.AF_INET, Priority: 55, IPProto: unix.IPPROTO_TCP,
			SPort: rtnetlink.PortRange{Start: 0x100, End: 0x100}, SPortMask: 0xff00, DPort: rtnetlink.PortRange{Start: 0x10, End: 0x10}, DPortMask: 0xf0, Table: 100},
			func(r rtnetlink.Rule) bool {
				return r.SPortMask == 0xff00 && r.DPortMask == 0xf0 && r.SPort.Start == 0x100 && r.Other == ""
			}},
	} {
		t.Run(strings.ReplaceAll(tc.name, " ", "_"), func(t *testing.T) {
			if !ruleSupported(t, c, tc.r, tc.want) {
				if kernelAtLeast(t, tc.since[0], tc.since[1]) {
					t.Fatalf("the kernel has %s, yet the rule did not read back as added", tc.kernel)
				}
				// Older, it may still have part of it: Debian's 6.12 has
				// FRA_DSCP backported, without the mask 6.16 reports.
				t.Skipf("the rule with %s did not read back as added on a kernel older than %s's", tc.name, tc.kernel)
			}
		})
	}
	// What the kernel refuses, it explains. AddRule refuses an attribute
	// a kernel predates before sending it, so each of the kernel's
	// refusals is asked only of a kernel that has what it needs.
	has := newRuleSelectors(t, c)
	for _, tc := range []struct {
		needs string
		r     rtnetlink.Rule
	}{
		{"dscp", rtnetlink.Rule{Family: unix.AF_INET, Priority: 60, DSCP: 8, TOS: 0x20, Table: 100}},
		{"flowlabel", rtnetlink.Rule{Family: unix.AF_INET, Priority: 61, FlowLabel: 1, Table: 100}},
		{"flowlabel", rtnetlink.Rule{Family: unix.AF_INET6, Priority: 62, FlowLabel: 3, FlowLabelMask: 1, Table: 100}},
		{"port mask", rtnetlink.Rule{Family: unix.AF_INET, Priority: 63, SPort: rtnetlink.PortRange{Start: 1, End: 2}, SPortMask: 1, Table: 100}},
		{"", rtnetlink.Rule{Family: unix.AF_INET, Priority: 64, L3MDev: true, Table: 100}},
	} {
		if tc.needs != "" && !has[tc.needs] {
			t.Logf("not asking the kernel to refuse %+v: it lacks %s", tc.r, tc.needs)
			continue
		}
		err := c.AddRule(ctx, tc.r)
		var oe *netlink.OpError
		if !errors.Is(err, unix.EINVAL) || !errors.As(err, &oe) || oe.Op == "check" || oe.Message == "" {
			t.Errorf("AddRule(%+v) = %v, want EINVAL from the kernel with its explanation", tc.r, err)
		}
	}
}

// TestRuleNewSelectorsOracle adds rules with the selectors newer than ip
// 6.1 knows (dscp and its mask, flowlabel and its mask, the port masks)
// through the package and through iproute2 6.15's ip (nstest.NewerIP),
// and checks that the package lists what ip -j -d rule show lists, field
// by field, for each family: what the package adds, ip reads alike, and
// what ip adds, the package reads alike. What the kernel lacks
// (newRuleSelectors) is left out, and logged.
func TestRuleNewSelectorsOracle(t *testing.T) {
	ipPath := nstest.NewerIP(t, "6.15")
	ns, c, _, _ := arNS(t, nil)
	ns = ns.WithIP(ipPath)
	ctx := context.Background()
	has := newRuleSelectors(t, c)
	pr := func(p uint16) rtnetlink.PortRange { return rtnetlink.PortRange{Start: p, End: p} }
	for _, tc := range []struct {
		needs string // a key of has
		ours  []rtnetlink.Rule
		ip    []string // ip rule add arguments, after the family
		want  []string // lines of ruCompare's that must be there
	}{
		{needs: "dscp",
			ours: []rtnetlink.Rule{
				{Family: unix.AF_INET, Priority: 100, DSCP: 46, Table: 100},
				{Family: unix.AF_INET, Priority: 101, DSCP: 63, Table: 100},
				{Family: unix.AF_INET6, Priority: 100, DSCP: 10, Table: 100},
			},
			ip: []string{"-4 rule add pref 200 dscp EF lookup 100", "-4 rule add pref 201 dscp 63 lookup 100", "-6 rule add pref 200 dscp AF11 lookup 100"},
			want: []string{
				"-4 pref=100 from= to= iif= oif= fwmark= tos=0 action=lookup table=100 goto= proto=unspec flags= dscp=46/0x3f",
				"-4 pref=200 from= to= iif= oif= fwmark= tos=0 action=lookup table=100 goto= proto=unspec flags= dscp=46/0x3f",
				"-6 pref=200 from= to= iif= oif= fwmark= tos=0 action=lookup table=100 goto= proto=unspec flags= dscp=10/0x3f",
			}},
		{needs: "dscp mask",
			ours: []rtnetlink.Rule{
				{Family: unix.AF_INET, Priority: 110, DSCP: 8, DSCPMask: 0x38, Table: 100},
				{Family: unix.AF_INET, Priority: 111, DSCPMask: 0x3f, Table: 100},
				{Family: unix.AF_INET6, Priority: 110, DSCP: 4, DSCPMask: 0x3c, Table: 100},
			},
			ip: []string{"-4 rule add pref 210 dscp 8/0x38 lookup 100", "-4 rule add pref 211 dscp 0 lookup 100", "-6 rule add pref 210 dscp 0x4/0x3c lookup 100"},
			want: []string{
				"-4 pref=110 from= to= iif= oif= fwmark= tos=0 action=lookup table=100 goto= proto=unspec flags= dscp=8/0x38",
				"-4 pref=111 from= to= iif= oif= fwmark= tos=0 action=lookup table=100 goto= proto=unspec flags= dscp=0/0x3f",
				"-4 pref=210 from= to= iif= oif= fwmark= tos=0 action=lookup table=100 goto= proto=unspec flags= dscp=8/0x38",
				"-4 pref=211 from= to= iif= oif= fwmark= tos=0 action=lookup table=100 goto= proto=unspec flags= dscp=0/0x3f",
				"-6 pref=210 from= to= iif= oif= fwmark= tos=0 action=lookup table=100 goto= proto=unspec flags= dscp=4/0x3c",
			}},
		{needs: "flowlabel",
			ours: []rtnetlink.Rule{
				{Family: unix.AF_INET6, Priority: 120, FlowLabel: 0x12345, Table: 100},
				{Family: unix.AF_INET6, Priority: 121, FlowLabel: 0x100, FlowLabelMask: 0xf00, Table: 100},
				{Family: unix.AF_INET6, Priority: 122, FlowLabelMask: 0xfffff, Table: 100},
			},
			ip: []string{"-6 rule add pref 220 flowlabel 0xfffff lookup 100", "-6 rule add pref 221 flowlabel 0x100/0xf00 lookup 100", "-6 rule add pref 222 flowlabel 0 lookup 100"},
			want: []string{
				"-6 pref=120 from= to= iif= oif= fwmark= tos=0 action=lookup table=100 goto= proto=unspec flags= flowlabel=0x12345/0xfffff",
				"-6 pref=121 from= to= iif= oif= fwmark= tos=0 action=lookup table=100 goto= proto=unspec flags= flowlabel=0x100/0xf00",
				"-6 pref=122 from= to= iif= oif= fwmark= tos=0 action=lookup table=100 goto= proto=unspec flags= flowlabel=0x0/0xfffff",
				"-6 pref=220 from= to= iif= oif= fwmark= tos=0 action=lookup table=100 goto= proto=unspec flags= flowlabel=0xfffff/0xfffff",
				"-6 pref=221 from= to= iif= oif= fwmark= tos=0 action=lookup table=100 goto= proto=unspec flags= flowlabel=0x100/0xf00",
				"-6 pref=222 from= to= iif= oif= fwmark= tos=0 action=lookup table=100 goto= proto=unspec flags= flowlabel=0x0/0xfffff",
			}},
		{needs: "port mask",
			ours: []rtnetlink.Rule{
				{Family: unix.AF_INET, Priority: 130, IPProto: unix.IPPROTO_TCP, SPort: pr(0x100), SPortMask: 0xff00, DPort: pr(0x10), DPortMask: 0xf0, Table: 100},
				{Family: unix.AF_INET6, Priority: 130, IPProto: unix.IPPROTO_UDP, DPort: pr(0x8000), DPortMask: 0x8000, Table: 100},
			},
			ip: []string{"-4 rule add pref 230 ipproto tcp sport 0x100/0xff00 dport 0x10/0xf0 lookup 100", "-6 rule add pref 230 ipproto udp dport 0x8000/0x8000 lookup 100"},
			want: []string{
				"-4 pref=130 from= to= iif= oif= fwmark= tos=0 action=lookup table=100 goto= proto=unspec flags= ipproto=6 sport=256-256 sport_mask=0xff00 dport=16-16 dport_mask=0xf0",
				"-4 pref=230 from= to= iif= oif= fwmark= tos=0 action=lookup table=100 goto= proto=unspec flags= ipproto=6 sport=256-256 sport_mask=0xff00 dport=16-16 dport_mask=0xf0",
				"-6 pref=230 from= to= iif= oif= fwmark= tos=0 action=lookup table=100 goto= proto=unspec flags= ipproto=17 dport=32768-32768 dport_mask=0x8000",
			}},
	} {
		if !has[tc.needs] {
			t.Logf("the kernel lacks the %s selector: not comparing it", tc.needs)
			continue
		}
		for _, r := range tc.ours {
			if err := c.AddRule(ctx, r); err != nil {
				t.Fatalf("add %+v: %v", r, err)
			}
		}
		for _, args := range tc.ip {
			ns.Run(t, strings.Fields(args)...)
		}
		all := ruCompare(t, ns, c)
		for _, w := range tc.want {
			if tc.needs == "dscp" && !has["dscp mask"] {
				w = strings.TrimSuffix(w, "/0x3f") // no mask reported before 6.16
			}
			if !slices.Contains(all, w) {
				t.Errorf("ip does not list %s", w)
			}
		}
	}
}

// newRuleSelectors reports which of the selectors newer than Linux 6.12
// the kernel (or fake) behind c keeps: "dscp" (FRA_DSCP, 6.13), "dscp
// mask" (6.16), "flowlabel" (FRA_FLOWLABEL and its mask, 6.14) and "port
// mask" (FRA_SPORT_MASK and FRA_DPORT_MASK, 6.16).
func newRuleSelectors(t *testing.T, c *rtnetlink.Conn) map[string]bool {
	t.Helper()
	const pref = 9999
	has := map[string]bool{
		"dscp": ruleSupported(t, c, rtnetlink.Rule{Family: unix.AF_INET, Priority: pref, DSCP: 46, Table: 100},
			func(r rtnetlink.Rule) bool { return r.DSCP == 46 }),
		"dscp mask": ruleSupported(t, c, rtnetlink.Rule{Family: unix.AF_INET, Priority: pref, DSCP: 8, DSCPMask: 0x38, Table: 100},
			func(r rtnetlink.Rule) bool { return r.DSCP == 8 && r.DSCPMask == 0x38 }),
		"flowlabel": ruleSupported(t, c, rtnetlink.Rule{Family: unix.AF_INET6, Priority: pref, FlowLabel: 0x100, FlowLabelMask: 0xf00, Table: 100},
			func(r rtnetlink.Rule) bool { return r.FlowLabel == 0x100 && r.FlowLabelMask == 0xf00 }),
		"port mask": ruleSupported(t, c, rtnetlink.Rule{Family: unix.AF_INET, Priority: pref, IPProto: unix.IPPROTO_TCP,
			DPort: rtnetlink.PortRange{Start: 0x10, End: 0x10}, DPortMask: 0xf0, Table: 100},
			func(r rtnetlink.Rule) bool { return r.DPortMask == 0xf0 }),
	}
	// From the release that has it on, a selector the rule lost is the
	// package's fault, not the kernel's age.
	for name, since := range map[string][2]int{"dscp": {6, 13}, "dscp mask": {6, 16}, "flowlabel": {6, 14}, "port mask": {6, 16}} {
		if !has[name] && kernelAtLeast(t, since[0], since[1]) {
			t.Errorf("Linux %d.%d has the %s selector, yet a rule with it did not read back as added", since[0], since[1], name)
		}
	}
	return has
}

// ruleLines lists the rules of one family and priority as ipRules prints
// them.
func ruleLines(t *testing.T, ns *nstest.NS, family string, pref uint32) []string {
	t.Helper()
	var out []string
	for _, l := range ipRules(t, ns, family) {
		if strings.HasPrefix(l, family+" pref="+strconv.FormatUint(uint64(pref), 10)+" ") {
			out = append(out, l)
		}
	}
	return out
}

// TestDeleteRuleAsListedBySelector: for each selector, two rules at one
// priority that differ by it alone (added by ip) list as different Rules,
// and deleting the one added second as listed deletes that one, as ip -d
// rule show then shows; per family. The selectors ip 6.1 can neither add
// nor print (dscp, flowlabel, the port masks) are tested twice: added by
// the package and checked with its listing, and, in a subtest of their
// own ("…_ip"), added and checked by iproute2 6.15's ip (nstest.NewerIP).
func TestDeleteRuleAsListedBySelector(t *testing.T) {
	ns, c, _, _ := arNS(t, nil)
	ctx := context.Background()
	type pair struct {
		name  string
		ip    [2]string         // ip rule add arguments, after the priority
		ours  [2]rtnetlink.Rule // for what ip 6.1 does not know: the package adds these
		needs string            // for what ip 6.1 does not know: the selector, a key of newRuleSelectors's
		// ipNeeds, if set, is the selector ip's pair needs, where it
		// needs less than ours.
		ipNeeds string
	}
	pr := func(s, e uint16) rtnetlink.PortRange { return rtnetlink.PortRange{Start: s, End: e} }
	pairs := []pair{
		{name: "uidrange", ip: [2]string{"uidrange 0-0 lookup 100", "uidrange 1-1 lookup 100"}},
		{name: "ipproto", ip: [2]string{"ipproto tcp lookup 100", "ipproto udp lookup 100"}},
		{name: "sport", ip: [2]string{"ipproto tcp sport 1000-2000 lookup 100", "ipproto tcp sport 1000-2001 lookup 100"}},
		{name: "dport", ip: [2]string{"ipproto udp dport 53 lookup 100", "ipproto udp dport 54 lookup 100"}},
		{name: "suppress_prefixlength", ip: [2]string{"lookup main suppress_prefixlength 0", "lookup main suppress_prefixlength 1"}},
		{name: "suppress_ifgroup", ip: [2]string{"lookup main suppress_ifgroup 0", "lookup main suppress_ifgroup 1"}},
		{name: "tun_id", ip: [2]string{"tun_id 1 lookup 100", "tun_id 2 lookup 100"}},
		{name: "protocol", ip: [2]string{"lookup 100 proto static", "lookup 100 proto dhcp"}},
		{name: "dscp", needs: "dscp", ip: [2]string{"dscp 1 lookup 100", "dscp 2 lookup 100"},
			ours: [2]rtnetlink.Rule{{DSCP: 1, Table: 100}, {DSCP: 2, Table: 100}}},
		// ip sends no mask for 0x3f (the kernel's default), and the
		// kernel's check for a rule that exists already ignores what a
		// request leaves out: 8/0x3f after 8/0x38 would be EEXIST.
		// DSCP 0, which Rule says with DSCPMask 0x3f (FRA_DSCP_MASK,
		// 6.16) and ip with FRA_DSCP alone, which 6.13 to 6.15 (and
		// Debian's 6.12) list without a mask. The rule without a DSCP
		// goes first: the kernel's check for a rule that exists
		// already would find the other in it.
		{name: "dscp 0", needs: "dscp mask", ipNeeds: "dscp", ip: [2]string{"lookup 100", "dscp 0 lookup 100"},
			ours: [2]rtnetlink.Rule{{Table: 100}, {DSCPMask: 0x3f, Table: 100}}},
		{name: "dscp mask", needs: "dscp mask", ip: [2]string{"dscp 8/0x3f lookup 100", "dscp 8/0x38 lookup 100"},
			ours: [2]rtnetlink.Rule{{DSCP: 8, DSCPMask: 0x38, Table: 100}, {DSCP: 8, DSCPMask: 0x3f, Table: 100}}},
		{name: "port mask", needs: "port mask", ip: [2]string{"ipproto tcp dport 0x10/0xf0 lookup 100", "ipproto tcp dport 0x10/0xff lookup 100"},
			ours: [2]rtnetlink.Rule{{IPProto: 6, DPort: pr(0x10, 0x10), DPortMask: 0xf0, Table: 100}, {IPProto: 6, DPort: pr(0x10, 0x10), DPortMask: 0xff, Table: 100}}},
		{name: "sport mask", needs: "port mask", ip: [2]string{"ipproto udp sport 0x100/0xff00 lookup 100", "ipproto udp sport 0x100/0x100 lookup 100"},
			ours: [2]rtnetlink.Rule{{IPProto: 17, SPort: pr(0x100, 0x100), SPortMask: 0xff00, Table: 100}, {IPProto: 17, SPort: pr(0x100, 0x100), SPortMask: 0x100, Table: 100}}},
	}
	v4only := []pair{{name: "realms", ip: [2]string{"realms 1/2 lookup 100", "realms 1/3 lookup 100"}}}
	v6only := []pair{
		{name: "flowlabel", needs: "flowlabel", ip: [2]string{"flowlabel 1 lookup 100", "flowlabel 2 lookup 100"},
			ours: [2]rtnetlink.Rule{{FlowLabel: 1, Table: 100}, {FlowLabel: 2, Table: 100}}},
		{name: "flowlabel mask", needs: "flowlabel", ip: [2]string{"flowlabel 0x100/0xf00 lookup 100", "flowlabel 0x100/0xff00 lookup 100"},
			ours: [2]rtnetlink.Rule{{FlowLabel: 0x100, FlowLabelMask: 0xf00, Table: 100}, {FlowLabel: 0x100, FlowLabelMask: 0xff00, Table: 100}}},
	}
	has := newRuleSelectors(t, c)
	// check adds the pair p at priority pref in family fam, by ipns (an
	// ip that knows p) or, if nil, by the package; deletes the second as
	// listed; and checks what is left with the package and with ipns, if
	// any.
	check := func(t *testing.T, p pair, flag string, family int, pref uint32, ipns *nstest.NS) {
		needs := p.needs
		if ipns != nil && p.ipNeeds != "" {
			needs = p.ipNeeds
		}
		if needs != "" && !has[needs] {
			t.Skipf("this kernel lacks the %s selector", needs)
		}
		for j := range 2 {
			if ipns != nil {
				ipns.Run(t, append([]string{flag, "rule", "add", "pref", fmt.Sprint(pref)}, strings.Fields(p.ip[j])...)...)
				continue
			}
			r := p.ours[j]
			r.Family, r.Priority = family, pref
			if err := c.AddRule(ctx, r); err != nil {
				t.Fatalf("adding %+v: %v", r, err)
			}
		}
		var listed []rtnetlink.Rule
		for r, err := range c.Rules(ctx, rtnetlink.RuleFilter{Family: family}) {
			if err != nil {
				t.Fatal(err)
			}
			if r.Priority == pref {
				listed = append(listed, r)
			}
		}
		if len(listed) != 2 || listed[0] == listed[1] {
			t.Fatalf("listed %+v: want two different rules", listed)
		}
		keep := ourRule(listed[0])
		if err := c.DeleteRule(ctx, listed[1]); err != nil {
			t.Fatalf("deleting %+v as listed: %v", listed[1], err)
		}
		var left []rtnetlink.Rule
		for r, err := range c.Rules(ctx, rtnetlink.RuleFilter{Family: family}) {
			if err != nil {
				t.Fatal(err)
			}
			if r.Priority == pref {
				left = append(left, r)
			}
		}
		if len(left) != 1 || left[0] != listed[0] {
			t.Errorf("after deleting %+v, the package lists %+v; want %+v", listed[1], left, listed[0])
		}
		if ipns != nil {
			if got := ruleLines(t, ipns, flag, pref); len(got) != 1 || got[0] != keep {
				t.Errorf("after deleting %+v, ip lists %q; want %q", listed[1], got, keep)
			}
		}
	}
	pref := uint32(1000)
	for _, fam := range []struct {
		flag   string
		family int
		pairs  []pair
	}{{"-4", unix.AF_INET, append(slices.Clone(pairs), v4only...)}, {"-6", unix.AF_INET6, append(slices.Clone(pairs), v6only...)}} {
		for _, p := range fam.pairs {
			name := fam.flag + "/" + strings.ReplaceAll(p.name, " ", "_")
			if p.needs == "" {
				pref++
				t.Run(name, func(t *testing.T) { check(t, p, fam.flag, fam.family, pref, ns) })
				continue
			}
			pref++
			t.Run(name, func(t *testing.T) { check(t, p, fam.flag, fam.family, pref, nil) })
			pref++
			t.Run(name+"_ip", func(t *testing.T) {
				check(t, p, fam.flag, fam.family, pref, ns.WithIP(nstest.NewerIP(t, "6.15")))
			})
		}
	}
}

// TestRuleSelectorsBackends: rules with every selector and setting added
// through the package list back as added (with the kernel's defaults: the
// DSCP mask 0x3f, the flow label mask 0xfffff), and near-identical ones
// are deleted one at a time as listed, on the kernel and on rtnltest's
// fake alike.
func TestRuleSelectorsBackends(t *testing.T) { backends(t, testRuleSelectors) }

func testRuleSelectors(t *testing.T, b *backend) {
	c, _, _ := b.arNS(t, nil)
	ctx := context.Background()
	base := []rtnetlink.Rule{
		{Family: unix.AF_INET, Priority: 10, Action: rtnetlink.RuleToTable, Table: 100, HasUIDRange: true, UIDRange: rtnetlink.UIDRange{Start: 1, End: 2},
			IPProto: unix.IPPROTO_TCP, SPort: rtnetlink.PortRange{Start: 1000, End: 2000}, DPort: rtnetlink.PortRange{Start: 0x10, End: 0x10}, DPortMask: 0xf0,
			TunID: 5, Realms: 1<<16 | 2, DSCP: 8, DSCPMask: 0x3f},
		{Family: unix.AF_INET, Priority: 11, Action: rtnetlink.RuleToTable, Table: rtnetlink.TableMain, HasSuppressPrefixLen: true, HasSuppressIfGroup: true, SuppressIfGroup: 3},
		{Family: unix.AF_INET6, Priority: 10, Action: rtnetlink.RuleToTable, Table: 100, HasUIDRange: true, FlowLabel: 0x100, FlowLabelMask: 0xf00, DSCP: 4, DSCPMask: 0x3c},
		{Family: unix.AF_INET6, Priority: 11, Action: rtnetlink.RuleToTable, L3MDev: true},
	}
	// AddRule refuses a selector older kernels would ignore: leave out
	// what this one lacks (the fake has them all).
	has := newRuleSelectors(t, c)
	for i := range base {
		r := &base[i]
		r.HasPriority = true // as Rules lists every rule
		if !has["dscp"] {
			r.DSCP, r.DSCPMask = 0, 0
		} else if !has["dscp mask"] {
			r.DSCP, r.DSCPMask = r.DSCP&r.DSCPMask, 0 // 6.13 to 6.15 report no mask
		}
		if !has["flowlabel"] {
			r.FlowLabel, r.FlowLabelMask = 0, 0
		}
		if !has["port mask"] {
			r.SPortMask, r.DPortMask = 0, 0
		}
	}
	var added []rtnetlink.Rule
	for _, r := range base {
		twin := r // the same but for the uid range, a suppressor or ipproto
		switch {
		case twin.L3MDev:
			twin.IPProto = unix.IPPROTO_UDP
		case twin.HasUIDRange:
			twin.UIDRange.End += 10
		default:
			twin.SuppressPrefixLen++
		}
		for _, r := range []rtnetlink.Rule{r, twin} {
			if err := c.AddRule(ctx, r); err != nil {
				t.Fatalf("add %+v: %v", r, err)
			}
			added = append(added, r)
		}
	}
	var listed []rtnetlink.Rule
	for r, err := range c.Rules(ctx, rtnetlink.RuleFilter{}) {
		if err != nil {
			t.Fatal(err)
		}
		r.Protocol = 0 // the kernel's default rules are of the kernel's
		if slices.Contains(added, r) {
			listed = append(listed, r)
		}
	}
	if len(listed) != len(added) {
		t.Fatalf("of %+v, listed %+v", added, listed)
	}
	// Delete the twins, which were added second, as listed.
	for i := 1; i < len(added); i += 2 {
		if err := c.DeleteRule(ctx, added[i]); err != nil {
			t.Fatalf("delete %+v: %v", added[i], err)
		}
	}
	var left []rtnetlink.Rule
	for r, err := range c.Rules(ctx, rtnetlink.RuleFilter{}) {
		if err != nil {
			t.Fatal(err)
		}
		if r.Priority == 10 || r.Priority == 11 {
			left = append(left, r)
		}
	}
	if len(left) != len(base) {
		t.Fatalf("after deleting the twins, listed %+v; want %+v", left, base)
	}
	for _, r := range left {
		if !slices.Contains(base, r) {
			t.Errorf("after deleting the twins, listed %+v, which is not one of %+v", r, base)
		}
	}
}
