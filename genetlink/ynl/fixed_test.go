package ynl_test

import (
	"context"
	"encoding/binary"
	"errors"
	"slices"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/genetlink/genltest"
	"github.com/nlkit/netlink/genetlink/ynl"
	"github.com/nlkit/netlink/genetlink/ynl/ovsdatapath"
)

// fakeDatapaths is an ovs_datapath family of a fake kernel with two
// datapaths: get answers by name (header 0) or by the header's ifindex,
// with the datapath's ifindex in the reply's header, as the kernel's
// ovs_dp_cmd_get; new records the header and name it was sent; a get of
// ifindex 99 answers with a message too short for the header.
func fakeDatapaths(t *testing.T) (*ovsdatapath.Client, *[][]byte) {
	dps := map[uint32]string{7: "dp0", 9: "dp1"}
	var sent [][]byte
	reply := func(ifindex uint32, name string) genltest.Message {
		e := netlink.NewAttrEncoder(binary.NativeEndian.AppendUint32(nil, ifindex))
		(&ovsdatapath.Datapath{Name: name, UpcallPid: ynl.Some[uint32](0)}).Encode(e)
		b, err := e.Finish()
		if err != nil {
			t.Fatal(err)
		}
		return genltest.Message{Command: ovsdatapath.CmdGet, Data: b}
	}
	k := genltest.New()
	err := k.Register(&genltest.Family{
		Name: ovsdatapath.FamilyName, Version: 2, HeaderSize: 4, MaxAttr: 9, Groups: []string{ovsdatapath.GroupOVSDatapath},
		Spec: ovsdatapath.Spec,
		Ops: []genltest.Op{
			{Command: ovsdatapath.CmdGet, Do: func(req *genltest.Request) ([]genltest.Message, error) {
				ifindex := binary.NativeEndian.Uint32(req.Fixed)
				if ifindex == 99 {
					return []genltest.Message{{Command: ovsdatapath.CmdGet, Data: []byte{1, 0}}}, nil
				}
				var v ovsdatapath.Datapath
				d := netlink.NewAttrDecoder(req.Attrs)
				v.Decode(&d)
				for i, name := range dps {
					if (ifindex == 0 && name == v.Name) || ifindex == i {
						return []genltest.Message{reply(i, name)}, nil
					}
				}
				return nil, errors.New("no such datapath")
			}, Dump: func(req *genltest.Request) ([]genltest.Message, error) {
				var out []genltest.Message
				for _, i := range []uint32{7, 9} {
					out = append(out, reply(i, dps[i]))
				}
				return out, nil
			}},
			{Command: ovsdatapath.CmdNew, Do: func(req *genltest.Request) ([]genltest.Message, error) {
				sent = append(sent, slices.Clone(req.Message.Data[4:]))
				return nil, nil
			}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	g, err := k.Dial(nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { g.Close() })
	c, err := ovsdatapath.New(context.Background(), g)
	if err != nil {
		t.Fatal(err)
	}
	return c, &sent
}

// TestFixedHeader runs a family with a fixed header (ovs_datapath's
// struct ovs_header) against a fake kernel: requests carry the header
// before their attributes, replies give theirs back beside their
// attributes (do and dump), and a reply too short for its header is an
// error.
func TestFixedHeader(t *testing.T) {
	c, sent := fakeDatapaths(t)
	ctx := context.Background()
	if err := c.New(ctx, ovsdatapath.OVSHeader{DPIfindex: 5}, &ovsdatapath.Datapath{Name: "dp2", UpcallPid: ynl.Some[uint32](0)}); err != nil {
		t.Fatal(err)
	}
	// The header, then name "dp2" (8 bytes with its NUL) and upcall-pid.
	want := []byte{5, 0, 0, 0, 8, 0, 1, 0, 'd', 'p', '2', 0, 8, 0, 2, 0, 0, 0, 0, 0}
	if len(*sent) != 1 || !slices.Equal((*sent)[0], want) {
		t.Errorf("new sent % x, want % x", *sent, want)
	}

	got, err := c.Get(ctx, ovsdatapath.OVSHeader{}, &ovsdatapath.Datapath{Name: "dp1"})
	if err != nil {
		t.Fatal(err)
	}
	if got.Header.DPIfindex != 9 || got.Attrs.Name != "dp1" || got.Attrs.UpcallPid != ynl.Some[uint32](0) {
		t.Errorf("get dp1: %+v", got)
	}
	got, err = c.Get(ctx, ovsdatapath.OVSHeader{DPIfindex: 7}, nil)
	if err != nil || got.Header.DPIfindex != 7 || got.Attrs.Name != "dp0" {
		t.Errorf("get of ifindex 7: %+v, %v", got, err)
	}
	var dumped []string
	for dp, err := range c.GetDump(ctx, ovsdatapath.OVSHeader{}, nil) {
		if err != nil {
			t.Fatal(err)
		}
		dumped = append(dumped, dp.Attrs.Name+"@"+string(rune('0'+dp.Header.DPIfindex)))
	}
	if !slices.Equal(dumped, []string{"dp0@7", "dp1@9"}) {
		t.Errorf("dump: %v", dumped)
	}
	if _, err := c.Get(ctx, ovsdatapath.OVSHeader{DPIfindex: 99}, nil); !errors.Is(err, netlink.ErrMalformed) {
		t.Errorf("get with a short reply: %v, want ErrMalformed", err)
	}
}
