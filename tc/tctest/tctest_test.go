package tctest_test

import (
	"context"
	"errors"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/uapi"
	"github.com/nlkit/netlink/tc"
	"github.com/nlkit/netlink/tc/tctest"
)

// TestWatchAndState: the fake's changes come to Watch typed, in order,
// and its accessors show what the requests made; deleting a qdisc takes
// what is below it.
func TestWatchAndState(t *testing.T) {
	k := tctest.New()
	k.AddLink(2, "eth0")
	c, err := k.Dial(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	w, err := k.Dial(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := w.NL.JoinGroup(tc.GroupTC); err != nil { // Watch joins it too, on its first pull
		t.Fatal(err)
	}

	h := tc.MakeHandle
	root := tc.Qdisc{Ifindex: 2, Handle: h(1, 0), Parent: tc.HandleRoot, Options: &tc.HTB{}}
	class := tc.Class{Ifindex: 2, Handle: h(1, 1), Parent: h(1, 0), Options: &tc.HTBClass{Rate: tc.RateSpec{Rate: 1000}}}
	filter := tc.Filter{Ifindex: 2, Parent: h(1, 0), Priority: 3, Protocol: tc.ProtoIP,
		Options: &tc.BPF{Ops: []byte{6, 0, 0, 0, 0, 0, 0, 0}, ClassID: h(1, 1)}}
	for _, err := range []error{c.AddQdisc(ctx, &root), c.AddClass(ctx, &class), c.AddFilter(ctx, &filter)} {
		if err != nil {
			t.Fatal(err)
		}
	}
	if q, cl, f := k.Qdiscs(), k.Classes(), k.Filters(); len(q) != 1 || len(cl) != 1 || len(f) != 1 || f[0].Handle != 1 {
		t.Fatalf("state: %+v %+v %+v", q, cl, f)
	}
	if err := c.AddFilter(ctx, &tc.Filter{Ifindex: 2, Parent: h(9, 0), Priority: 1, Protocol: tc.ProtoIP, Options: filter.Options}); !errors.Is(err, syscall.EINVAL) {
		t.Errorf("filter on a missing qdisc: %v", err)
	}
	if err := c.AddQdisc(ctx, &tc.Qdisc{Ifindex: 5, Parent: tc.HandleRoot, Options: &tc.HTB{}}); !errors.Is(err, syscall.ENODEV) {
		t.Errorf("qdisc on a missing link: %v", err)
	}
	if err := c.DeleteQdisc(ctx, &root); err != nil {
		t.Fatal(err)
	}
	if q, cl, f := k.Qdiscs(), k.Classes(), k.Filters(); len(q)+len(cl)+len(f) != 0 {
		t.Errorf("after deleting the root: %+v %+v %+v", q, cl, f)
	}
	want := []netlink.HeaderType{uapi.RTM_NEWQDISC, uapi.RTM_NEWTCLASS, uapi.RTM_NEWCHAIN, uapi.RTM_NEWTFILTER, uapi.RTM_DELQDISC, uapi.RTM_DELCHAIN}
	var got []netlink.HeaderType
	for ev, err := range w.Watch(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		if ev.Type == uapi.RTM_NEWTFILTER && (ev.Filter == nil || ev.Filter.Handle != 1 || ev.Filter.Options == nil) {
			t.Errorf("filter event %+v", ev.Filter)
		}
		if got = append(got, ev.Type); len(got) == len(want) {
			break
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("events %v, want %v", got, want)
	}
}
