package ynl_test

import (
	"strings"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/genetlink"
	"github.com/nlkit/netlink/genetlink/ynl"
	"github.com/nlkit/netlink/genetlink/ynl/devlink"
	"github.com/nlkit/netlink/genetlink/ynl/ethtool"
	"github.com/nlkit/netlink/genetlink/ynl/nl80211"
	"github.com/nlkit/netlink/genetlink/ynl/nlctrl"
	"github.com/nlkit/netlink/genetlink/ynl/ovsflow"
	"github.com/nlkit/netlink/genetlink/ynl/psp"
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

// learnIDs tells genetlink's traces the families' IDs, as the nlctrl
// replies that ParseFamily reads do.
func learnIDs(t testing.TB, ids map[string]uint16) {
	t.Helper()
	for name, id := range ids {
		reply := nlctrl.CtrlAttrs{FamilyID: ynl.Some(id), FamilyName: name}
		e := netlink.NewAttrEncoder(genetlink.AppendHeader(nil, genetlink.Header{Command: nlctrl.CmdGetfamilyReply, Version: 2}))
		reply.Encode(e)
		data, err := e.Finish()
		if err != nil {
			t.Fatal(err)
		}
		for m, err := range netlink.Messages(netlink.AppendMessage(nil, netlink.Header{Type: 0x10}, data)) {
			if err != nil {
				t.Fatal(err)
			}
			if _, err := genetlink.ParseFamily(m); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestFormatValues checks that traces name the values of the attributes
// whose spec gives them an enum or flags, as the generated String methods
// do: an enum, flags, an enum used as flags (enum-as-flags), a bitfield32
// of enum-as-flags, an indexed array of an enum's values.
func TestFormatValues(t *testing.T) {
	learnIDs(t, map[string]uint16{"psp": 0x71, "devlink": 0x72, "nl80211": 0x73, "ethtool": 0x74})
	// Requests, since devlink and nl80211 number replies apart.
	message := func(id uint16, cmd uint8, build func(e *netlink.AttrEncoder)) []byte {
		e := netlink.NewAttrEncoder(genetlink.AppendHeader(nil, genetlink.Header{Command: cmd, Version: 1}))
		build(e)
		data, err := e.Finish()
		if err != nil {
			t.Fatal(err)
		}
		return netlink.AppendMessage(nil, netlink.Header{Type: netlink.HeaderType(id), Flags: netlink.Request}, data)
	}
	var b []byte
	b = append(b, message(0x71, psp.CmdDevGet, func(e *netlink.AttrEncoder) {
		// version is an enum whose values number the bits.
		e.Uint32(psp.AttrDevPSPVersionsCap, 1<<uint(psp.VersionHdr0AesGcm128)|1<<uint(psp.VersionHdr0AesGmac128))
		e.Uint32(psp.AttrDevPSPVersionsEna, 1<<uint(psp.VersionHdr0AesGcm256)|1<<9)
	})...)
	b = append(b, message(0x72, devlink.CmdGet, func(e *netlink.AttrEncoder) {
		e.Uint8(devlink.AttrDevlinkReloadAction, uint8(devlink.ReloadActionFwActivate))
		e.Uint8(devlink.AttrDevlinkReloadAction, 7)
		e.Bytes(devlink.AttrDevlinkReloadActionsPerformed, []byte{4, 0, 0, 0, 6, 0, 0, 0})
	})...)
	b = append(b, message(0x73, nl80211.CmdGetWiphy, func(e *netlink.AttrEncoder) {
		e.Uint32(nl80211.AttrNl80211AttrsFeatureFlags, uint32(nl80211.FeatureFlagsSkTxStatus|nl80211.FeatureFlagsHtIbss))
		n := e.Nest(nl80211.AttrNl80211AttrsSupportedCommands)
		e.Uint32(1, uint32(nl80211.CommandsNewInterface))
		e.Uint32(2, 0xfff0)
		e.End(n)
	})...)
	b = append(b, message(0x74, ethtool.CmdModuleFwFlashAct, func(e *netlink.AttrEncoder) {
		n := e.Nest(ethtool.AttrModuleFwFlashHeader)
		e.Uint32(ethtool.AttrHeaderFlags, uint32(ethtool.HeaderFlagsOmitReply|ethtool.HeaderFlagsStats))
		e.End(n)
		e.Uint32(ethtool.AttrModuleFwFlashStatus, uint32(ethtool.ModuleFwFlashStatusInProgress))
	})...)
	var out strings.Builder
	netlink.FormatMessages(&out, 16, b)
	for _, want := range []string{
		"  attr 3 psp-versions-cap len=8: 05 00 00 00 hdr0-aes-gcm-128|hdr0-aes-gmac-128(0x5)\n",
		"  attr 4 psp-versions-ena len=8: 02 02 00 00 hdr0-aes-gcm-256|0x200(0x202)\n",
		"  attr 153 reload-action len=5: 02 fw-activate(2)\n",
		"  attr 153 reload-action len=5: 07 (7)\n",
		"  attr 154 reload-actions-performed len=12: 04 00 00 00 06 00 00 00 value=fw-activate(0x4) selector=driver-reinit|fw-activate(0x6)\n",
		"  attr 143 feature-flags len=8: 03 00 00 00 sk-tx-status|ht-ibss(0x3)\n",
		"    attr 1 len=8: 07 00 00 00 new-interface(7)\n",
		"    attr 2 len=8: f0 ff 00 00 (65520)\n",
		"    attr 3 flags len=8: 06 00 00 00 omit-reply|stats(0x6)\n",
		"  attr 4 status len=8: 01 00 00 00 in_progress(1)\n",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("no %q in\n%s", want, out.String())
		}
	}
}

// TestFormatFixedHeader checks that traces of a family whose messages
// carry a fixed header (ovs_flow's struct ovs_header) print the header's
// bytes and name the attributes after it, and that a flow's actions are
// listed in order, each by its name.
func TestFormatFixedHeader(t *testing.T) {
	learnIDs(t, map[string]uint16{"ovs_flow": 0x76})
	flow := ovsflow.FlowAttrs{
		Key:     ynl.Some(ovsflow.KeyAttrs{InPort: ynl.Some[uint32](1), Ethertype: ynl.Some[uint16](0x0800)}),
		Actions: ynl.Some(ovsflow.ActionAttrsList{{Output: ynl.Some[uint32](2)}, {Output: ynl.Some[uint32](3)}}),
	}
	e := netlink.NewAttrEncoder(genetlink.AppendHeader(nil, genetlink.Header{Command: ovsflow.CmdNew, Version: 1}))
	e.Raw([]byte{5, 0, 0, 0}) // ovs_header: dp_ifindex 5
	flow.Encode(e)
	data, err := e.Finish()
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	netlink.FormatMessages(&out, 16, netlink.AppendMessage(nil, netlink.Header{Type: 0x76, Flags: netlink.Request}, data))
	want := `ovs_flow len=64 flags=REQUEST seq=0 port=0
  cmd=1 (new) version=1
  header len=4: 05 00 00 00
  attr 1 key len=20
    attr 3 in-port len=8: 01 00 00 00 (1)
    attr 6 ethertype len=6: 08 00 (2048)
  attr 2 actions len=20
    attr 1 output len=8: 02 00 00 00 (2)
    attr 1 output len=8: 03 00 00 00 (3)
`
	if out.String() != want {
		t.Errorf("trace:\n%s\nwant:\n%s", out.String(), want)
	}
}

// FuzzFormatNames: traces of any attributes in messages of the families
// above, named by their specs (enums and flags included), never panic,
// end each line and stay in proportion to the bytes. Seeds: the requests
// of TestFormatValues.
func FuzzFormatNames(f *testing.F) {
	ids := []uint16{0x71, 0x72, 0x73, 0x74, 0x75, 0x76}
	f.Add(uint8(0), uint8(psp.CmdDevGet), true, []byte{8, 0, 3, 0, 5, 0, 0, 0, 8, 0, 4, 0, 2, 2, 0, 0})
	f.Add(uint8(1), uint8(devlink.CmdGet), true, []byte{5, 0, 153, 0, 2, 0, 0, 0, 12, 0, 154, 0, 4, 0, 0, 0, 6, 0, 0, 0})
	f.Add(uint8(2), uint8(nl80211.CmdGetWiphy), true, []byte{8, 0, 143, 0, 3, 0, 0, 0, 20, 0, 50, 0, 8, 0, 1, 0, 7, 0, 0, 0, 8, 0, 2, 0, 0xf0, 0xff, 0, 0})
	f.Add(uint8(3), uint8(ethtool.CmdModuleFwFlashAct), true, []byte{12, 0, 1, 0x80, 8, 0, 3, 0, 6, 0, 0, 0, 8, 0, 4, 0, 1, 0, 0, 0})
	f.Add(uint8(5), uint8(ovsflow.CmdNew), true, []byte{5, 0, 0, 0, 12, 0, 1, 0x80, 8, 0, 3, 0, 1, 0, 0, 0, 12, 0, 2, 0x80, 8, 0, 1, 0, 2, 0, 0, 0})
	learnIDs(f, map[string]uint16{"psp": 0x71, "devlink": 0x72, "nl80211": 0x73, "ethtool": 0x74, "netdev": 0x75, "ovs_flow": 0x76})
	f.Fuzz(func(t *testing.T, family, cmd uint8, request bool, attrs []byte) {
		h := netlink.Header{Type: netlink.HeaderType(ids[int(family)%len(ids)])}
		if request {
			h.Flags = netlink.Request
		}
		b := netlink.AppendMessage(nil, h, append([]byte{cmd, 1, 0, 0}, attrs...))
		var out strings.Builder
		if err := netlink.FormatMessages(&out, 16, b); err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(out.String(), "\n") {
			t.Fatalf("the account does not end its last line:\n%s", out.String())
		}
		if out.Len() > 1000*len(b)+1000 {
			t.Fatalf("%d bytes of account for %d bytes", out.Len(), len(b))
		}
	})
}
