package tc_test

import (
	"context"
	"errors"
	"net/netip"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/uapi"
	"github.com/nlkit/netlink/nltest"
	"github.com/nlkit/netlink/tc"
)

// TestRefusedBeforeSending: what the package can tell the kernel would
// refuse fails with an error that says why, wraps EINVAL and
// os.ErrInvalid, is a *netlink.OpError of Op "check" naming the request,
// and sends no traffic control request (the fake kernel counts them; the
// RTM_GETLINK that names the link in the error is not one).
func TestRefusedBeforeSending(t *testing.T) {
	sent := 0
	k := nltest.New(uapi.NETLINK_ROUTE, func(req netlink.Message) ([]netlink.Message, error) {
		if req.Header.Type == uapi.RTM_GETLINK {
			return nil, syscall.ENODEV
		}
		sent++
		return nil, nil
	})
	nl, err := k.Dial(nil)
	if err != nil {
		t.Fatal(err)
	}
	c := tc.New(nl)
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	h := tc.MakeHandle
	qdisc := func(q tc.Qdisc) func() error { return func() error { return c.AddQdisc(ctx, &q) } }
	class := func(cl tc.Class) func() error { return func() error { return c.AddClass(ctx, &cl) } }
	filter := func(o tc.Options) func() error {
		return func() error {
			return c.AddFilter(ctx, &tc.Filter{Ifindex: 2, Parent: h(1, 0), Protocol: tc.ProtoIP, Priority: 1, Options: o})
		}
	}
	action := func(a tc.Action) func() error { return func() error { return c.AddAction(ctx, &a) } }
	rate := tc.RateSpec{Rate: 125000}
	for _, tt := range []struct {
		name string
		do   func() error
		want string // in the error's text
		req  netlink.HeaderType
	}{
		{"qdisc without a link", qdisc(tc.Qdisc{Parent: tc.HandleRoot, Options: &tc.HTB{}}), "no link (Ifindex 0)", uapi.RTM_NEWQDISC},
		{"qdisc without a parent", qdisc(tc.Qdisc{Ifindex: 2, Options: &tc.HTB{}}), "no parent", uapi.RTM_NEWQDISC},
		{"qdisc handle with a minor", qdisc(tc.Qdisc{Ifindex: 2, Handle: h(1, 1), Parent: tc.HandleRoot, Options: &tc.HTB{}}), "handle 1:1 has a minor number", uapi.RTM_NEWQDISC},
		{"qdisc without a kind", qdisc(tc.Qdisc{Ifindex: 2, Parent: tc.HandleRoot}), "no kind", uapi.RTM_NEWQDISC},
		{"qdisc kind and options differ", qdisc(tc.Qdisc{Ifindex: 2, Parent: tc.HandleRoot, Kind: "tbf", Options: &tc.HTB{}}), `Kind "tbf" but Options of kind "htb"`, uapi.RTM_NEWQDISC},
		{"qdisc of an unknown kind without raw options", qdisc(tc.Qdisc{Ifindex: 2, Parent: tc.HandleRoot, Kind: "nosuch"}), `kind "nosuch": this package does not know it`, uapi.RTM_NEWQDISC},
		{"fifo of another kind", qdisc(tc.Qdisc{Ifindex: 2, Parent: tc.HandleRoot, Options: &tc.FIFO{KindName: "xfifo"}}), `FIFO kind "xfifo"`, uapi.RTM_NEWQDISC},
		{"netem with a negative latency", qdisc(tc.Qdisc{Ifindex: 2, Parent: tc.HandleRoot, Options: &tc.Netem{Latency: -time.Millisecond}}), "netem: negative latency", uapi.RTM_NEWQDISC},
		{"class without a minor", class(tc.Class{Ifindex: 2, Handle: h(1, 0), Parent: h(1, 0), Options: &tc.HTBClass{Rate: rate}}), "class ID 1: has no minor number", uapi.RTM_NEWTCLASS},
		{"htb class without a rate", class(tc.Class{Ifindex: 2, Handle: h(1, 1), Parent: h(1, 0), Options: &tc.HTBClass{}}), "htb class: no rate", uapi.RTM_NEWTCLASS},
		{"htb class prio 8", class(tc.Class{Ifindex: 2, Handle: h(1, 1), Parent: h(1, 0), Options: &tc.HTBClass{Rate: rate, Prio: 8}}), "prio 8 out of range (at most 7)", uapi.RTM_NEWTCLASS},
		{"filter without a protocol", func() error {
			return c.AddFilter(ctx, &tc.Filter{Ifindex: 2, Parent: h(1, 0), Options: &tc.Matchall{}})
		}, "no protocol", uapi.RTM_NEWTFILTER},
		{"u32 divisor 3", filter(&tc.U32{Divisor: 3}), "u32: divisor 3 (a power of two, at most 256)", uapi.RTM_NEWTFILTER},
		{"u32 without a selector", filter(&tc.U32{}), "u32: no selector and no divisor", uapi.RTM_NEWTFILTER},
		{"flower ports without TCP or UDP", filter(&tc.Flower{EthType: tc.ProtoIP, DstPort: 53}), "flower: ports need IPProto 6 (TCP) or 17 (UDP), not 0", uapi.RTM_NEWTFILTER},
		{"flower IPv6 address on IPv4", filter(&tc.Flower{EthType: tc.ProtoIP, Dst: netip.MustParsePrefix("2001:db8::/32")}), "flower: address 2001:db8::/32 needs EthType 0x86dd", uapi.RTM_NEWTFILTER},
		{"bpf filter without a program", filter(&tc.BPF{}), "bpf: no program", uapi.RTM_NEWTFILTER},
		{"bpf filter of a listed program", filter(&tc.BPF{ID: 7}), "bpf: program 7 has no FD (open one with ProgramFD)", uapi.RTM_NEWTFILTER},
		{"action without a kind", action(tc.Action{}), "action: no kind", uapi.RTM_NEWACTION},
		{"action cookie of 17 bytes", action(tc.Action{Options: &tc.Gact{}, Cookie: make([]byte, 17)}), "cookie of 17 bytes (at most 16)", uapi.RTM_NEWACTION},
		{"gact random type 3", action(tc.Action{Options: &tc.Gact{ProbType: 3}}), "gact: random type 3", uapi.RTM_NEWACTION},
		{"mirred without a link", action(tc.Action{Options: &tc.Mirred{Action: tc.MirredEgressRedirect}}), "mirred: no link (Ifindex 0)", uapi.RTM_NEWACTION},
		{"police without a rate", action(tc.Action{Options: &tc.Police{}}), "police: no rate", uapi.RTM_NEWACTION},
		{"police without a burst", action(tc.Action{Options: &tc.Police{Rate: rate}}), "police: a rate without a burst", uapi.RTM_NEWACTION},
		{"delete an action without an index", func() error { return c.DeleteAction(ctx, &tc.Action{Kind: "gact"}) }, "no index", uapi.RTM_DELACTION},
	} {
		sent = 0
		err := tt.do()
		if sent != 0 {
			t.Errorf("%s: %d requests sent", tt.name, sent)
		}
		var oe *netlink.OpError
		switch {
		case err == nil:
			t.Errorf("%s: no error", tt.name)
		case !errors.Is(err, syscall.EINVAL) || !errors.Is(err, os.ErrInvalid):
			t.Errorf("%s: %v does not wrap EINVAL and os.ErrInvalid", tt.name, err)
		case !errors.As(err, &oe) || oe.Op != "check" || oe.Request != tt.req:
			t.Errorf("%s: %v: not the *netlink.OpError of a check of request %d (%+v)", tt.name, err, tt.req, oe)
		case !strings.Contains(err.Error(), tt.want):
			t.Errorf("%s: %q does not say %q", tt.name, err, tt.want)
		}
	}
}
