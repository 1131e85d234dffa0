package tctest_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/nstest"
	"github.com/nlkit/netlink/tc"
	"github.com/nlkit/netlink/tc/tctest"
	"golang.org/x/sys/unix"
)

// The links of the scenario: a veth pair made in a fresh namespace, v1
// registered first.
const (
	v1 = 2
	v0 = 3
)

// TestSameAsKernel runs one scenario of tc.Conn calls against the kernel,
// in a network namespace of the test's, and against the fake, and
// compares the transcripts line by line: every call's error (its whole
// text: errno, extended ACK message, the object it names), the qdiscs,
// classes and filters listed after each step, then the notifications a
// Conn that joined RTNLGRP_TC received. Left out, as the fake does not
// model them: options (the kernel fills in defaults), statistics,
// reference counts, and the numbers of automatic qdisc handles (the
// kernel counts them for all namespaces at once; they show as "auto").
//
// The fake answers as Linux 6.18 does; older kernels word some messages
// differently and notify filter chains otherwise (6.12 does both), so the
// test skips on them.
func TestSameAsKernel(t *testing.T) {
	if rel, ok := atLeast(6, 18); !ok {
		t.Skipf("the fake answers as Linux 6.18 does; this kernel is %s", rel)
	}
	fake := tctest.New()
	fake.AddLink(1, "lo")
	fake.AddLink(v1, "v1")
	fake.AddLink(v0, "v0")
	fc, err := fake.Dial(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer fc.Close()
	fw, err := fake.Dial(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer fw.Close()
	want := transcript(t, fc, fw)

	ns := nstest.New(t)
	ns.Run(t, "link", "add", "v0", "type", "veth", "peer", "name", "v1")
	kc, err := tc.Dial(&netlink.Config{NetNS: ns.Path})
	if err != nil {
		t.Fatal(err)
	}
	defer kc.Close()
	kw, err := tc.Dial(&netlink.Config{NetNS: ns.Path})
	if err != nil {
		t.Fatal(err)
	}
	defer kw.Close()
	got := transcript(t, kc, kw)

	bad := 0
	for i := 0; i < max(len(got), len(want)) && bad < 12; i++ {
		var g, w string
		if i < len(got) {
			g = got[i]
		}
		if i < len(want) {
			w = want[i]
		}
		if g != w {
			bad++
			t.Errorf("line %d:\nkernel: %s\nfake:   %s", i, g, w)
		}
	}
	if bad == 0 && testing.Verbose() {
		t.Log(strings.Join(got, "\n"))
	}
}

// atLeast returns the kernel's release, and whether it is major.minor or
// later.
func atLeast(major, minor int) (string, bool) {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return err.Error(), false
	}
	rel := unix.ByteSliceToString(u.Release[:])
	var x, y int
	if _, err := fmt.Sscanf(rel, "%d.%d", &x, &y); err != nil {
		return rel, false
	}
	return rel, x > major || x == major && y >= minor
}

const mbit = 1000 * 1000 / 8

// transcript runs the scenario on c, with w watching, and returns its
// lines.
func transcript(t *testing.T, c, w *tc.Conn) []string {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := w.NL.JoinGroup(tc.GroupTC); err != nil {
		t.Fatal(err)
	}
	h := tc.MakeHandle
	qdisc := func(handle, parent tc.Handle, o tc.Options) *tc.Qdisc {
		return &tc.Qdisc{Ifindex: v0, Handle: handle, Parent: parent, Options: o}
	}
	class := func(id, parent tc.Handle) *tc.Class {
		return &tc.Class{Ifindex: v0, Handle: id, Parent: parent, Options: &tc.HTBClass{Rate: tc.RateSpec{Rate: mbit}}}
	}
	bpf := func(parent tc.Handle, proto, prio uint16, handle uint32, class tc.Handle) *tc.Filter {
		return &tc.Filter{Ifindex: v0, Parent: parent, Protocol: proto, Priority: prio, Handle: handle,
			Options: &tc.BPF{Ops: []byte{6, 0, 0, 0, 0, 0, 0, 0}, ClassID: class}}
	}
	tbf := &tc.TBF{Rate: tc.RateSpec{Rate: mbit}, Buffer: tc.BurstTime(mbit, 10*1024), Limit: 30000}
	pfifo := &tc.FIFO{KindName: "pfifo", Limit: 7}
	bfifo := &tc.FIFO{KindName: "bfifo", Limit: 5000}
	clsact := qdisc(tc.HandleIngressQdisc, tc.HandleIngress, &tc.Clsact{})
	steps := []struct {
		name string
		do   func() error
	}{
		{"add htb", func() error { return c.AddQdisc(ctx, qdisc(h(1, 0), tc.HandleRoot, &tc.HTB{})) }},
		{"add htb again", func() error { return c.AddQdisc(ctx, qdisc(h(1, 0), tc.HandleRoot, &tc.HTB{})) }},
		{"add another root", func() error { return c.AddQdisc(ctx, qdisc(h(2, 0), tc.HandleRoot, &tc.HTB{})) }},
		{"replace by another kind", func() error { return c.ReplaceQdisc(ctx, qdisc(h(1, 0), tc.HandleRoot, tbf)) }},
		{"change", func() error { return c.ChangeQdisc(ctx, qdisc(h(1, 0), tc.HandleRoot, &tc.HTB{R2Q: 5})) }},
		{"change a missing handle", func() error { return c.ChangeQdisc(ctx, qdisc(h(9, 0), tc.HandleUnspec, pfifo)) }},
		{"under a missing qdisc", func() error { return c.AddQdisc(ctx, qdisc(h(0x10, 0), h(5, 1), pfifo)) }},
		{"under a missing class", func() error { return c.AddQdisc(ctx, qdisc(h(0x10, 0), h(1, 7), pfifo)) }},
		{"class", func() error { return c.AddClass(ctx, class(h(1, 1), h(1, 0))) }},
		{"class again", func() error { return c.AddClass(ctx, class(h(1, 1), h(1, 0))) }},
		{"class of a missing qdisc", func() error { return c.AddClass(ctx, class(h(7, 1), h(7, 0))) }},
		{"class under a missing class", func() error { return c.AddClass(ctx, class(h(1, 2), h(1, 9))) }},
		{"child class", func() error { return c.AddClass(ctx, class(h(1, 0x10), h(1, 1))) }},
		{"change a missing class", func() error { return c.ChangeClass(ctx, class(h(1, 5), h(1, 0))) }},
		{"delete a missing class", func() error { return c.DeleteClass(ctx, class(h(1, 5), 0)) }},
		{"class of two qdiscs", func() error { return c.AddClass(ctx, class(h(2, 3), h(1, 0))) }},
		{"leaf", func() error { return c.AddQdisc(ctx, qdisc(h(0x10, 0), h(1, 0x10), pfifo)) }},
		{"leaf again", func() error { return c.AddQdisc(ctx, qdisc(h(0x10, 0), h(1, 0x10), pfifo)) }},
		{"another leaf", func() error { return c.AddQdisc(ctx, qdisc(h(0x11, 0), h(1, 0x10), bfifo)) }},
		{"replace the leaf", func() error { return c.ReplaceQdisc(ctx, qdisc(h(0x11, 0), h(1, 0x10), bfifo)) }},
		{"under a classless qdisc", func() error { return c.AddQdisc(ctx, qdisc(h(0x12, 0), h(0x11, 1), pfifo)) }},
		{"class of a classless qdisc", func() error { return c.AddClass(ctx, class(h(0x11, 1), h(0x11, 0))) }},
		{"automatic handle", func() error { return c.AddQdisc(ctx, qdisc(0, h(1, 2), pfifo)) }},
		{"clsact", func() error { return c.AddQdisc(ctx, clsact) }},
		{"clsact again", func() error { return c.AddQdisc(ctx, clsact) }},
		{"filter", func() error { return c.AddFilter(ctx, bpf(h(1, 0), tc.ProtoIP, 1, 0, h(1, 0x10))) }},
		{"filter again", func() error { return c.AddFilter(ctx, bpf(h(1, 0), tc.ProtoIP, 1, 1, h(1, 0x10))) }},
		{"other protocol", func() error { return c.AddFilter(ctx, bpf(h(1, 0), tc.ProtoIPv6, 1, 0, h(1, 0x10))) }},
		{"other kind", func() error {
			return c.AddFilter(ctx, &tc.Filter{Ifindex: v0, Parent: h(1, 0), Protocol: tc.ProtoIP, Priority: 1,
				Options: &tc.U32{ClassID: h(1, 0x10), Sel: &tc.U32Sel{Flags: tc.U32Terminal, Keys: []tc.U32Key{{}}}}})
		}},
		{"on a missing qdisc", func() error { return c.AddFilter(ctx, bpf(h(7, 0), tc.ProtoIP, 1, 0, 0)) }},
		{"on a classless qdisc", func() error { return c.AddFilter(ctx, bpf(h(0x11, 0), tc.ProtoIP, 1, 0, 0)) }},
		{"on a class", func() error { return c.AddFilter(ctx, bpf(h(1, 0x10), tc.ProtoIP, 2, 0, 0)) }},
		{"on a missing class", func() error { return c.AddFilter(ctx, bpf(h(1, 0x77), tc.ProtoIP, 2, 0, 0)) }},
		{"automatic priority", func() error { return c.AddFilter(ctx, bpf(h(1, 0), tc.ProtoAll, 0, 0, h(1, 1))) }},
		{"second of a priority", func() error { return c.AddFilter(ctx, bpf(h(1, 0), tc.ProtoIP, 1, 0, h(1, 2))) }},
		{"change a missing handle", func() error { return c.ChangeFilter(ctx, bpf(h(1, 0), tc.ProtoIP, 1, 9, 0)) }},
		{"change a missing priority", func() error { return c.ChangeFilter(ctx, bpf(h(1, 0), tc.ProtoIP, 5, 1, 0)) }},
		{"replace", func() error { return c.ReplaceFilter(ctx, bpf(h(1, 0), tc.ProtoIP, 1, 2, h(1, 1))) }},
		{"delete a missing priority", func() error {
			return c.DeleteFilter(ctx, &tc.Filter{Ifindex: v0, Parent: h(1, 0), Priority: 9, Protocol: tc.ProtoIP})
		}},
		{"delete a missing handle", func() error {
			return c.DeleteFilter(ctx, &tc.Filter{Ifindex: v0, Parent: h(1, 0), Priority: 1, Protocol: tc.ProtoIP, Kind: "bpf", Handle: 7})
		}},
		{"delete by handle", func() error {
			return c.DeleteFilter(ctx, &tc.Filter{Ifindex: v0, Parent: h(1, 0), Priority: 1, Protocol: tc.ProtoIP, Kind: "bpf", Handle: 1})
		}},
		{"delete a priority", func() error {
			return c.DeleteFilter(ctx, &tc.Filter{Ifindex: v0, Parent: h(1, 0), Priority: 1, Protocol: tc.ProtoIP})
		}},
		{"delete it again", func() error {
			return c.DeleteFilter(ctx, &tc.Filter{Ifindex: v0, Parent: h(1, 0), Priority: 1, Protocol: tc.ProtoIP})
		}},
		{"ingress hook", func() error { return c.AddFilter(ctx, bpf(tc.HandleClsactIngress, tc.ProtoAll, 5, 0, 0)) }},
		{"egress hook", func() error { return c.AddFilter(ctx, bpf(tc.HandleClsactEgress, tc.ProtoIP, 5, 0, 0)) }},
		{"flush", func() error { return c.DeleteFilter(ctx, &tc.Filter{Ifindex: v0, Parent: h(1, 0)}) }},
		{"delete from an empty chain", func() error {
			return c.DeleteFilter(ctx, &tc.Filter{Ifindex: v0, Parent: h(1, 0), Priority: 3, Protocol: tc.ProtoIP})
		}},
		{"delete a class with children", func() error { return c.DeleteClass(ctx, class(h(1, 1), 0)) }},
		{"delete the leaf", func() error { return c.DeleteQdisc(ctx, qdisc(0, h(1, 0x10), nil)) }},
		{"delete the default leaf", func() error { return c.DeleteQdisc(ctx, qdisc(0, h(1, 0x10), nil)) }},
		{"delete the child class", func() error { return c.DeleteClass(ctx, class(h(1, 0x10), 0)) }},
		{"delete the class", func() error { return c.DeleteClass(ctx, class(h(1, 1), 0)) }},
		{"delete clsact", func() error { return c.DeleteQdisc(ctx, clsact) }},
		{"delete clsact again", func() error { return c.DeleteQdisc(ctx, clsact) }},
		{"delete another root", func() error { return c.DeleteQdisc(ctx, qdisc(h(5, 0), tc.HandleRoot, nil)) }},
		{"delete the root", func() error { return c.DeleteQdisc(ctx, qdisc(0, tc.HandleRoot, nil)) }},
		{"delete the default root", func() error { return c.DeleteQdisc(ctx, qdisc(0, tc.HandleRoot, nil)) }},
		{"tbf", func() error { return c.AddQdisc(ctx, qdisc(h(1, 0), tc.HandleRoot, tbf)) }},
		{"change tbf", func() error {
			return c.ChangeQdisc(ctx, qdisc(h(1, 0), tc.HandleRoot, &tc.TBF{Rate: tbf.Rate, Buffer: tbf.Buffer, Limit: 20000}))
		}},
		{"tbf's leaf", func() error { return c.AddQdisc(ctx, qdisc(h(2, 0), h(1, 1), pfifo)) }},
		{"filter on tbf", func() error { return c.AddFilter(ctx, bpf(h(1, 0), tc.ProtoIP, 1, 0, 0)) }},
		{"change the root's kind", func() error { return c.ChangeQdisc(ctx, qdisc(0, tc.HandleRoot, pfifo)) }},
		{"replace without a handle", func() error { return c.ReplaceQdisc(ctx, qdisc(0, tc.HandleRoot, bfifo)) }},
		{"missing link", func() error { return c.AddQdisc(ctx, &tc.Qdisc{Ifindex: 99, Parent: tc.HandleRoot, Options: pfifo}) }},
		{"clear", func() error { return c.DeleteQdisc(ctx, qdisc(0, tc.HandleRoot, nil)) }},
	}
	var out []string
	for _, s := range steps {
		out = append(out, fmt.Sprintf("%s: %v", s.name, s.do()))
		out = append(out, listing(t, ctx, c)...)
	}
	// A marker, whose notification is the last.
	if err := c.AddQdisc(ctx, &tc.Qdisc{Ifindex: v1, Handle: h(0x4321, 0), Parent: tc.HandleRoot, Options: pfifo}); err != nil {
		t.Fatal(err)
	}
	for {
		msgs, err := w.NL.Receive(ctx)
		if err != nil {
			t.Fatalf("after %d notifications: %v", len(out), err)
		}
		for _, m := range msgs {
			e, err := tc.ParseEvent(m)
			if err != nil {
				t.Fatal(err)
			}
			s := "event " + netlink.RequestName(0, e.Type) + " "
			switch {
			case e.Qdisc != nil:
				if e.Qdisc.Handle.Major() == 0x4321 {
					return out
				}
				s += qdiscLine(*e.Qdisc)
			case e.Class != nil:
				s += classLine(*e.Class)
			case e.Filter != nil:
				s += filterLine(*e.Filter)
			}
			out = append(out, s)
		}
	}
}

func handle(h tc.Handle) string {
	if h.Major() >= 0x8000 && h.Major() < 0xffff {
		return fmt.Sprintf("auto:%x", h.Minor())
	}
	return h.String()
}

func qdiscLine(q tc.Qdisc) string {
	return fmt.Sprintf("qdisc %s %s parent %s", q.Kind, handle(q.Handle), handle(q.Parent))
}

func classLine(c tc.Class) string {
	return fmt.Sprintf("class %s %s parent %s leaf %s", c.Kind, c.Handle, c.Parent, handle(c.Leaf))
}

func filterLine(f tc.Filter) string {
	return fmt.Sprintf("filter %s parent %s pref %d protocol %#x handle %#x chain %d options %t", f.Kind, f.Parent, f.Priority, f.Protocol, f.Handle, f.Chain, f.Options != nil)
}

// listing lists v0's qdiscs (the root first, then sorted: the kernel
// lists the others in the order of its hash table), classes (sorted, for
// the same reason) and filters at 1:, 1:10 and clsact's
// hooks.
func listing(t *testing.T, ctx context.Context, c *tc.Conn) []string {
	var out []string
	for q, err := range c.Qdiscs(ctx, v0) {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, "  "+qdiscLine(q))
	}
	slices.Sort(out[min(1, len(out)):])
	var classes []string
	for cl, err := range c.Classes(ctx, v0, 0) {
		if err != nil {
			t.Fatal(err)
		}
		classes = append(classes, "  "+classLine(cl))
	}
	slices.Sort(classes)
	out = append(out, classes...)
	for _, p := range []tc.Handle{tc.MakeHandle(1, 0), tc.MakeHandle(1, 0x10), tc.HandleClsactIngress, tc.HandleClsactEgress} {
		for f, err := range c.Filters(ctx, v0, p) {
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, "  "+filterLine(f))
		}
	}
	return out
}
