//go:build linux

package rtnetlink_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/nstest"
	"github.com/nlkit/netlink/rtnetlink"
)

// ipRuleLines is ip -j -d rule show of both families, one line a rule.
func ipRuleLines(t *testing.T, ns *nstest.NS) []string {
	t.Helper()
	return append(raLines(t, ns, "ip", []string{"-4", "rule", "show"}), raLines(t, ns, "ip", []string{"-6", "rule", "show"})...)
}

// sameRules fails t when ip's listing after differs from before, saying
// which rules came and went.
func sameRules(t *testing.T, what string, after, before []string) {
	t.Helper()
	for _, l := range after {
		if !slices.Contains(before, l) {
			t.Errorf("%s: ip lists a new rule: %s", what, l)
		}
	}
	for _, l := range before {
		if !slices.Contains(after, l) {
			t.Errorf("%s: ip no longer lists the rule %s", what, l)
		}
	}
}

// kernelKeeps reports whether the kernel keeps the rule attribute typ:
// it adds a rule with it (and what it needs beside it) at priority 9000
// by a raw request, looks for it in the kernel's listing, and deletes the
// rule. This is the oracle for the package's probe: a kernel that parses
// an attribute but predates it, or backports it (Debian's 6.12 has
// FRA_DSCP), answers here as it does there.
func kernelKeeps(t *testing.T, c *rtnetlink.Conn, family int, typ uint16) bool {
	t.Helper()
	u16 := func(vs ...uint16) []byte {
		var b []byte
		for _, v := range vs {
			b = binary.NativeEndian.AppendUint16(b, v)
		}
		return b
	}
	var attrs []netlink.Attr
	switch typ {
	case 25:
		attrs = []netlink.Attr{{Type: 25, Data: []byte{46}}}
	case 26, 27:
		attrs = []netlink.Attr{{Type: 26, Data: []byte{0, 0, 1, 0}}, {Type: 27, Data: []byte{0, 0, 0x0f, 0}}}
	case 28:
		attrs = []netlink.Attr{{Type: unix.FRA_IP_PROTO, Data: []byte{6}}, {Type: unix.FRA_SPORT_RANGE, Data: u16(0x100, 0x100)}, {Type: 28, Data: u16(0xff00)}}
	case 29:
		attrs = []netlink.Attr{{Type: unix.FRA_IP_PROTO, Data: []byte{17}}, {Type: unix.FRA_DPORT_RANGE, Data: u16(0x10, 0x10)}, {Type: 29, Data: u16(0xf0)}}
	case 30:
		attrs = []netlink.Attr{{Type: 25, Data: []byte{8}}, {Type: 30, Data: []byte{0x38}}}
	default:
		attrs = []netlink.Attr{{Type: typ, Data: []byte{1, 0, 0, 0}}}
	}
	const pref = 9000
	b := make([]byte, 12) // fib_rule_hdr
	b[0], b[4], b[7] = uint8(family), 100, unix.FR_ACT_TO_TBL
	b = netlink.Attr{Type: unix.FRA_PRIORITY, Data: binary.NativeEndian.AppendUint32(nil, pref)}.Append(b)
	for _, a := range attrs {
		b = a.Append(b)
	}
	ctx := context.Background()
	if _, err := c.NL.Execute(ctx, netlink.Message{Header: netlink.Header{Type: unix.RTM_NEWRULE, Flags: netlink.Create | netlink.Excl}, Data: b}); err != nil {
		t.Fatalf("adding a rule with attribute %d by a raw request: %v", typ, err)
	}
	defer func() {
		// Deleted as added: a kernel that ignored the attribute ignores
		// it here too.
		if _, err := c.NL.Execute(ctx, netlink.Message{Header: netlink.Header{Type: unix.RTM_DELRULE}, Data: b}); err != nil {
			t.Fatalf("deleting the rule with attribute %d: %v", typ, err)
		}
	}()
	found, kept := false, false
	for m, err := range c.NL.Dump(ctx, netlink.Message{Header: netlink.Header{Type: unix.RTM_GETRULE}, Data: []byte{uint8(family), 11: 0}}) {
		if err != nil {
			t.Fatal(err)
		}
		prio, has := uint32(0), false
		d := m.AttrDecoder(12)
		for d.Next() {
			switch d.Type() {
			case unix.FRA_PRIORITY:
				prio = d.Uint32()
			case typ:
				has = true
			}
		}
		if prio == pref {
			found, kept = true, has
		}
	}
	if !found {
		t.Fatalf("the rule with attribute %d added by a raw request is not listed", typ)
	}
	return kept
}

// TestRuleAttrsKernel: on the running kernel, a rule with each selector
// newer than Linux 6.12 is added with it when the kernel keeps it (as
// kernelKeeps finds by raw requests: Rules lists the selector, ip one
// more rule; deleting it leaves what was there), and refused before
// anything is sent when the kernel would lose it, naming the attributes
// it lacks: ip -j rule show lists the same rules as before, with no
// broader rule. A rule with an attribute no kernel knows is refused
// everywhere. Deleting such a rule where a rule without the selector has
// its priority leaves that rule: ENOENT where the kernel compares the
// selector, a refusal where it would not.
func TestRuleAttrsKernel(t *testing.T) {
	ns := nstest.New(t)
	c := dial(t, ns, netlink.Config{})
	ctx := context.Background()
	for _, tc := range ruleAttrCases() {
		t.Run(tc.name, func(t *testing.T) {
			var missing []string
			for _, typ := range tc.types {
				if !kernelKeeps(t, c, tc.r.Family, typ) {
					missing = append(missing, ruleAttrName(typ))
				}
			}
			before := ipRuleLines(t, ns)
			err := c.AddRule(ctx, tc.r)
			if len(missing) > 0 {
				checkRuleRefused(t, err, unix.RTM_NEWRULE, tc, missing)
				sameRules(t, "after a refused AddRule", ipRuleLines(t, ns), before)
			} else {
				if err != nil {
					t.Fatalf("AddRule(%+v): %v", tc.r, err)
				}
				var listed []rtnetlink.Rule
				for r, err := range c.Rules(ctx, rtnetlink.RuleFilter{Family: tc.r.Family}) {
					if err != nil {
						t.Fatal(err)
					}
					if r.Priority == tc.r.Priority {
						listed = append(listed, r)
					}
				}
				if len(listed) != 1 || !tc.kept(listed[0]) {
					t.Errorf("added %+v, listed %+v at its priority: want it with its selectors", tc.r, listed)
				}
				if got := ipRuleLines(t, ns); len(got) != len(before)+1 {
					t.Errorf("added %+v: ip lists %d rules, want %d", tc.r, len(got), len(before)+1)
				}
				if err := c.DeleteRule(ctx, tc.r); err != nil {
					t.Fatalf("DeleteRule(%+v): %v", tc.r, err)
				}
				sameRules(t, "after adding and deleting the rule", ipRuleLines(t, ns), before)
			}

			b := tc.broad()
			family := "-4"
			if b.Family == unix.AF_INET6 {
				family = "-6"
			}
			args := []string{family, "rule", "add", "pref", strconv.FormatUint(uint64(b.Priority), 10)}
			if b.IPProto != 0 {
				args = append(args, "ipproto", strconv.Itoa(int(b.IPProto)))
			}
			for _, p := range []struct {
				key string
				r   rtnetlink.PortRange
			}{{"sport", b.SPort}, {"dport", b.DPort}} {
				if p.r != (rtnetlink.PortRange{}) {
					args = append(args, p.key, fmt.Sprint(p.r.Start))
				}
			}
			ns.Run(t, append(args, "lookup", strconv.FormatUint(uint64(b.Table), 10))...)
			before = ipRuleLines(t, ns)
			err = c.DeleteRule(ctx, tc.r)
			if len(missing) > 0 {
				checkRuleRefused(t, err, unix.RTM_DELRULE, tc, missing)
			} else if !errors.Is(err, unix.ENOENT) {
				t.Errorf("DeleteRule(%+v) beside %v: %v, want ENOENT", tc.r, args, err)
			}
			sameRules(t, "after DeleteRule of the rule with the selectors", ipRuleLines(t, ns), before)
			if err := c.DeleteRule(ctx, b); err != nil {
				t.Errorf("DeleteRule(%+v): %v", b, err)
			}
		})
	}
}

// TestRuleAttrsWithoutExtAck: a Conn without extended ACKs cannot learn
// which rule attributes the kernel knows (the kernel's refusal of a probe
// does not point at the attribute), so it refuses every rule with one
// above FRA_DPORT_RANGE, whatever the kernel; rules with older selectors
// only are added as before.
func TestRuleAttrsWithoutExtAck(t *testing.T) {
	ns := nstest.New(t)
	c := dial(t, ns, netlink.Config{DisableExtendedAck: true})
	ctx := context.Background()
	before := ipRuleLines(t, ns)
	for _, tc := range ruleAttrCases() {
		var missing []string
		for _, typ := range tc.types {
			missing = append(missing, ruleAttrName(typ))
		}
		checkRuleRefused(t, c.AddRule(ctx, tc.r), unix.RTM_NEWRULE, tc, missing)
	}
	sameRules(t, "after refused AddRules", ipRuleLines(t, ns), before)
	r := rtnetlink.Rule{Family: unix.AF_INET, Priority: 60, IPProto: 6, DPort: rtnetlink.PortRange{Start: 80, End: 80}, Table: 100}
	if err := c.AddRule(ctx, r); err != nil {
		t.Fatalf("AddRule(%+v): %v", r, err)
	}
	if got := ruleLines(t, ns, "-4", 60); len(got) != 1 {
		t.Errorf("added %+v: ip lists %q at its priority, want one rule", r, got)
	}
}
