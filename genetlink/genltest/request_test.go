//go:build linux

package genltest_test

import (
	"bytes"
	"context"
	"errors"
	"slices"
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
