package rtnetlink_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/uapi"
	"github.com/nlkit/netlink/rtnetlink"
	"github.com/nlkit/netlink/rtnetlink/rtnltest"
)

// ruleAttrNames are how errors name the attribute types above
// FRA_DPORT_RANGE that the package models.
var ruleAttrNames = map[uint16]string{
	25: "FRA_DSCP (Linux 6.13)",
	26: "FRA_FLOWLABEL (Linux 6.14)",
	27: "FRA_FLOWLABEL_MASK (Linux 6.14)",
	28: "FRA_SPORT_MASK (Linux 6.16)",
	29: "FRA_DPORT_MASK (Linux 6.16)",
	30: "FRA_DSCP_MASK (Linux 6.16)",
}

// ruleAttrName is how errors name the attribute type typ.
func ruleAttrName(typ uint16) string {
	if n, ok := ruleAttrNames[typ]; ok {
		return n
	}
	return fmt.Sprintf("attribute %d", typ)
}

// ruleAttrCase is a rule with selectors of kernels newer than 6.12: the
// attribute types it sends above FRA_DPORT_RANGE, and what a listing of
// it shows when they are kept.
type ruleAttrCase struct {
	name  string
	types []uint16 // the attribute types above FRA_DPORT_RANGE it sends
	r     rtnetlink.Rule
	kept  func(rtnetlink.Rule) bool // r as listed has the selectors
}

// ruleAttrCases are rules of each selector newer than Linux 6.12, at
// priorities 50 to 56 and table 100, and one with an attribute no kernel
// knows (in Other). Port masks are set on single ports, as the kernel
// wants them.
func ruleAttrCases() []ruleAttrCase {
	one := func(p uint16) rtnetlink.PortRange { return rtnetlink.PortRange{Start: p, End: p} }
	return []ruleAttrCase{
		{"dscp", []uint16{25}, rtnetlink.Rule{Family: uapi.AF_INET, Priority: 50, DSCP: 46, Table: 100},
			func(r rtnetlink.Rule) bool { return r.DSCP == 46 }},
		{"dscp6", []uint16{25}, rtnetlink.Rule{Family: uapi.AF_INET6, Priority: 51, DSCP: 10, Table: 100},
			func(r rtnetlink.Rule) bool { return r.DSCP == 10 }},
		{"dscp mask", []uint16{25, 30}, rtnetlink.Rule{Family: uapi.AF_INET, Priority: 52, DSCP: 8, DSCPMask: 0x38, Table: 100},
			func(r rtnetlink.Rule) bool { return r.DSCP == 8 && r.DSCPMask == 0x38 }},
		{"flowlabel", []uint16{26, 27}, rtnetlink.Rule{Family: uapi.AF_INET6, Priority: 53, FlowLabel: 0x100, FlowLabelMask: 0xf00, Table: 100},
			func(r rtnetlink.Rule) bool { return r.FlowLabel == 0x100 && r.FlowLabelMask == 0xf00 }},
		{"sport mask", []uint16{28}, rtnetlink.Rule{Family: uapi.AF_INET, Priority: 54, IPProto: 6, SPort: one(0x100), SPortMask: 0xff00, Table: 100},
			func(r rtnetlink.Rule) bool { return r.SPort == one(0x100) && r.SPortMask == 0xff00 }},
		{"dport mask", []uint16{29}, rtnetlink.Rule{Family: uapi.AF_INET6, Priority: 55, IPProto: 17, DPort: one(0x10), DPortMask: 0xf0, Table: 100},
			func(r rtnetlink.Rule) bool { return r.DPort == one(0x10) && r.DPortMask == 0xf0 }},
		{"attribute 1000", []uint16{1000}, rtnetlink.Rule{Family: uapi.AF_INET, Priority: 56, Table: 100, Other: rtnetlink.RawAttrs("\x08\x00\xe8\x03\x01\x00\x00\x00")},
			func(rtnetlink.Rule) bool { return false }},
	}
}

// broad is r without the selectors of tc: a request that lost them would
// add or delete it.
func (tc ruleAttrCase) broad() rtnetlink.Rule {
	r := tc.r
	return rtnetlink.Rule{Family: r.Family, Priority: r.Priority, Table: r.Table, IPProto: r.IPProto, SPort: r.SPort, DPort: r.DPort}
}

// checkRuleRefused checks that err refuses the request of type req about
// tc.r before sending it, naming the attributes the kernel lacks (missing)
// and not the others.
func checkRuleRefused(t *testing.T, err error, req netlink.HeaderType, tc ruleAttrCase, missing []string) {
	t.Helper()
	var oe *netlink.OpError
	if !errors.Is(err, errors.ErrUnsupported) || !errors.Is(err, syscall.EOPNOTSUPP) || !errors.As(err, &oe) ||
		oe.Op != "check" || oe.Request != req || !strings.HasPrefix(oe.Object, "rule priority ") {
		t.Errorf("%s: %v, want a check's refusal of %s naming the rule, wrapping ErrUnsupported and EOPNOTSUPP",
			tc.name, err, netlink.RequestName(uapi.NETLINK_ROUTE, req))
		return
	}
	for _, typ := range tc.types {
		n := ruleAttrName(typ)
		if got, want := strings.Contains(err.Error(), n), slices.Contains(missing, n); got != want {
			t.Errorf("%s: %v: names %s: %v, want %v", tc.name, err, n, got, want)
		}
	}
}

// TestRuleAttrsFake: on rtnltest's fake parsing rules as each kernel
// series does (FRA_MAX 24 for 4.17 to 6.12, 25 for 6.13, 27 for 6.14 and
// 6.15, 30 from 6.16 on), AddRule of a rule with a selector the kernel
// would ignore is refused before it is sent, naming the attributes it
// lacks, and adds nothing; DeleteRule of such a rule is refused too, and
// the rule without the selector stays. With the selectors the kernel has,
// the rule is added with them, and the delete finds no rule (ENOENT).
func TestRuleAttrsFake(t *testing.T) {
	ctx := context.Background()
	for _, max := range []struct {
		max    uint16
		kernel string
	}{{24, "6.12"}, {25, "6.13"}, {27, "6.14"}, {30, "6.16"}} {
		k := rtnltest.New()
		k.SetRuleAttrMax(max.max)
		c, err := k.Dial(nil)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		for _, tc := range ruleAttrCases() {
			var missing []string
			for _, typ := range tc.types {
				if typ > max.max {
					missing = append(missing, ruleAttrName(typ))
				}
			}
			before := k.Rules()
			err := c.AddRule(ctx, tc.r)
			if len(missing) > 0 {
				checkRuleRefused(t, err, uapi.RTM_NEWRULE, tc, missing)
				if after := k.Rules(); !slices.EqualFunc(after, before, ruleEqual) {
					t.Errorf("%s on %s: AddRule refused, yet the rules went from %+v to %+v", tc.name, max.kernel, before, after)
				}
			} else {
				if err != nil {
					t.Fatalf("%s on %s: %v", tc.name, max.kernel, err)
				}
				if !slices.ContainsFunc(k.Rules(), func(r rtnetlink.Rule) bool { return r.Priority == tc.r.Priority && tc.kept(r) }) {
					t.Errorf("%s on %s: added, but no rule of priority %d has the selectors: %+v", tc.name, max.kernel, tc.r.Priority, k.Rules())
				}
				if err := c.DeleteRule(ctx, tc.r); err != nil {
					t.Fatalf("%s on %s: deleting it: %v", tc.name, max.kernel, err)
				}
			}
			// The rule without the selectors, at the same priority: a
			// delete that lost them would delete it.
			if err := k.AddRule(tc.broad()); err != nil {
				t.Fatal(err)
			}
			before = k.Rules()
			err = c.DeleteRule(ctx, tc.r)
			if len(missing) > 0 {
				checkRuleRefused(t, err, uapi.RTM_DELRULE, tc, missing)
			} else if !errors.Is(err, syscall.ENOENT) {
				t.Errorf("%s on %s: deleting it again: %v, want ENOENT", tc.name, max.kernel, err)
			}
			if after := k.Rules(); !slices.EqualFunc(after, before, ruleEqual) {
				t.Errorf("%s on %s: DeleteRule of %+v took the rules from %+v to %+v", tc.name, max.kernel, tc.r, before, after)
			}
		}
	}
}

// ruleEqual compares two rules.
func ruleEqual(a, b rtnetlink.Rule) bool { return a == b }

// TestRuleAttrsProbedOnce: a Conn asks the kernel whether it knows a rule
// attribute once per family, with one probe when it does (the empty
// payload is refused at the attribute) and two when it does not (nor is
// the byte); then a rule with it sends the request alone, or nothing when
// it is refused.
func TestRuleAttrsProbedOnce(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		max          uint16
		first, again int // the RTM_NEWRULE requests sent by the first AddRule of a family, and by the next
	}{{24, 2, 0}, {30, 2, 1}} {
		k := rtnltest.New()
		k.SetRuleAttrMax(tc.max)
		var trace bytes.Buffer
		c, err := k.Dial(&netlink.Config{Trace: &trace})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		for _, family := range []int{uapi.AF_INET, uapi.AF_INET6} {
			for i, want := range []int{tc.first, tc.again, tc.again} {
				trace.Reset()
				err := c.AddRule(ctx, rtnetlink.Rule{Family: family, Priority: uint32(50 + i), DSCP: 8, Table: 100})
				if got := strings.Count(trace.String(), "RTM_NEWRULE len="); got != want {
					t.Errorf("FRA_MAX %d, family %d: AddRule %d (%v) sent %d RTM_NEWRULE, want %d:\n%s", tc.max, family, i+1, err, got, want, trace.String())
				}
			}
		}
	}
}

// TestRuleAttrsConcurrent: rules with new selectors added at once on one
// Conn all get the same answer, whichever request probes.
func TestRuleAttrsConcurrent(t *testing.T) {
	ctx := context.Background()
	for _, max := range []uint16{24, 30} {
		k := rtnltest.New()
		k.SetRuleAttrMax(max)
		c, err := k.Dial(nil)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		errs := make(chan error, 8)
		for i := range cap(errs) {
			go func() {
				errs <- c.AddRule(ctx, rtnetlink.Rule{Family: uapi.AF_INET, Priority: uint32(50 + i), DSCP: 8, Table: 100})
			}()
		}
		for range cap(errs) {
			if err := <-errs; (err == nil) != (max >= 25) || err != nil && !errors.Is(err, errors.ErrUnsupported) {
				t.Errorf("FRA_MAX %d: %v", max, err)
			}
		}
	}
}
