//go:build linux

package rtnetlink_test

import (
	"context"
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

// TestRuleAttrsKernel: on the running kernel, a rule with each selector
// newer than Linux 6.12 is added with it when the kernel has it (Rules
// lists the selector, ip one more rule; deleting it leaves what was
// there), and refused before anything is sent when the kernel lacks it,
// naming the attributes it lacks: ip -j rule show lists the same rules
// as before, with no broader rule. A rule with an attribute no kernel
// knows is refused everywhere. Deleting such a rule where a rule without
// the selector has its priority leaves that rule: ENOENT where the kernel
// compares the selector, a refusal where it would not. Which release has
// which attribute is upstream's (a distribution kernel of an older series
// with one backported would fail here).
func TestRuleAttrsKernel(t *testing.T) {
	ns := nstest.New(t)
	c := dial(t, ns, netlink.Config{})
	ctx := context.Background()
	for _, tc := range ruleAttrCases() {
		t.Run(tc.name, func(t *testing.T) {
			var missing []string
			for _, typ := range tc.types {
				a, ok := ruleAttrReleases[typ]
				if !ok || !kernelAtLeast(t, a.since[0], a.since[1]) {
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
