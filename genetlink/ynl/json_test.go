package ynl_test

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"slices"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/genetlink/ynl"
	"github.com/nlkit/netlink/genetlink/ynl/ethtool"
	"github.com/nlkit/netlink/genetlink/ynl/nlctrl"
	"github.com/nlkit/netlink/genetlink/ynl/ovsflow"
)

// TestJSONRoundTrip writes attributes the generated encoders made as JSON,
// compares the text, and encodes the JSON back into the same bytes.
func TestJSONRoundTrip(t *testing.T) {
	for _, c := range []struct {
		f    *ynl.Family
		set  string
		v    ynl.Set
		want string
	}{
		{ethtool.Spec, "channels", &ethtool.Channels{
			Header:  ynl.Some(ethtool.Header{DevName: "va", Flags: ynl.Some(ethtool.HeaderFlagsCompactBitsets)}),
			RxCount: ynl.Some[uint32](2),
		}, `{"header":{"dev-name":"va","flags":["compact-bitsets"]},"rx-count":2}`},
		{ethtool.Spec, "strset", &ethtool.Strset{
			Stringsets: ynl.Some(ethtool.Stringsets{Stringset: []ethtool.StringsetAttrs{{ID: ynl.Some[uint32](1)}, {ID: ynl.Some[uint32](2), Count: ynl.Some[uint32](3)}}}),
			CountsOnly: true,
		}, `{"stringsets":{"stringset":[{"id":1},{"id":2,"count":3}]},"counts-only":true}`},
		{nlctrl.Spec, "ctrl-attrs", &nlctrl.CtrlAttrs{
			FamilyName: "x",
			Ops:        []nlctrl.OpAttrs{{ID: ynl.Some[uint32](1), Flags: ynl.Some(uint32(nlctrl.OpFlagsCmdCapDo))}},
			Policy: []ynl.Keyed[[]ynl.Keyed[nlctrl.PolicyAttrs]]{{Key: 0, V: []ynl.Keyed[nlctrl.PolicyAttrs]{
				{Key: 1, V: nlctrl.PolicyAttrs{Type: ynl.Some(nlctrl.AttrTypeU32)}},
			}}},
		}, `{"family-name":"x","ops":[{"id":1,"flags":["cmd-cap-do"]}],"policy":{"0":{"1":{"type":"u32"}}}}`},
	} {
		attrs, err := ynl.Encode(c.v)
		if err != nil {
			t.Fatal(err)
		}
		js, err := c.f.DecodeJSON(c.set, attrs)
		if err != nil {
			t.Fatal(err)
		}
		if string(js) != c.want {
			t.Errorf("%s: %s\nwant %s", c.set, js, c.want)
		}
		back, err := c.f.EncodeJSON(c.set, js)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(back, attrs) {
			t.Errorf("%s: JSON encodes to %x, want %x", c.set, back, attrs)
		}
	}
	if _, err := ethtool.Spec.EncodeJSON("channels", []byte(`{"rx-count":-1}`)); err == nil {
		t.Error("rx-count -1 encoded")
	}
	if _, err := ethtool.Spec.EncodeJSON("channels", []byte(`{"nosuch":1}`)); err == nil {
		t.Error("an unknown attribute encoded")
	}
}

// FuzzJSON writes arbitrary attributes of ethtool's strset and nlctrl's
// ctrl-attrs sets, and an arbitrary payload of an ovs_flow message (its
// fixed header, then flow-attrs, whose actions are a list), as JSON:
// valid JSON, which encodes back into a payload that writes the same JSON
// again.
func FuzzJSON(f *testing.F) {
	for _, v := range []ynl.Set{
		&ethtool.Strset{Stringsets: ynl.Some(ethtool.Stringsets{Stringset: []ethtool.StringsetAttrs{{ID: ynl.Some[uint32](1)}}})},
		&nlctrl.CtrlAttrs{FamilyName: "x\xff", Policy: []ynl.Keyed[[]ynl.Keyed[nlctrl.PolicyAttrs]]{{Key: 2, V: []ynl.Keyed[nlctrl.PolicyAttrs]{{Key: 1}}}}},
	} {
		b, _ := ynl.Encode(v)
		f.Add(b)
	}
	flow, _ := ynl.Encode(&ovsflow.FlowAttrs{Actions: ynl.Some(ovsflow.ActionAttrsList{{Output: ynl.Some[uint32](2)}, {PopVlan: true}, {Output: ynl.Some[uint32](3)}})})
	f.Add(append([]byte{7, 0, 0, 0}, flow...))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, c := range []struct {
			f   *ynl.Family
			set string
		}{{ethtool.Spec, "strset"}, {nlctrl.Spec, "ctrl-attrs"}, {ovsflow.Spec, "flow-attrs"}} {
			// A payload after the generic netlink header: the fixed
			// header, if the family has one, then the attributes.
			decode := func(b []byte) ([]byte, error) { return c.f.DecodeMessageJSON(c.set, b) }
			encode := func(js []byte) ([]byte, error) {
				hdr, attrs, err := c.f.EncodeRequestJSON(c.set, js)
				return append(hdr, attrs...), err // ovs_header needs no padding
			}
			js, err := decode(b)
			if err != nil {
				continue
			}
			if !json.Valid(js) {
				t.Fatalf("%s: invalid JSON %s", c.set, js)
			}
			payload, err := encode(js)
			if err != nil {
				t.Fatalf("%s: %s does not encode: %v", c.set, js, err)
			}
			again, err := decode(payload)
			if err != nil {
				t.Fatalf("%s: %s encodes to %x, which does not decode: %v", c.set, js, payload, err)
			}
			payload2, err := encode(again)
			if err != nil || !bytes.Equal(payload, payload2) {
				t.Fatalf("%s: %s → %x → %s → %x, %v", c.set, js, payload, again, payload2, err)
			}
		}
	})
}

func TestAttrPath(t *testing.T) {
	attrs, _ := ynl.Encode(&ethtool.Linkinfo{Header: ynl.Some(ethtool.Header{DevName: "eth0"}), Port: ynl.Some[uint8](1)})
	for off, want := range map[int]string{0: "header", 4: "header.dev-name", 16: "port", 99: ""} {
		if got := ethtool.Spec.AttrPath("linkinfo", attrs, off); got != want {
			t.Errorf("offset %d: %q, want %q", off, got, want)
		}
	}
}

// TestJSONFixedHeader writes a message of a family with a fixed header
// (ovs_flow's ovs-header) as JSON, the header's members first and a
// flow's actions as a list in order, and encodes the JSON back into the
// same header and attributes.
func TestJSONFixedHeader(t *testing.T) {
	flow := &ovsflow.FlowAttrs{
		Key:     ynl.Some(ovsflow.KeyAttrs{InPort: ynl.Some[uint32](1), Ethertype: ynl.Some[uint16](0x88b5)}),
		Actions: ynl.Some(ovsflow.ActionAttrsList{{Output: ynl.Some[uint32](2)}, {PopVlan: true}, {Output: ynl.Some[uint32](3)}}),
	}
	attrs, err := ynl.Encode(flow)
	if err != nil {
		t.Fatal(err)
	}
	hdr := binary.NativeEndian.AppendUint32(nil, 7)
	js, err := ovsflow.Spec.DecodeMessageJSON("flow-attrs", append(slices.Clone(hdr), attrs...))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"dp-ifindex":7,"key":{"in-port":1,"ethertype":34997},"actions":[{"output":2},{"pop-vlan":true},{"output":3}]}`
	if string(js) != want {
		t.Errorf("%s\nwant %s", js, want)
	}
	gotHdr, gotAttrs, err := ovsflow.Spec.EncodeRequestJSON("flow-attrs", js)
	if err != nil || !bytes.Equal(gotHdr, hdr) || !bytes.Equal(gotAttrs, attrs) {
		t.Errorf("encoded %x %x, %v; want %x %x", gotHdr, gotAttrs, err, hdr, attrs)
	}
	// Without the header's member, the header is 0; a family without a
	// fixed header has none.
	if h, _, err := ovsflow.Spec.EncodeRequestJSON("flow-attrs", []byte(`{}`)); err != nil || !bytes.Equal(h, []byte{0, 0, 0, 0}) {
		t.Errorf("no dp-ifindex: header %x, %v", h, err)
	}
	if h, _, err := ethtool.Spec.EncodeRequestJSON("channels", []byte(`{}`)); err != nil || h != nil {
		t.Errorf("ethtool: header %x, %v", h, err)
	}
	if _, _, err := ovsflow.Spec.EncodeRequestJSON("flow-attrs", []byte(`{"dp-ifindex":-1}`)); err == nil {
		t.Error("dp-ifindex -1 encoded")
	}
	if _, err := ovsflow.Spec.DecodeMessageJSON("flow-attrs", []byte{7, 0}); !errors.Is(err, netlink.ErrMalformed) {
		t.Errorf("a payload shorter than the header: %v", err)
	}
}
