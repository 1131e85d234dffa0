//go:build linux

package rtnetlink_test

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/nstest"
	"github.com/nlkit/netlink/rtnetlink"
	"golang.org/x/sys/unix"
)

// ipRules lists the rules of ns of one family ("-4" or "-6") as ip -j -d
// rule show does, one line each in the form ourRule uses.
func ipRules(t testing.TB, ns *nstest.NS, family string) []string {
	t.Helper()
	var lines []string
	for _, r := range arJSON(t, ns, family, "-d", "rule", "show") {
		prefix := func(key string) string {
			a := arStr(r[key])
			if a == "" || a == "all" {
				return ""
			}
			if l := arStr(r[key+"len"]); l != "" {
				return a + "/" + l
			}
			if strings.Contains(a, ":") {
				return a + "/128"
			}
			return a + "/32"
		}
		mark := arStr(r["fwmark"])
		if mark != "" && r["fwmask"] == nil {
			mark += "/0xffffffff"
		} else if mark != "" {
			mark += "/" + arStr(r["fwmask"])
		}
		action := arStr(r["action"])
		if action == "" && r["goto"] != nil {
			action = "goto"
		} else if action == "" {
			action = "lookup"
		}
		tos := "0"
		if s := arStr(r["tos"]); s != "" {
			n, err := strconv.ParseUint(strings.TrimPrefix(s, "0x"), 16, 8)
			if err != nil {
				t.Fatalf("tos %q: %v", s, err)
			}
			tos = strconv.FormatUint(n, 10)
		}
		var flags []string
		for _, k := range []string{"not", "unresolved"} {
			if _, ok := r[k]; ok {
				flags = append(flags, k)
			}
		}
		lines = append(lines, fmt.Sprintf("%s pref=%s from=%s to=%s iif=%s oif=%s fwmark=%s tos=%s action=%s table=%s goto=%s proto=%s flags=%s",
			family, arStr(r["priority"]), prefix("src"), prefix("dst"), arStr(r["iif"]), arStr(r["oif"]), mark, tos,
			action, arStr(r["table"]), arStr(r["goto"]), arStr(r["protocol"]), strings.Join(flags, ","))+ipRuleExtra(t, r))
	}
	return lines
}

// ourRule formats r as ipRules does.
func ourRule(r rtnetlink.Rule) string {
	str := func(p netip.Prefix) string {
		if !p.IsValid() {
			return ""
		}
		return p.String()
	}
	family := "-4"
	if r.Family == unix.AF_INET6 {
		family = "-6"
	}
	mark, table, gotoPrio := "", "", ""
	if r.Mark != 0 || r.Mask != 0 {
		mark = fmt.Sprintf("%#x/%#x", r.Mark, r.Mask)
	}
	if r.Action == rtnetlink.RuleToTable {
		table = arTableName(r.Table)
	}
	if r.Action == rtnetlink.RuleGoto {
		gotoPrio = strconv.FormatUint(uint64(r.Goto), 10)
	}
	var flags []string
	if r.Flags != 0 {
		flags = slices.DeleteFunc(strings.Split(r.Flags.String(), "|"), func(f string) bool { return f == "permanent" })
	}
	if r.L3MDev {
		table = ""
	}
	return fmt.Sprintf("%s pref=%d from=%s to=%s iif=%s oif=%s fwmark=%s tos=%d action=%s table=%s goto=%s proto=%s flags=%s",
		family, r.Priority, str(r.Src), str(r.Dst), r.IIF, r.OIF, mark, r.TOS, r.Action, table, gotoPrio, r.Protocol, strings.Join(flags, ",")) + ourRuleExtra(r)
}

// ipProtoNames maps the protocol names ip prints for ipproto to numbers.
var ipProtoNames = map[string]string{"icmp": "1", "tcp": "6", "udp": "17", "dccp": "33", "ipv6-icmp": "58", "sctp": "132"}

// ipRuleExtra formats the selectors and settings of ip -j -d rule show
// that the first fields of ipRules leave out: uid range, ipproto, ports
// and their masks, suppress_prefixlength, suppress_ifgroup, l3mdev,
// tun_id, realms, dscp and its mask, flowlabel and its mask, each when
// set, in the form ourRuleExtra uses. ip 6.1 (bookworm's, the host's)
// prints neither dscp nor flowlabel nor the port masks, nor can it add
// them: the tests of those (TestRuleNewSelectorsOracle) run iproute2 6.15
// or later (nstest.NewerIP).
func ipRuleExtra(t testing.TB, r map[string]any) string {
	t.Helper()
	var b strings.Builder
	if r["uid_start"] != nil {
		fmt.Fprintf(&b, " uidrange=%s-%s", arStr(r["uid_start"]), arStr(r["uid_end"]))
	}
	if p := arStr(r["ipproto"]); p != "" {
		if n, ok := ipProtoNames[p]; ok {
			p = n
		}
		fmt.Fprintf(&b, " ipproto=%s", strings.TrimPrefix(p, "ipproto-"))
	}
	for _, k := range []string{"sport", "dport"} {
		if v := arStr(r[k]); v != "" {
			fmt.Fprintf(&b, " %s=%s-%s", k, v, v)
		} else if r[k+"_start"] != nil {
			fmt.Fprintf(&b, " %s=%s-%s", k, arStr(r[k+"_start"]), arStr(r[k+"_end"]))
		}
		// A single port's mask of 0xffff is the kernel's default (6.16
		// on reports it; ip 6.1 prints no mask): both leave it out.
		if m := ipHex(t, r[k+"_mask"]); m != "" && !(r[k] != nil && m == "0xffff") {
			fmt.Fprintf(&b, " %s_mask=%s", k, m)
		}
	}
	if r["suppress_prefixlen"] != nil {
		fmt.Fprintf(&b, " suppress_prefixlength=%s", arStr(r["suppress_prefixlen"]))
	}
	if g := arStr(r["suppress_ifgroup"]); g != "" {
		if g == "default" {
			g = "0"
		}
		fmt.Fprintf(&b, " suppress_ifgroup=%s", g)
	}
	if _, ok := r["l3mdev"]; ok {
		b.WriteString(" l3mdev")
	}
	if r["tun_id"] != nil {
		fmt.Fprintf(&b, " tun_id=%s", arStr(r["tun_id"]))
	}
	if from, to := arStr(r["flow_from"]), arStr(r["flow_to"]); from != "" || to != "" {
		if from == "" {
			from = "0"
		}
		fmt.Fprintf(&b, " realms=%s/%s", from, to)
	}
	if d := arStr(r["dscp"]); d != "" {
		fmt.Fprintf(&b, " dscp=%d", ipDSCP(t, d))
		if m := ipHex(t, r["dscp_mask"]); m != "" {
			fmt.Fprintf(&b, "/%s", m)
		}
	}
	if l := ipHex(t, r["flowlabel"]); l != "" {
		fmt.Fprintf(&b, " flowlabel=%s/%s", l, ipHex(t, r["flowlabel_mask"]))
	}
	return b.String()
}

// ipHex formats a number ip prints in hexadecimal ("0xf00", and 0 as
// "0") as ourRuleExtra does (%#x), or "" when ip printed none.
func ipHex(t testing.TB, v any) string {
	t.Helper()
	s := arStr(v)
	if s == "" {
		return ""
	}
	n, err := strconv.ParseUint(s, 0, 32)
	if err != nil {
		t.Fatalf("ip printed %q for a hexadecimal number: %v", s, err)
	}
	return fmt.Sprintf("%#x", n)
}

// ipDSCP turns a DSCP as ip prints it, a number or a name of its
// rt_dsfield file (default, CS1-CS7, AF11-AF43, EF: ip prints the name
// when the DSCP has one), into the number.
func ipDSCP(t testing.TB, s string) uint8 {
	t.Helper()
	if n, err := strconv.ParseUint(s, 0, 8); err == nil {
		return uint8(n)
	}
	switch {
	case s == "default":
		return 0
	case s == "EF":
		return 46
	case len(s) == 3 && s[:2] == "CS" && s[2] >= '1' && s[2] <= '7':
		return (s[2] - '0') << 3
	case len(s) == 4 && s[:2] == "AF" && s[2] >= '1' && s[2] <= '4' && s[3] >= '1' && s[3] <= '3':
		return (s[2]-'0')<<3 | (s[3]-'0')<<1
	}
	t.Fatalf("ip printed dscp %q, which is neither a number nor a name of rt_dsfield", s)
	return 0
}

// ourRuleExtra formats r's selectors and settings as ipRuleExtra does.
func ourRuleExtra(r rtnetlink.Rule) string {
	var b strings.Builder
	if r.HasUIDRange {
		fmt.Fprintf(&b, " uidrange=%d-%d", r.UIDRange.Start, r.UIDRange.End)
	}
	if r.IPProto != 0 {
		fmt.Fprintf(&b, " ipproto=%d", r.IPProto)
	}
	for _, p := range []struct {
		k    string
		r    rtnetlink.PortRange
		mask uint16
	}{{"sport", r.SPort, r.SPortMask}, {"dport", r.DPort, r.DPortMask}} {
		if p.r != (rtnetlink.PortRange{}) {
			fmt.Fprintf(&b, " %s=%d-%d", p.k, p.r.Start, p.r.End)
		}
		if p.mask != 0 && !(p.r.Start == p.r.End && p.mask == 0xffff) { // as ipRuleExtra
			fmt.Fprintf(&b, " %s_mask=%#x", p.k, p.mask)
		}
	}
	if r.HasSuppressPrefixLen {
		fmt.Fprintf(&b, " suppress_prefixlength=%d", r.SuppressPrefixLen)
	}
	if r.HasSuppressIfGroup {
		fmt.Fprintf(&b, " suppress_ifgroup=%d", r.SuppressIfGroup)
	}
	if r.L3MDev {
		b.WriteString(" l3mdev")
	}
	if r.TunID != 0 {
		fmt.Fprintf(&b, " tun_id=%d", r.TunID)
	}
	if r.Realms != 0 {
		fmt.Fprintf(&b, " realms=%d/%d", r.Realms>>16, r.Realms&0xffff)
	}
	if r.DSCP != 0 || r.DSCPMask != 0 {
		fmt.Fprintf(&b, " dscp=%d", r.DSCP)
		if r.DSCPMask != 0 { // kernels before 6.16 report none
			fmt.Fprintf(&b, "/%#x", r.DSCPMask)
		}
	}
	if r.FlowLabel != 0 || r.FlowLabelMask != 0 {
		fmt.Fprintf(&b, " flowlabel=%#x/%#x", r.FlowLabel, r.FlowLabelMask)
	}
	return b.String()
}

// ourRules lists the rules f selects through c, one line each.
func ourRules(t testing.TB, c *rtnetlink.Conn, f rtnetlink.RuleFilter) []string {
	t.Helper()
	var lines []string
	for r, err := range c.Rules(context.Background(), f) {
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, ourRule(r))
	}
	return lines
}

// ruCompare compares the rules of both families as the package and ip
// list them, and returns ip's lines.
func ruCompare(t testing.TB, ns *nstest.NS, c *rtnetlink.Conn) []string {
	t.Helper()
	var all []string
	for _, fam := range []struct {
		ip     string
		family int
	}{{"-4", unix.AF_INET}, {"-6", unix.AF_INET6}} {
		want := ipRules(t, ns, fam.ip)
		arDiff(t, "rules "+fam.ip, ourRules(t, c, rtnetlink.RuleFilter{Family: fam.family}), slices.Clone(want))
		all = append(all, want...)
	}
	arDiff(t, "every rule", ourRules(t, c, rtnetlink.RuleFilter{}), slices.Clone(all))
	return all
}

// TestRulesOracle adds and deletes rules through the package and through
// ip, and checks that the package lists what ip -j -d rule show lists, for
// each family, field by field: priority, source and destination prefixes,
// input and output links, fwmark and mask, TOS, action, table (ids above
// 255 too), goto target, protocol, and the not and unresolved flags.
func TestRulesOracle(t *testing.T) {
	ns, c, _, _ := arNS(t, nil)
	ctx := context.Background()
	pfx := netip.MustParsePrefix
	adds := []rtnetlink.Rule{
		{Priority: 100, Src: pfx("10.1.0.0/16"), Dst: pfx("10.2.0.0/16"), Table: 1000},
		{Priority: 101, Family: unix.AF_INET, IIF: "v0", Mark: 0x10, Mask: 0xff, Table: 5, Protocol: rtnetlink.ProtoStatic},
		{Priority: 102, Family: unix.AF_INET, OIF: "v1", Mark: 7, Table: 70000},
		{Priority: 103, Family: unix.AF_INET, Action: rtnetlink.RuleBlackhole},
		{Priority: 104, Family: unix.AF_INET, Action: rtnetlink.RuleUnreachable, Src: pfx("10.9.0.0/16")},
		{Priority: 105, Family: unix.AF_INET, Action: rtnetlink.RuleProhibit, TOS: 0x10},
		{Priority: 106, Family: unix.AF_INET, Goto: 108},
		{Priority: 107, Family: unix.AF_INET, Goto: 500}, // unresolved
		{Priority: 108, Src: pfx("10.3.0.0/16"), Flags: rtnetlink.RuleInvert, Table: rtnetlink.TableMain},
		{Priority: 100, Src: pfx("2001:db8::/32"), Table: 2000},
		{Priority: 101, Family: unix.AF_INET6, IIF: "lo", Action: rtnetlink.RuleProhibit, Protocol: 99},
		{Priority: 102, Dst: pfx("2001:db8:1::1/128"), Mark: 0x100, Mask: 0x100, Table: 300},
		{Priority: 200, Family: unix.AF_INET, Table: 200},        // deleted below by its fields
		{Priority: 201, Dst: pfx("2001:db8:2::/48"), Table: 201}, // deleted below as listed
	}
	for _, r := range adds {
		if err := c.AddRule(ctx, r); err != nil {
			t.Fatalf("add %+v: %v", r, err)
		}
	}
	if err := c.AddRule(ctx, adds[0]); !errors.Is(err, unix.EEXIST) {
		t.Errorf("adding %+v twice: %v, want EEXIST", adds[0], err)
	}
	if err := c.DeleteRule(ctx, rtnetlink.Rule{Family: unix.AF_INET, Priority: 200}); err != nil {
		t.Error(err)
	}
	for r, err := range c.Rules(ctx, rtnetlink.RuleFilter{Family: unix.AF_INET6, Table: 201}) {
		if err == nil {
			err = c.DeleteRule(ctx, r)
		}
		if err != nil {
			t.Error(err)
		}
	}
	if err := c.DeleteRule(ctx, rtnetlink.Rule{Family: unix.AF_INET, Priority: 200}); !errors.Is(err, unix.ENOENT) {
		t.Errorf("deleting twice: %v, want ENOENT", err)
	}

	// What ip adds, the package must read back the same.
	ns.Batch(t, []string{
		"rule add pref 300 from 172.16.0.0/12 to 192.168.1.0/24 iif v1 oif v0 table 3000 proto dhcp",
		"rule add pref 301 fwmark 0x20/0xf0 lookup main",
		"rule add pref 302 not to 172.20.0.0/16 prohibit",
		"rule add pref 303 goto 304",
		"rule add pref 304 tos 0x08 table 10",
	})
	ns.Run(t, "-6", "rule", "add", "pref", "300", "from", "2001:db8:5::/48", "table", "6000")
	ns.Run(t, "-6", "rule", "add", "pref", "301", "blackhole")
	all := ruCompare(t, ns, c)
	for _, w := range []string{
		"-4 pref=100 from=10.1.0.0/16 to=10.2.0.0/16 iif= oif= fwmark= tos=0 action=lookup table=1000 goto= proto=unspec flags=",
		"-4 pref=101 from= to= iif=v0 oif= fwmark=0x10/0xff tos=0 action=lookup table=5 goto= proto=static flags=",
		"-4 pref=102 from= to= iif= oif=v1 fwmark=0x7/0xffffffff tos=0 action=lookup table=70000 goto= proto=unspec flags=",
		"-4 pref=103 from= to= iif= oif= fwmark= tos=0 action=blackhole table= goto= proto=unspec flags=",
		"-4 pref=104 from=10.9.0.0/16 to= iif= oif= fwmark= tos=0 action=unreachable table= goto= proto=unspec flags=",
		"-4 pref=105 from= to= iif= oif= fwmark= tos=16 action=prohibit table= goto= proto=unspec flags=",
		"-4 pref=106 from= to= iif= oif= fwmark= tos=0 action=goto table= goto=108 proto=unspec flags=",
		"-4 pref=107 from= to= iif= oif= fwmark= tos=0 action=goto table= goto=500 proto=unspec flags=unresolved",
		"-4 pref=108 from=10.3.0.0/16 to= iif= oif= fwmark= tos=0 action=lookup table=main goto= proto=unspec flags=not",
		"-6 pref=100 from=2001:db8::/32 to= iif= oif= fwmark= tos=0 action=lookup table=2000 goto= proto=unspec flags=",
		"-6 pref=101 from= to= iif=lo oif= fwmark= tos=0 action=prohibit table= goto= proto=openr flags=",
		"-6 pref=102 from= to=2001:db8:1::1/128 iif= oif= fwmark=0x100/0x100 tos=0 action=lookup table=300 goto= proto=unspec flags=",
	} {
		if !slices.Contains(all, w) {
			t.Errorf("ip does not list %s", w)
		}
	}
	for _, l := range all {
		if strings.Contains(l, " pref=200 ") || strings.Contains(l, " pref=201 ") {
			t.Errorf("deleted rule still listed: %s", l)
		}
	}
	var n int
	for _, err := range c.Rules(ctx, rtnetlink.RuleFilter{Table: rtnetlink.TableMain}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 4 { // the default rules of both families, 108 and 301
		t.Errorf("%d rules look up main, want 4", n)
	}
}

// TestRuleErrors checks the errors found before sending and those the
// kernel reports.
func TestRuleErrors(t *testing.T) { backends(t, testRuleErrors) }

func testRuleErrors(t *testing.T, b *backend) {
	c, _, _ := b.arNS(t, nil)
	ctx := context.Background()
	pfx := netip.MustParsePrefix
	for _, r := range []rtnetlink.Rule{
		{},
		{Family: 99},
		{Src: pfx("10.0.0.0/8"), Dst: pfx("2001:db8::/32")},
		{Family: unix.AF_INET6, Src: pfx("10.0.0.0/8")},
		{Src: pfx("10.1.2.3/8")},
		{Family: unix.AF_INET, IIF: "a-name-far-too-long"},
		{Family: unix.AF_INET, Goto: 5, Action: rtnetlink.RuleBlackhole},
	} {
		err := c.AddRule(ctx, r)
		var oe *netlink.OpError
		if !errors.Is(err, os.ErrInvalid) || !errors.Is(err, unix.EINVAL) || !errors.As(err, &oe) || oe.Op != "check" {
			t.Errorf("AddRule(%+v) = %v, want a check error matching EINVAL and os.ErrInvalid", r, err)
		}
	}
	// The kernel's refusal, with its explanation.
	err := c.AddRule(ctx, rtnetlink.Rule{Family: unix.AF_INET, Action: rtnetlink.RuleGoto})
	var oe *netlink.OpError
	if !errors.Is(err, unix.EINVAL) || !errors.As(err, &oe) || oe.Op == "check" || oe.Message == "" {
		t.Errorf("goto without a target: %v, want EINVAL from the kernel with a message", err)
	} else {
		t.Log(err)
	}
	if err := c.DeleteRule(ctx, rtnetlink.Rule{Family: unix.AF_INET6, Priority: 4242}); !errors.Is(err, unix.ENOENT) {
		t.Errorf("deleting a missing rule: %v, want ENOENT", err)
	}
}

// TestDeleteRulePriorityZero: a rule of priority 0 (which the kernel lists
// without FRA_PRIORITY) is listed with HasPriority, and deleted as listed
// it is that rule alone: a second delete of the same listing fails with
// ENOENT, where a request without the priority would delete the next rule
// of the same selectors (of priority 5 here); the local table's rule, of
// priority 0 too, stays. Added again as listed, it is at priority 0 again,
// not where the kernel would put a rule without one.
func TestDeleteRulePriorityZero(t *testing.T) {
	ns := nstest.New(t)
	c := dial(t, ns, netlink.Config{})
	ctx := context.Background()
	for _, fam := range []struct {
		flag, from string
		family     int
	}{{"-4", "198.18.0.0/16", unix.AF_INET}, {"-6", "2001:db8::/32", unix.AF_INET6}} {
		for _, pref := range []string{"0", "5"} {
			ns.Run(t, fam.flag, "rule", "add", "pref", pref, "from", fam.from, "lookup", "100")
		}
		show := func() []string { return raLines(t, ns, "ip", []string{fam.flag, "rule", "show"}) }
		before := show()
		var zero, local []rtnetlink.Rule
		for r, err := range c.Rules(ctx, rtnetlink.RuleFilter{Family: fam.family}) {
			if err != nil {
				t.Fatal(err)
			}
			if !r.HasPriority {
				t.Errorf("%s: listed %+v without HasPriority", fam.flag, r)
			}
			switch {
			case r.Priority == 0 && r.Table == 100:
				zero = append(zero, r)
			case r.Priority == 0 && r.Table == rtnetlink.TableLocal:
				local = append(local, r)
			}
		}
		if len(zero) != 1 || len(local) != 1 || zero[0].Other != "" {
			t.Fatalf("%s: listed %+v of priority 0 and table 100 (want one, with nothing in Other), %+v of the local table (want one)", fam.flag, zero, local)
		}
		if err := c.DeleteRule(ctx, zero[0]); err != nil {
			t.Fatalf("%s: deleting %+v as listed: %v", fam.flag, zero[0], err)
		}
		if err := c.DeleteRule(ctx, zero[0]); !errors.Is(err, unix.ENOENT) {
			t.Errorf("%s: deleting %+v as listed again: %v, want ENOENT", fam.flag, zero[0], err)
		}
		// What is left is what was there but for the rule deleted.
		var want []string
		for _, l := range before {
			if !strings.Contains(l, `"priority":0,`) || !strings.Contains(l, `"table":"100"`) {
				want = append(want, l)
			}
		}
		if got := show(); len(want) != len(before)-1 || !slices.Equal(got, want) {
			t.Errorf("%s: after deleting the rule of priority 0 as listed, ip lists\n%q\nwant\n%q", fam.flag, got, want)
		}
		if err := c.AddRule(ctx, zero[0]); err != nil {
			t.Fatalf("%s: adding %+v as listed: %v", fam.flag, zero[0], err)
		}
		arDiff(t, "rules "+fam.flag, show(), before)
	}
}
