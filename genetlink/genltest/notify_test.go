//go:build linux

package genltest_test

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
	"github.com/nlkit/netlink/genetlink"
	"github.com/nlkit/netlink/genetlink/genltest"
)

// TestNotify joins groups by name and gets notifications: the family's,
// a request's report with its echo, and nlctrl's of families coming and
// going.
func TestNotify(t *testing.T) {
	k := genltest.New()
	ctx := context.Background()
	watch := dial(t, k, nil)
	if _, err := watch.JoinGroup(ctx, "nlctrl", "notify"); err != nil {
		t.Fatal(err)
	}
	f := &genltest.Family{Name: "demo", Version: 1, Groups: []string{"events", "other"}, Ops: []genltest.Op{
		{Command: 1, Do: func(req *genltest.Request) ([]genltest.Message, error) {
			return nil, req.Report("events", genltest.Message{Command: 5, Data: req.Attrs})
		}},
	}}
	if err := k.Register(f); err != nil {
		t.Fatal(err)
	}
	var events []string
	for range 3 { // NEWFAMILY, NEWMCAST_GRP twice
		msgs, err := watch.NL.Receive(ctx)
		if err != nil {
			t.Fatal(err)
		}
		fam, err := genetlink.ParseFamily(msgs[0])
		if err != nil {
			t.Fatal(err)
		}
		events = append(events, fmt.Sprintf("%d:%s:%v", msgs[0].Data[0], fam.Name, fam.Groups))
	}
	if want := "1:demo:[{events 2} {other 3}] 7:demo:[{events 2}] 7:demo:[{other 3}]"; strings.Join(events, " ") != want {
		t.Errorf("nlctrl events %q, want %q", events, want)
	}

	c := dial(t, k, nil)
	id, err := c.JoinGroup(ctx, "demo", "events")
	if err != nil || id != 2 {
		t.Fatalf("JoinGroup: %d, %v", id, err)
	}
	if err := f.Notify("events", genltest.Message{Command: 4, Data: attrs(1, 42)}); err != nil {
		t.Fatal(err)
	}
	if err := f.Notify("other", genltest.Message{Command: 4}); err != nil { // c did not join it
		t.Fatal(err)
	}
	d, err := c.NL.ReceiveDatagram(ctx)
	if err != nil {
		t.Fatal(err)
	}
	msgs := slices.Collect(func(yield func(netlink.Message) bool) {
		for m, err := range d.Messages() {
			if err != nil || !yield(m) {
				return
			}
		}
	})
	if d.Group != 2 || len(msgs) != 1 || msgs[0].Header.Type != netlink.HeaderType(f.ID()) || msgs[0].Data[0] != 4 ||
		!bytes.Equal(msgs[0].Data[4:], attrs(1, 42)) {
		t.Errorf("notification: group %d, %v", d.Group, msgs)
	}
	if err := f.Notify("nosuch", genltest.Message{}); !errors.Is(err, syscall.ENOENT) {
		t.Errorf("Notify to no group: %v", err)
	}

	// A request's report reaches the group, and the requester as an echo.
	fam, err := c.Family(ctx, "demo")
	if err != nil {
		t.Fatal(err)
	}
	req := netlink.Message{Header: netlink.Header{Type: netlink.HeaderType(fam.ID), Flags: netlink.Echo},
		Data: append(genetlink.AppendHeader(nil, genetlink.Header{Command: 1, Version: 1}), attrs(1, 7)...)}
	sender := dial(t, k, nil)
	echo, err := sender.NL.Execute(ctx, req)
	if err != nil || len(echo) != 1 || echo[0].Data[0] != 5 {
		t.Errorf("echo: %v, %v", echo, err)
	}
	got, err := c.NL.Receive(ctx)
	if err != nil || len(got) != 1 || got[0].Header.PortID != sender.NL.LocalAddr().PortID || !bytes.Equal(got[0].Data[4:], attrs(1, 7)) {
		t.Errorf("report: %v, %v", got, err)
	}

	// Unregister: DELMCAST_GRP for each group, then DELFAMILY; the ID is gone.
	if err := k.Unregister(f); err != nil {
		t.Fatal(err)
	}
	events = events[:0]
	for range 3 {
		msgs, err := watch.NL.Receive(ctx)
		if err != nil {
			t.Fatal(err)
		}
		fam, _ := genetlink.ParseFamily(msgs[0])
		events = append(events, fmt.Sprintf("%d:%s", msgs[0].Data[0], fam.Name))
	}
	if want := "8:demo 8:demo 2:demo"; strings.Join(events, " ") != want {
		t.Errorf("nlctrl events %q, want %q", events, want)
	}
	if _, err := c.Execute(ctx, &fam, 1, nil); !errors.Is(err, syscall.ENOENT) {
		t.Errorf("request to an unregistered family: %v, want ENOENT", err)
	}
	if err := f.Notify("events", genltest.Message{}); !errors.Is(err, syscall.ENOENT) {
		t.Errorf("Notify of an unregistered family: %v", err)
	}
}
