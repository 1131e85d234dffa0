package ynl_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/nlkit/netlink/genetlink/ynl"
	"github.com/nlkit/netlink/genetlink/ynl/ethtool"
	"github.com/nlkit/netlink/genetlink/ynl/nlctrl"
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
// ctrl-attrs sets as JSON: valid JSON, which encodes back into
// attributes that write the same JSON again.
func FuzzJSON(f *testing.F) {
	for _, v := range []ynl.Set{
		&ethtool.Strset{Stringsets: ynl.Some(ethtool.Stringsets{Stringset: []ethtool.StringsetAttrs{{ID: ynl.Some[uint32](1)}}})},
		&nlctrl.CtrlAttrs{FamilyName: "x\xff", Policy: []ynl.Keyed[[]ynl.Keyed[nlctrl.PolicyAttrs]]{{Key: 2, V: []ynl.Keyed[nlctrl.PolicyAttrs]{{Key: 1}}}}},
	} {
		b, _ := ynl.Encode(v)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, c := range []struct {
			f   *ynl.Family
			set string
		}{{ethtool.Spec, "strset"}, {nlctrl.Spec, "ctrl-attrs"}} {
			js, err := c.f.DecodeJSON(c.set, b)
			if err != nil {
				continue
			}
			if !json.Valid(js) {
				t.Fatalf("%s: invalid JSON %s", c.set, js)
			}
			attrs, err := c.f.EncodeJSON(c.set, js)
			if err != nil {
				t.Fatalf("%s: %s does not encode: %v", c.set, js, err)
			}
			again, err := c.f.DecodeJSON(c.set, attrs)
			if err != nil {
				t.Fatalf("%s: %s encodes to %x, which does not decode: %v", c.set, js, attrs, err)
			}
			attrs2, err := c.f.EncodeJSON(c.set, again)
			if err != nil || !bytes.Equal(attrs, attrs2) {
				t.Fatalf("%s: %s → %x → %s → %x, %v", c.set, js, attrs, again, attrs2, err)
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
