package rtnltest_test

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/rtnetlink"
	"github.com/nlkit/netlink/rtnetlink/rtnltest"
)

func dial(t *testing.T, k *rtnltest.Kernel, cfg *netlink.Config) *rtnetlink.Conn {
	t.Helper()
	c, err := k.Dial(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// receive returns the events c receives until it has n, failing the test
// after a minute without them (a hang, not a race: the fake delivers
// before the request's reply).
func receive(t *testing.T, c *rtnetlink.Conn, n int) []rtnetlink.Event {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var out []rtnetlink.Event
	for len(out) < n {
		msgs, err := c.NL.Receive(ctx)
		if err != nil {
			t.Fatalf("after %d events: %v", len(out), err)
		}
		for _, m := range msgs {
			e, err := rtnetlink.ParseEvent(m)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, e)
		}
	}
	return out
}

// TestNotifications: the changes one Conn makes reach another Conn that
// joined the groups, in order, with the objects as the kernel reports
// them; the Conn that did not join gets nothing.
func TestNotifications(t *testing.T) {
	k := rtnltest.New()
	ctx := context.Background()
	watcher := dial(t, k, &netlink.Config{Groups: []uint32{1, 5, 7}}) // RTNLGRP_LINK, IPV4_IFADDR, IPV4_ROUTE
	quiet := dial(t, k, nil)
	c := dial(t, k, nil)

	l, err := c.CreateLink(ctx, rtnetlink.Link{Name: "v0", Flags: rtnetlink.LinkUp, Data: &rtnetlink.Veth{PeerName: "v1"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.AddAddress(ctx, rtnetlink.Address{Index: l.Index, Prefix: netip.MustParsePrefix("198.18.0.1/24")}); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteLink(ctx, l.Index); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"RTM_NEWLINK v1", "RTM_NEWLINK v0", // the peer first, as the kernel registers it
		"RTM_NEWADDR 198.18.0.1/24", "RTM_NEWROUTE 198.18.0.1/32", "RTM_NEWROUTE 198.18.0.0/24", "RTM_NEWROUTE 198.18.0.255/32",
		// Going down, v0 loses its routes but the local one without a
		// word; going away, its address and that route.
		"RTM_DELADDR 198.18.0.1/24", "RTM_DELROUTE 198.18.0.1/32", "RTM_DELLINK v0", "RTM_DELLINK v1",
	}
	var got []string
	for _, e := range receive(t, watcher, len(want)) {
		s := netlink.RequestName(0, e.Type)
		switch {
		case e.Link != nil:
			s += " " + e.Link.Name
		case e.Address != nil:
			s += " " + e.Address.Prefix.String()
		case e.Route != nil:
			s += " " + e.Route.Dst.String()
		}
		got = append(got, s)
	}
	if !slices.Equal(got, want) {
		t.Errorf("events:\n%q\nwant\n%q", got, want)
	}
	quiet.NL.SetReadDeadline(time.Now())
	if msgs, _ := quiet.NL.Receive(ctx); len(msgs) > 0 {
		t.Errorf("a Conn that joined no group received %d messages", len(msgs))
	}
}

// TestEcho: a request with NLM_F_ECHO gets its change back among its
// replies, with its own sequence number.
func TestEcho(t *testing.T) {
	k := rtnltest.New()
	nl, err := k.DialNL(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer nl.Close()
	req := netlink.NewAttrEncoder(make([]byte, 16))
	req.String(3, "br0") // IFLA_IFNAME
	info := req.Nest(18) // IFLA_LINKINFO
	req.String(1, "bridge")
	req.End(info)
	data, _ := req.Finish()
	msgs, err := nl.Execute(context.Background(), netlink.Message{
		Header: netlink.Header{Type: 16, Flags: netlink.Create | netlink.Excl | netlink.Echo}, Data: data})
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 1 {
		t.Fatalf("%d replies, want the echo", len(msgs))
	}
	l, err := rtnetlink.ParseLink(msgs[0])
	if err != nil || l.Name != "br0" || l.Kind != "bridge" {
		t.Errorf("echo: %+v, %v", l, err)
	}
}

// TestUnsupportedAndMalformed: a request the fake does not know gets
// EOPNOTSUPP, one that does not parse EINVAL, as from the kernel.
func TestUnsupportedAndMalformed(t *testing.T) {
	k := rtnltest.New()
	nl, err := k.DialNL(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer nl.Close()
	ctx := context.Background()
	for _, c := range []struct {
		name  string
		m     netlink.Message
		errno syscall.Errno
	}{
		{"RTM_NEWQDISC", netlink.Message{Header: netlink.Header{Type: 36, Flags: netlink.Create}, Data: make([]byte, 20)}, syscall.EOPNOTSUPP},
		{"RTM_GETNEXTHOP", netlink.Message{Header: netlink.Header{Type: 106}, Data: make([]byte, 8)}, syscall.EOPNOTSUPP},
		{"FDB dump", netlink.Message{Header: netlink.Header{Type: 30, Flags: netlink.Dump}, Data: append([]byte{7}, make([]byte, 11)...)}, syscall.EOPNOTSUPP},
		{"bridge port dump", netlink.Message{Header: netlink.Header{Type: 18, Flags: netlink.Dump}, Data: append([]byte{7}, make([]byte, 15)...)}, syscall.EOPNOTSUPP},
		{"RTM_GETROUTE lookup", netlink.Message{Header: netlink.Header{Type: 26}, Data: make([]byte, 12)}, syscall.EOPNOTSUPP},
		{"short ifinfomsg", netlink.Message{Header: netlink.Header{Type: 19}, Data: []byte{0, 0, 1}}, syscall.EINVAL},
		{"bad attribute", netlink.Message{Header: netlink.Header{Type: 19}, Data: append(make([]byte, 16), 9, 0, 3, 0)}, syscall.EINVAL},
		{"route of family 99", netlink.Message{Header: netlink.Header{Type: 24, Flags: netlink.Create}, Data: append([]byte{99}, make([]byte, 11)...)}, syscall.EOPNOTSUPP},
	} {
		_, err := nl.Execute(ctx, c.m)
		if !errors.Is(err, c.errno) {
			t.Errorf("%s: %v, want %v", c.name, err, c.errno)
		}
	}
}

// TestSeed: the seeding methods make what the Conns then read, and fail
// with the kernel's errnos.
func TestSeed(t *testing.T) {
	k := rtnltest.New()
	ctx := context.Background()
	br, err := k.AddLink(rtnetlink.Link{Name: "br0", Kind: "bridge", Flags: rtnetlink.LinkUp})
	if err != nil {
		t.Fatal(err)
	}
	if br.Index != 2 || br.MTU != 1500 || br.Flags&rtnetlink.LinkUp == 0 {
		t.Errorf("br0: %+v", br)
	}
	if _, err := k.AddLink(rtnetlink.Link{Name: "br0", Kind: "bridge"}); !errors.Is(err, syscall.EEXIST) {
		t.Errorf("br0 again: %v", err)
	}
	if _, err := k.AddLink(rtnetlink.Link{Name: "x0", Kind: "nope"}); !errors.Is(err, syscall.EOPNOTSUPP) {
		t.Errorf("unknown kind: %v", err)
	}
	pfx := netip.MustParsePrefix
	if err := k.AddAddress(rtnetlink.Address{Index: br.Index, Prefix: pfx("198.18.0.1/24")}); err != nil {
		t.Fatal(err)
	}
	if err := k.AddRoute(rtnetlink.Route{Dst: pfx("198.19.0.0/16"), Gateway: netip.MustParseAddr("198.18.0.254")}); err != nil {
		t.Fatal(err)
	}
	if err := k.AddRoute(rtnetlink.Route{Dst: pfx("198.19.0.0/16"), Gateway: netip.MustParseAddr("198.18.0.254")}); !errors.Is(err, syscall.EEXIST) {
		t.Errorf("route again: %v", err)
	}
	if err := k.AddNeighbor(rtnetlink.Neighbor{Index: br.Index, IP: netip.MustParseAddr("198.18.0.254"), HardwareAddr: []byte{2, 0, 0, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := k.AddRule(rtnetlink.Rule{Src: pfx("198.18.0.0/16"), Table: 7}); err != nil {
		t.Fatal(err)
	}
	c := dial(t, k, nil)
	r, err := c.Routes(ctx, rtnetlink.RouteFilter{Table: rtnetlink.TableMain}), error(nil)
	n := 0
	for rt, err := range r {
		if err != nil {
			t.Fatal(err)
		}
		if rt.Dst == pfx("198.19.0.0/16") && rt.Index != br.Index {
			t.Errorf("the gateway route goes out of %d, want %d", rt.Index, br.Index)
		}
		n++
	}
	if n != 2 || err != nil {
		t.Errorf("main table: %d routes, want the prefix route and ours", n)
	}
	if got := len(k.Neighbors()); got != 1 {
		t.Errorf("%d neighbours", got)
	}
	rules := k.Rules()
	if len(rules) != 6 || rules[1].Priority != 32765 || rules[1].Table != 7 {
		t.Errorf("rules: %+v", rules)
	}
	if got := len(k.Addresses()); got != 1 {
		t.Errorf("%d addresses", got)
	}
	if got := len(k.Links()); got != 2 {
		t.Errorf("%d links", got)
	}
}

// TestRuleDSCPZero: a rule of DSCP 0 (FRA_DSCP 0 alone, as ip sends
// "dscp 0") and the same rule without a DSCP are two rules, listed apart
// and deleted one at a time as listed, on the fake as the latest kernels
// (which list the mask 0x3f) and as 6.14 and 6.15 (which list none).
func TestRuleDSCPZero(t *testing.T) {
	dscp0 := rtnetlink.RawAttrs("\x05\x00\x19\x00\x00\x00\x00\x00") // FRA_DSCP 0
	for _, max := range []uint16{0, 27} {
		t.Run(fmt.Sprintf("max%d", max), func(t *testing.T) {
			k := rtnltest.New()
			k.SetRuleAttrMax(max)
			c := dial(t, k, nil)
			ctx := context.Background()
			for _, r := range []rtnetlink.Rule{{Family: 2, Priority: 100, Table: 100}, {Family: 2, Priority: 100, Table: 100, Other: dscp0}} {
				if err := c.AddRule(ctx, r); err != nil {
					t.Fatal(err)
				}
			}
			var listed []rtnetlink.Rule
			for r, err := range c.Rules(ctx, rtnetlink.RuleFilter{Table: 100}) {
				if err != nil {
					t.Fatal(err)
				}
				listed = append(listed, r)
			}
			want := rtnetlink.Rule{Family: 2, Priority: 100, HasPriority: true, Table: 100, Action: rtnetlink.RuleToTable, DSCPMask: 0x3f}
			if max != 0 {
				want.DSCPMask, want.Other = 0, dscp0
			}
			if len(listed) != 2 || listed[0].DSCPMask != 0 || listed[0].Other != "" || listed[1] != want {
				t.Fatalf("listed %+v; want the rule without a DSCP, then %+v", listed, want)
			}
			if err := c.DeleteRule(ctx, listed[1]); err != nil {
				t.Fatal(err)
			}
			if left := k.Rules(); slices.ContainsFunc(left, func(r rtnetlink.Rule) bool { return r.Table == 100 && r.DSCPMask != 0 }) ||
				!slices.ContainsFunc(left, func(r rtnetlink.Rule) bool { return r.Table == 100 }) {
				t.Errorf("after deleting the rule of DSCP 0 as listed: %+v", left)
			}
		})
	}
}

// TestRuleOtherKept: the fake keeps the attributes of a rule that no
// field models, lists them back, and deletes the rule that has them, not
// another at the same priority.
func TestRuleOtherKept(t *testing.T) {
	k := rtnltest.New()
	k.SetRuleAttrMax(31) // a kernel that knows attribute 31
	c := dial(t, k, nil)
	ctx := context.Background()
	uid := rtnetlink.RawAttrs("\x08\x00\x1f\x00\x01\x00\x00\x00")   // attribute 31, of a kernel newer than the package
	proto := rtnetlink.RawAttrs("\x08\x00\x1f\x00\x02\x00\x00\x00") // the same with another value
	for _, o := range []rtnetlink.RawAttrs{uid, proto} {
		if err := c.AddRule(ctx, rtnetlink.Rule{Family: 2, Priority: 100, Table: 100, Other: o}); err != nil {
			t.Fatal(err)
		}
	}
	var listed []rtnetlink.Rule
	for r, err := range c.Rules(ctx, rtnetlink.RuleFilter{Table: 100}) {
		if err != nil {
			t.Fatal(err)
		}
		listed = append(listed, r)
	}
	if len(listed) != 2 || listed[0].Other != uid || listed[1].Other != proto {
		t.Fatalf("listed %+v, want the two rules with their attributes", listed)
	}
	if err := c.DeleteRule(ctx, listed[1]); err != nil {
		t.Fatal(err)
	}
	if left := k.Rules(); !slices.ContainsFunc(left, func(r rtnetlink.Rule) bool { return r.Other == uid }) ||
		slices.ContainsFunc(left, func(r rtnetlink.Rule) bool { return r.Other == proto }) {
		t.Errorf("after deleting the second rule: %+v", left)
	}
}
