//go:build linux

package genltest_test

import (
	"context"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/genetlink"
	"github.com/nlkit/netlink/genetlink/genltest"
)

// fuzzKernel is a fake with nlctrl and a family whose handlers decode
// their attributes, echo them, report and notify.
func fuzzKernel(t *testing.T) *genltest.Kernel {
	k := genltest.New()
	echo := func(req *genltest.Request) ([]genltest.Message, error) {
		d := netlink.NewAttrDecoder(req.Attrs)
		for d.Next() {
			if d.Type() == 1 {
				_ = d.Uint32()
			}
		}
		if err := d.Err(); err != nil {
			return nil, err
		}
		if err := req.Report("events", genltest.Message{Command: 9, Data: req.Attrs}); err != nil {
			return nil, err
		}
		return []genltest.Message{{Command: req.Header.Command, Data: append(append([]byte(nil), req.Fixed...), req.Attrs...)}}, nil
	}
	err := k.Register(&genltest.Family{
		Name: "fuzz", Version: 1, HeaderSize: 4, MaxAttr: 1, Groups: []string{"events"},
		Ops: []genltest.Op{
			{Command: 1, Do: echo, Dump: echo},
			{Command: 2, Flags: genetlink.AdminPerm, Do: echo},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// FuzzKernel sends the fake arbitrary requests (any type, flags and
// payload) from a Conn that joined every group: the fake must answer
// without a panic or a hang, and go on answering.
func FuzzKernel(f *testing.F) {
	getFamily := func(build func(e *netlink.AttrEncoder)) []byte {
		var e netlink.AttrEncoder
		e.Reset(genetlink.AppendHeader(nil, genetlink.Header{Command: 3, Version: 2}))
		build(&e)
		b, _ := e.Finish()
		return b
	}
	req, dump := uint16(netlink.Request|netlink.Acknowledge), uint16(netlink.Request|netlink.Dump)
	f.Add(uint16(0x10), req, getFamily(func(e *netlink.AttrEncoder) { e.String(2, "fuzz") }))
	f.Add(uint16(0x10), req, getFamily(func(e *netlink.AttrEncoder) { e.Uint16(1, 0x13) }))
	f.Add(uint16(0x10), dump, getFamily(func(e *netlink.AttrEncoder) {}))
	f.Add(uint16(0x10), dump, []byte{10, 2, 0, 0, 11, 0, 2, 0, 'f', 'u', 'z', 'z', 0, 0, 0, 0})
	f.Add(uint16(0x13), req|uint16(netlink.Echo), []byte{1, 1, 0, 0, 9, 9, 9, 9, 8, 0, 1, 0, 7, 0, 0, 0})
	f.Add(uint16(0x13), dump, []byte{1, 1, 0, 0, 9, 9, 9, 9, 5, 0, 1, 0})
	f.Add(uint16(0x13), req, []byte{2, 1, 0})
	f.Add(uint16(3), req, []byte{})
	f.Fuzz(func(t *testing.T, typ, flags uint16, data []byte) {
		k := fuzzKernel(t)
		c, err := k.Dial(&netlink.Config{Groups: []uint32{2, 0x10}})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		ctx := context.Background()
		if _, err := c.NL.Send(ctx, netlink.Message{Header: netlink.Header{Type: netlink.HeaderType(typ), Flags: netlink.HeaderFlags(flags), Sequence: 1}, Data: data}); err != nil {
			t.Fatal(err)
		}
		// The fake answered in Send; its replies wait for Receive, and
		// it still answers.
		fam, err := c.Family(ctx, "fuzz")
		if err != nil || fam.ID != 0x13 {
			t.Fatalf("Family after the request: %+v, %v", fam, err)
		}
	})
}
