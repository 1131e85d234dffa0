//go:build linux

package genltest_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/genetlink"
	"github.com/nlkit/netlink/genetlink/genltest"
	"github.com/nlkit/netlink/nltest"
)

// dial returns a Conn on k, closed when the test ends.
func dial(t *testing.T, k *genltest.Kernel, cfg *netlink.Config) *genetlink.Conn {
	t.Helper()
	c, err := k.Dial(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// attrs encodes one u32 attribute.
func attrs(typ uint16, v uint32) []byte {
	var e netlink.AttrEncoder
	e.Uint32(typ, v)
	b, _ := e.Finish()
	return b
}

// kernelFamilies reads the family dump the kernel sent
// genetlink.TestFamiliesMatchGenl: its families, and each message's bytes.
func kernelFamilies(t *testing.T) map[string][]byte {
	t.Helper()
	b, err := os.ReadFile("../testdata/getfamily_dump.bin")
	if err != nil {
		t.Fatal(err)
	}
	fams := map[string][]byte{}
	for m, err := range netlink.Messages(b) {
		if err != nil {
			t.Fatal(err)
		}
		if m.Header.Type != 0x10 {
			continue
		}
		f, err := genetlink.ParseFamily(m)
		if err != nil {
			t.Fatal(err)
		}
		fams[f.Name] = m.Data
	}
	return fams
}

// fakeOf registers on k a family with the name, numbers, ops and group
// names of f, with handlers that answer nothing.
func fakeOf(t *testing.T, k *genltest.Kernel, f genetlink.Family) *genltest.Family {
	t.Helper()
	none := func(*genltest.Request) ([]genltest.Message, error) { return nil, nil }
	fake := &genltest.Family{Name: f.Name, Version: f.Version, HeaderSize: f.HeaderSize, MaxAttr: f.MaxAttr}
	for _, op := range f.Ops {
		o := genltest.Op{Command: uint8(op.Command), Flags: op.Flags}
		if op.Flags&genetlink.CanDo != 0 {
			o.Do = none
		}
		if op.Flags&genetlink.CanDump != 0 {
			o.Dump = none
		}
		fake.Ops = append(fake.Ops, o)
	}
	for _, g := range f.Groups {
		fake.Groups = append(fake.Groups, g.Name)
	}
	if err := k.Register(fake); err != nil {
		t.Fatal(err)
	}
	return fake
}

// withIDs rewrites, in a family description from nlctrl, the family ID and
// the group IDs to those of want: so that a description from the fake and
// one from the kernel, whose IDs depend on what registered before, compare
// byte for byte. It also clears has-policy, which no op of the fake has.
func withIDs(t *testing.T, b []byte, f genetlink.Family) []byte {
	t.Helper()
	b = bytes.Clone(b)
	g := 0
	var walk func(off, end int, depth int)
	walk = func(off, end int, depth int) {
		for off+4 <= end {
			n := int(binary.NativeEndian.Uint16(b[off:]))
			typ := binary.NativeEndian.Uint16(b[off+2:]) &^ netlink.AttrNested
			if n < 4 || off+n > end {
				t.Fatalf("malformed description at %d", off)
			}
			switch {
			case depth == 0 && typ == 1: // CTRL_ATTR_FAMILY_ID
				binary.NativeEndian.PutUint16(b[off+4:], f.ID)
			case depth == 0 && (typ == 6 || typ == 7): // CTRL_ATTR_OPS, CTRL_ATTR_MCAST_GROUPS
				walk(off+4, off+n, int(typ))
			case depth == 6 || depth == 7: // one op, one group
				walk(off+4, off+n, depth*10)
			case depth == 60 && typ == 2: // CTRL_ATTR_OP_FLAGS
				v := binary.NativeEndian.Uint32(b[off+4:])
				binary.NativeEndian.PutUint32(b[off+4:], v&^uint32(genetlink.HasPolicy))
			case depth == 70 && typ == 2: // CTRL_ATTR_MCAST_GRP_ID
				binary.NativeEndian.PutUint32(b[off+4:], f.Groups[g].ID)
				g++
			}
			off += netlink.Align(n)
		}
	}
	walk(4, len(b), 0) // after the genlmsghdr
	return b
}

// TestDescriptionsMatchKernel registers families with the names, ops and
// groups of nlctrl, netdev and ethtool as the kernel described them, and
// checks that the fake describes each with the kernel's bytes, IDs and
// has-policy aside.
func TestDescriptionsMatchKernel(t *testing.T) {
	kernel := kernelFamilies(t)
	k := genltest.New()
	c := dial(t, k, nil)
	ctx := context.Background()
	for _, name := range []string{"nlctrl", "netdev", "ethtool", "mptcp_pm", "tcp_metrics"} {
		want, err := genetlink.ParseFamily(netlink.Message{Data: kernel[name]})
		if err != nil {
			t.Fatal(err)
		}
		if name != "nlctrl" {
			fakeOf(t, k, want)
		}
		got, err := c.Family(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		raw := rawFamily(t, c, name)
		if !bytes.Equal(withIDs(t, kernel[name], got), withIDs(t, raw, got)) {
			t.Errorf("%s: the fake says\n% x\nthe kernel\n% x", name, withIDs(t, raw, got), withIDs(t, kernel[name], got))
		}
	}
}

// rawFamily returns the payload of nlctrl's reply about family name.
func rawFamily(t *testing.T, c *genetlink.Conn, name string) []byte {
	t.Helper()
	var e netlink.AttrEncoder
	e.Reset(genetlink.AppendHeader(nil, genetlink.Header{Command: 3, Version: 2})) // CTRL_CMD_GETFAMILY
	e.String(2, name)                                                              // CTRL_ATTR_FAMILY_NAME
	data, _ := e.Finish()
	msgs, err := c.NL.Execute(context.Background(), netlink.Message{Header: netlink.Header{Type: 0x10}, Data: data})
	if err != nil || len(msgs) != 1 {
		t.Fatalf("GETFAMILY %s: %v, %v", name, msgs, err)
	}
	return msgs[0].Data
}

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

// demo is a family with a do, a dump, a do that needs CAP_NET_ADMIN, a
// fixed header and a group.
func demo(t *testing.T, k *genltest.Kernel) *genltest.Family {
	t.Helper()
	const attrValue = 1
	f := &genltest.Family{
		Name: "demo", Version: 3, HeaderSize: 4, MaxAttr: 1, Groups: []string{"events"},
		Ops: []genltest.Op{
			{Command: 1, Do: func(req *genltest.Request) ([]genltest.Message, error) {
				d := netlink.NewAttrDecoder(req.Attrs)
				for d.Next() {
					if d.Type() == attrValue && d.Uint32() == 0 {
						return nil, &nltest.Error{Errno: syscall.EINVAL, Message: "value must not be 0", Offset: req.Offset(attrValue)}
					}
				}
				if err := d.Err(); err != nil {
					return nil, err
				}
				return []genltest.Message{{Command: 1, Data: append(slices.Clone(req.Fixed), req.Attrs...)}}, nil
			}},
			{Command: 2, Dump: func(req *genltest.Request) ([]genltest.Message, error) {
				msgs := make([]genltest.Message, 500)
				for i := range msgs {
					msgs[i] = genltest.Message{Command: 2, Data: append(make([]byte, 4), attrs(attrValue, uint32(i))...)}
				}
				return msgs, nil
			}},
			{Command: 3, Flags: genetlink.AdminPerm, Do: func(*genltest.Request) ([]genltest.Message, error) { return nil, nil }},
		},
	}
	if err := k.Register(f); err != nil {
		t.Fatal(err)
	}
	return f
}

// TestRequests runs requests through a family's handlers and the kernel's
// checks before them.
func TestRequests(t *testing.T) {
	k := genltest.New()
	demo(t, k)
	c := dial(t, k, nil)
	ctx := context.Background()
	f, err := c.Family(ctx, "demo")
	if err != nil {
		t.Fatal(err)
	}
	if f.HeaderSize != 4 || f.Version != 3 || f.MaxAttr != 1 {
		t.Fatalf("Family: %+v", f)
	}
	fixed := []byte{9, 9, 9, 9}
	msgs, err := c.Execute(ctx, &f, 1, append(slices.Clone(fixed), attrs(1, 7)...))
	if err != nil || len(msgs) != 1 {
		t.Fatalf("do: %v, %v", msgs, err)
	}
	m := msgs[0]
	if h, _ := genetlink.ParseHeader(m.Data); m.Header.Type != netlink.HeaderType(f.ID) || h != (genetlink.Header{Command: 1, Version: 3}) ||
		!bytes.Equal(m.Data[4:], append(fixed, attrs(1, 7)...)) {
		t.Errorf("do reply: %v % x", m.Header, m.Data)
	}

	_, err = c.Execute(ctx, &f, 1, append(slices.Clone(fixed), attrs(1, 0)...))
	var oe *netlink.OpError
	if !errors.Is(err, syscall.EINVAL) || !errors.As(err, &oe) || oe.Message != "value must not be 0" ||
		oe.Offset != netlink.HeaderLen+genetlink.HeaderLen+4 {
		t.Errorf("refused do: %v", err)
	}

	n := 0
	for m, err := range c.Dump(ctx, &f, 2, fixed) {
		if err != nil {
			t.Fatal(err)
		}
		d := m.AttrDecoder(genetlink.HeaderLen + int(f.HeaderSize))
		for d.Next() {
			if v := d.Uint32(); int(v) != n {
				t.Fatalf("dump message %d says %d", n, v)
			}
		}
		n++
	}
	if n != 500 {
		t.Errorf("dump: %d messages, want 500", n)
	}

	for _, c2 := range []struct {
		name string
		run  func() error
		want syscall.Errno
	}{
		{"a dump of a do", func() error { return dumpErr(c.Dump(ctx, &f, 1, fixed)) }, syscall.EOPNOTSUPP},
		{"a do of a dump", func() error { _, err := c.Execute(ctx, &f, 2, fixed); return err }, syscall.EOPNOTSUPP},
		{"an unknown command", func() error { _, err := c.Execute(ctx, &f, 9, fixed); return err }, syscall.EOPNOTSUPP},
		{"no fixed header", func() error { _, err := c.Execute(ctx, &f, 1, nil); return err }, syscall.EINVAL},
		{"an unknown family", func() error {
			gone := f
			gone.ID = 0x3ff
			_, err := c.Execute(ctx, &gone, 1, fixed)
			return err
		}, syscall.ENOENT},
	} {
		if err := c2.run(); !errors.Is(err, c2.want) {
			t.Errorf("%s: %v, want %v", c2.name, err, c2.want)
		}
	}

	if _, err := c.Execute(ctx, &f, 3, fixed); err != nil {
		t.Errorf("admin command: %v", err)
	}
	k.SetNetAdmin(false)
	if _, err := c.Execute(ctx, &f, 3, fixed); !errors.Is(err, syscall.EPERM) {
		t.Errorf("admin command without CAP_NET_ADMIN: %v, want EPERM", err)
	}
	if _, err := c.Execute(ctx, &f, 1, append(slices.Clone(fixed), attrs(1, 7)...)); err != nil {
		t.Errorf("command without CAP_NET_ADMIN: %v", err)
	}
}

func dumpErr[T any](seq func(func(T, error) bool)) error {
	for _, err := range seq {
		if err != nil {
			return err
		}
	}
	return nil
}

// TestControllerErrors sends nlctrl what it refuses.
func TestControllerErrors(t *testing.T) {
	k := genltest.New()
	c := dial(t, k, nil)
	ctx := context.Background()
	get := func(cmd uint8, build func(e *netlink.AttrEncoder)) error {
		var e netlink.AttrEncoder
		e.Reset(genetlink.AppendHeader(nil, genetlink.Header{Command: cmd, Version: 2}))
		build(&e)
		data, _ := e.Finish()
		req := netlink.Message{Header: netlink.Header{Type: 0x10}, Data: data}
		if cmd == 10 {
			return dumpErr(c.NL.Dump(ctx, req))
		}
		_, err := c.NL.Execute(ctx, req)
		return err
	}
	for _, c := range []struct {
		name  string
		cmd   uint8
		build func(e *netlink.AttrEncoder)
		want  syscall.Errno
		offs  int // -1: no extended ACK offset
	}{
		{"neither name nor ID", 3, func(e *netlink.AttrEncoder) {}, syscall.EINVAL, -1},
		{"an unknown ID", 3, func(e *netlink.AttrEncoder) { e.Uint16(1, 0x200) }, syscall.ENOENT, -1},
		{"a short ID", 3, func(e *netlink.AttrEncoder) { e.Uint8(1, 0x10) }, syscall.ERANGE, 20},
		{"a name without NUL", 3, func(e *netlink.AttrEncoder) { e.Bytes(2, []byte("nlctrl")) }, syscall.EINVAL, 20},
		{"a name too long", 3, func(e *netlink.AttrEncoder) { e.String(2, "sixteen-bytes-xx") }, syscall.EINVAL, 20}, // no NUL in 16 bytes
		{"a name with bytes after its NUL", 3, func(e *netlink.AttrEncoder) { e.Bytes(2, []byte("fifteen-bytes-x\x00\x00")) }, syscall.ERANGE, 20},
		{"a policy of nlctrl", 10, func(e *netlink.AttrEncoder) { e.String(2, "nlctrl") }, syscall.ENODATA, -1},
		{"a policy of no family", 10, func(e *netlink.AttrEncoder) { e.String(2, "nosuch") }, syscall.ENOENT, -1},
	} {
		err := get(c.cmd, c.build)
		var oe *netlink.OpError
		if !errors.Is(err, c.want) || !errors.As(err, &oe) || oe.Offset != c.offs {
			t.Errorf("%s: %#v, want %v at offset %d", c.name, err, c.want, c.offs)
		}
	}
	// Lookups by ID, and by name over ID, as the kernel.
	err := get(3, func(e *netlink.AttrEncoder) { e.Uint16(1, 0x10) })
	if err != nil {
		t.Errorf("by ID: %v", err)
	}
	if err := get(3, func(e *netlink.AttrEncoder) { e.Uint16(1, 0x10); e.String(2, "nosuch") }); !errors.Is(err, syscall.ENOENT) {
		t.Errorf("by ID and an unknown name: %v, want ENOENT", err)
	}
	if _, err := c.Policy(ctx, "nlctrl", 3); !errors.Is(err, syscall.ENODATA) {
		t.Errorf("Policy: %v, want ENODATA", err)
	}
}

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

// TestFamiliesDump lists many families, across several 4 KiB datagrams:
// in ID order, each as a lookup by name describes it.
func TestFamiliesDump(t *testing.T) {
	k := genltest.New()
	do := func(*genltest.Request) ([]genltest.Message, error) { return nil, nil }
	for i := range 100 {
		f := &genltest.Family{Name: fmt.Sprint("f", i), Version: 1, Groups: []string{"g"},
			Ops: []genltest.Op{{Command: 1, Do: do}, {Command: 2, Dump: do, Flags: genetlink.UnsAdminPerm}}}
		if err := k.Register(f); err != nil {
			t.Fatal(err)
		}
	}
	c := dial(t, k, &netlink.Config{DatagramBuffer: 4096})
	ctx := context.Background()
	var last uint16
	n := 0
	for f, err := range c.Families(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		if f.ID <= last {
			t.Errorf("family %s, ID %#x, after ID %#x", f.Name, f.ID, last)
		}
		last = f.ID
		one, err := c.Family(ctx, f.Name)
		if err != nil || one.ID != f.ID || !slices.Equal(one.Ops, f.Ops) || !slices.Equal(one.Groups, f.Groups) {
			t.Errorf("Family(%s) = %+v, %v; the dump says %+v", f.Name, one, err, f)
		}
		n++
	}
	if n != 101 {
		t.Errorf("%d families, want 101 with nlctrl", n)
	}
	f, _ := c.Family(ctx, "f7")
	if op, _ := f.Op(2); op.Flags != genetlink.CanDump|genetlink.UnsAdminPerm {
		t.Errorf("op 2: %v", op.Flags)
	}
}

// TestDumpEnds checks that a dump handler's interrupted reply and its
// error in NLMSG_DONE reach the caller as from the kernel.
func TestDumpEnds(t *testing.T) {
	k := genltest.New()
	f := &genltest.Family{Name: "demo", Version: 1, Ops: []genltest.Op{
		{Command: 1, Dump: func(*genltest.Request) ([]genltest.Message, error) {
			return []genltest.Message{{Command: 1}, {Command: 1, Flags: netlink.DumpInterrupted}}, nil
		}},
		{Command: 2, Dump: func(*genltest.Request) ([]genltest.Message, error) {
			return []genltest.Message{{Command: 2}}, &nltest.Error{Errno: syscall.EIO, Message: "device gone", InDone: true}
		}},
	}}
	if err := k.Register(f); err != nil {
		t.Fatal(err)
	}
	c := dial(t, k, nil)
	ctx := context.Background()
	fam, err := c.Family(ctx, "demo")
	if err != nil {
		t.Fatal(err)
	}
	if err := dumpErr(c.Dump(ctx, &fam, 1, nil)); !errors.Is(err, netlink.ErrDumpInterrupted) {
		t.Errorf("interrupted dump: %v", err)
	}
	n := 0
	for _, err = range c.Dump(ctx, &fam, 2, nil) {
		if err != nil {
			break
		}
		n++
	}
	var oe *netlink.OpError
	if n != 1 || !errors.Is(err, syscall.EIO) || !errors.As(err, &oe) || oe.Message != "device gone" {
		t.Errorf("failed dump: %d messages, then %v", n, err)
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
