//go:build linux

package genltest_test

import (
	"context"
	"errors"
	"fmt"
	"syscall"
	"testing"

	"github.com/nlkit/netlink/genetlink"
	"github.com/nlkit/netlink/genetlink/genltest"
)

// TestIDs checks that families get IDs from 0x13 up, in turn, and groups
// the lowest free block, around the reserved ones, as in the kernel.
func TestIDs(t *testing.T) {
	k := genltest.New()
	do := func(*genltest.Request) ([]genltest.Message, error) { return nil, nil }
	reg := func(name string, groups ...string) *genltest.Family {
		f := &genltest.Family{Name: name, Groups: groups, Ops: []genltest.Op{{Command: 1, Do: do}}}
		if err := k.Register(f); err != nil {
			t.Fatal(err)
		}
		return f
	}
	a := reg("a", "a1", "a2")
	many := make([]string, 13)
	for i := range many {
		many[i] = fmt.Sprint("b", i)
	}
	b := reg("b", many...) // 4..15 is 12 groups: the block starts after 18
	c := reg("c", "c1")    // 4 is free
	if a.ID() != 0x13 || b.ID() != 0x14 || c.ID() != 0x15 {
		t.Errorf("family IDs %#x %#x %#x, want 0x13 0x14 0x15", a.ID(), b.ID(), c.ID())
	}
	for f, want := range map[*genltest.Family][2]uint32{a: {2, 3}, b: {19, 31}, c: {4, 4}} {
		first, _ := f.Group(f.Groups[0])
		last, _ := f.Group(f.Groups[len(f.Groups)-1])
		if first != want[0] || last != want[1] {
			t.Errorf("%s: groups %d..%d, want %d..%d", f.Name, first, last, want[0], want[1])
		}
	}
	if err := k.Unregister(a); err != nil {
		t.Fatal(err)
	}
	if a.ID() != 0 {
		t.Errorf("ID after Unregister: %#x", a.ID())
	}
	d := reg("d", "d1", "d2", "d3")
	if id, _ := d.Group("d1"); d.ID() != 0x16 || id != 5 {
		t.Errorf("d: ID %#x, first group %d; want 0x16 (a freed ID comes back after the others) and 5", d.ID(), id)
	}
	e := reg("a", "a1") // a's groups 2 and 3 are free again
	if id, _ := e.Group("a1"); id != 2 {
		t.Errorf("a again: group %d, want 2", id)
	}
}

// TestRegisterErrors checks what Register and Unregister refuse.
func TestRegisterErrors(t *testing.T) {
	k := genltest.New()
	do := func(*genltest.Request) ([]genltest.Message, error) { return nil, nil }
	ok := &genltest.Family{Name: "ok", Ops: []genltest.Op{{Command: 1, Do: do}}}
	if err := k.Register(ok); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		f    *genltest.Family
		want syscall.Errno
	}{
		{&genltest.Family{Name: "nlctrl"}, syscall.EEXIST},
		{&genltest.Family{Name: "ok"}, syscall.EEXIST},
		{ok, syscall.EBUSY},
		{&genltest.Family{}, syscall.EINVAL},
		{&genltest.Family{Name: "sixteen-bytes-xx"}, syscall.EINVAL},
		{&genltest.Family{Name: "x", Ops: []genltest.Op{{Command: 1}}}, syscall.EINVAL},
		{&genltest.Family{Name: "x", Ops: []genltest.Op{{Command: 1, Do: do}, {Command: 1, Dump: do}}}, syscall.EINVAL},
		{&genltest.Family{Name: "x", Groups: []string{"g", "g"}}, syscall.EINVAL},
		{&genltest.Family{Name: "x", Groups: []string{""}}, syscall.EINVAL},
		{&genltest.Family{Name: "x", Version: 256}, syscall.EINVAL},
		{&genltest.Family{Name: "x", HeaderSize: 1 << 16}, syscall.EINVAL},
		{&genltest.Family{Name: "x", Groups: make([]string, 1025)}, syscall.EINVAL},
	} {
		if err := k.Register(c.f); !errors.Is(err, c.want) {
			t.Errorf("Register(%q): %v, want %v", c.f.Name, err, c.want)
		}
	}
	if err := k.Unregister(&genltest.Family{Name: "x"}); !errors.Is(err, syscall.ENOENT) {
		t.Errorf("Unregister of a family never registered: %v", err)
	}
}

// TestConcurrent runs requests from several goroutines while a family comes
// and goes: each answer is the family's or ENOENT (run it with -race).
func TestConcurrent(t *testing.T) {
	k := genltest.New()
	f := &genltest.Family{Name: "flaky", Version: 1, Groups: []string{"g"}, Ops: []genltest.Op{{
		Command: 1,
		Do: func(req *genltest.Request) ([]genltest.Message, error) {
			return []genltest.Message{{Command: 1, Data: req.Attrs}}, nil
		},
	}}}
	if err := k.Register(f); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	errs := make(chan error, 4)
	for range 4 {
		c := dial(t, k, nil)
		go func() {
			var err error
			defer func() { errs <- err }()
			for range 200 {
				var fam genetlink.Family
				if fam, err = c.Family(ctx, "flaky"); err == nil {
					_, err = c.Execute(ctx, &fam, 1, attrs(1, 1))
				}
				if errors.Is(err, syscall.ENOENT) {
					err = nil
				}
				if err != nil {
					return
				}
			}
		}()
	}
	for range 50 {
		if err := k.Unregister(f); err != nil {
			t.Fatal(err)
		}
		if err := k.Register(f); err != nil {
			t.Fatal(err)
		}
		_ = f.Notify("g", genltest.Message{Command: 2})
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
