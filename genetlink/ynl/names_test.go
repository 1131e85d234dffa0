package ynl_test

import (
	"strings"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/genetlink"
	"github.com/nlkit/netlink/genetlink/ynl"
	"github.com/nlkit/netlink/genetlink/ynl/ethtool"
	"github.com/nlkit/netlink/genetlink/ynl/nlctrl"
)

// TestFormatNames checks that, once a family's ID is known (here from an
// nlctrl reply ParseFamily reads), FormatMessages names its commands and
// attributes by the spec: nests, indexed arrays and unknown attributes.
func TestFormatNames(t *testing.T) {
	const id = 0x7a
	// An nlctrl reply saying ethtool has ID 0x7a, with an indexed array
	// of ops.
	reply := nlctrl.CtrlAttrs{FamilyID: ynl.Some[uint16](id), FamilyName: "ethtool",
		Ops:    []nlctrl.OpAttrs{{ID: ynl.Some[uint32](2), Flags: ynl.Some[uint32](2)}},
		Policy: []ynl.Keyed[[]ynl.Keyed[nlctrl.PolicyAttrs]]{{Key: 0, V: []ynl.Keyed[nlctrl.PolicyAttrs]{{Key: 1, V: nlctrl.PolicyAttrs{Type: ynl.Some(nlctrl.AttrTypeNested)}}}}}}
	e := netlink.NewAttrEncoder(genetlink.AppendHeader(nil, genetlink.Header{Command: nlctrl.CmdGetfamilyReply, Version: 2}))
	reply.Encode(e)
	data, err := e.Finish()
	if err != nil {
		t.Fatal(err)
	}
	b := netlink.AppendMessage(nil, netlink.Header{Type: 0x10}, data)
	for m, err := range netlink.Messages(b) {
		if err != nil {
			t.Fatal(err)
		}
		if _, err := genetlink.ParseFamily(m); err != nil {
			t.Fatal(err)
		}
	}

	req := ethtool.Linkinfo{Header: ynl.Some(ethtool.Header{DevName: "eth0"}), Port: ynl.Some[uint8](3)}
	req.Unknown = []netlink.Attr{{Type: 40, Data: []byte{1, 0, 0, 0}}}
	e = netlink.NewAttrEncoder(genetlink.AppendHeader(nil, genetlink.Header{Command: ethtool.CmdLinkinfoGet, Version: 1}))
	req.Encode(e)
	data, err = e.Finish()
	if err != nil {
		t.Fatal(err)
	}
	b = append(b, netlink.AppendMessage(nil, netlink.Header{Type: id, Flags: netlink.Request}, data)...)
	var out strings.Builder
	netlink.FormatMessages(&out, 16, b)
	for _, want := range []string{
		"nlctrl len=",
		"  cmd=1 (getfamily) version=2\n",
		"  attr 6 ops len=24\n    attr 1 len=20\n      attr 1 id len=8: 02 00 00 00 (2)\n      attr 2 flags len=8: ",
		// policy: nest-type-value, two levels of keys.
		"  attr 8 policy len=20\n    attr 0 len=16\n      attr 1 len=12\n        attr 1 type len=8: ",
		"ethtool len=52 flags=REQUEST seq=0 port=0\n  cmd=2 (linkinfo-get) version=1\n",
		"  attr 1 header len=",
		"    attr 2 dev-name len=9: \"eth0\"\n",
		"  attr 2 port len=5: 03 (3)\n",
		"  attr 1 family-id len=6: 7a 00 (122)\n",
		"  attr 40 len=8: 01 00 00 00 (1)\n",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("no %q in\n%s", want, out.String())
		}
	}
}
