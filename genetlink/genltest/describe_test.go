//go:build linux

package genltest_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"slices"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/genetlink"
	"github.com/nlkit/netlink/genetlink/genltest"
)

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
