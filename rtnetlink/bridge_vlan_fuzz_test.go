package rtnetlink

import (
	"errors"
	"net/netip"
	"reflect"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/uapi"
)

// The requests' encodings parse as the VLANs and VNIs they came from: the
// RTM_NEWVLAN and RTM_NEWTUNNEL forms are what the kernel lists, and the
// setlink form is what it lists in a link message.
func TestBridgeVLANRoundTrip(t *testing.T) {
	for _, v := range []BridgeVLAN{
		{Index: 3, VID: 10, Flags: BridgeVLANPVID | BridgeVLANUntagged},
		{Index: 3, VID: 20, VIDEnd: 30, State: BridgePortForwarding, HasState: true},
		{Index: 4, VID: 100, TunnelID: 1000, Other: raw(6, 1)},
		{Index: 4, VID: 4094, Flags: BridgeVLANUntagged},
	} {
		if got := roundTripBridgeVLAN(t, v); !reflect.DeepEqual(got, []BridgeVLAN{v}) {
			t.Errorf("%+v parses back as %+v", v, got)
		}
		v.HasState, v.State, v.Other = false, 0, ""
		b, err := portVLAN{&v}.encode(uapi.RTM_SETLINK)
		if err != nil {
			t.Fatal(err)
		}
		got, err := ParsePortVLANs(asReply(uapi.RTM_NEWLINK, b))
		if v.TunnelID != 0 {
			v.Flags = 0 // a mapping alone: no VLAN info in the request
			got, err = ParsePortVLANs(asReply(uapi.RTM_NEWLINK, b))
			if err != nil || len(got) != 0 {
				t.Errorf("a tunnel mapping alone parses as %+v, %v", got, err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, []BridgeVLAN{v}) {
			t.Errorf("setlink form of %+v parses as %+v, %v", v, got, err)
		}
	}
	for _, v := range []VNI{{Index: 2, VNI: 100}, {Index: 2, VNI: 200, VNIEnd: 210, Group: netip.MustParseAddr("198.18.0.9")},
		{Index: 2, VNI: 1<<24 - 1, Group: netip.MustParseAddr("2001:db8::1"), Other: raw(5, 1, 2, 3, 4)}} {
		b, err := v.encode(uapi.RTM_NEWTUNNEL)
		if err != nil {
			t.Fatal(err)
		}
		got, err := ParseVNIs(asReply(uapi.RTM_NEWTUNNEL, b))
		if err != nil || !reflect.DeepEqual(got, []VNI{v}) {
			t.Errorf("%+v parses back as %+v, %v", v, got, err)
		}
	}
}

// roundTripBridgeVLAN encodes v as AddBridgeVLAN does and parses it.
func roundTripBridgeVLAN(t *testing.T, v BridgeVLAN) []BridgeVLAN {
	t.Helper()
	b, err := v.encode(uapi.RTM_NEWVLAN)
	if err != nil {
		t.Fatalf("%+v: %v", v, err)
	}
	got, err := ParseBridgeVLANs(asReply(uapi.RTM_NEWVLAN, b))
	if err != nil {
		t.Fatalf("%+v: %v", v, err)
	}
	return got
}

// FuzzParseBridgeVLANs parses arbitrary payloads as RTM_NEWVLAN, AF_BRIDGE
// RTM_NEWLINK and RTM_NEWTUNNEL messages: never a panic, errors wrap
// ErrMalformed, and each VLAN or VNI that AddBridgeVLAN or AddVNI accepts
// encodes and parses back the same.
func FuzzParseBridgeVLANs(f *testing.F) {
	for _, v := range []BridgeVLAN{{Index: 3, VID: 20, VIDEnd: 30, State: 3, HasState: true}, {Index: 4, VID: 100, TunnelID: 1000}} {
		b, _ := v.encode(uapi.RTM_NEWVLAN)
		f.Add(uint8(0), b)
		b, _ = portVLAN{&BridgeVLAN{Index: 3, VID: 5, VIDEnd: 9}}.encode(uapi.RTM_SETLINK)
		f.Add(uint8(1), b)
	}
	b, _ := (&VNI{Index: 2, VNI: 200, VNIEnd: 210, Group: netip.MustParseAddr("198.18.0.9")}).encode(uapi.RTM_NEWTUNNEL)
	f.Add(uint8(2), b)
	f.Fuzz(func(t *testing.T, kind uint8, b []byte) {
		check := func(err error) bool {
			if err != nil && !errors.Is(err, netlink.ErrMalformed) {
				t.Fatalf("error does not wrap ErrMalformed: %v", err)
			}
			return err == nil
		}
		switch kind % 3 {
		case 0:
			vs, err := ParseBridgeVLANs(asReply(uapi.RTM_NEWVLAN, b))
			if !check(err) {
				return
			}
			for _, v := range vs {
				if v.check(uapi.RTM_NEWVLAN) != nil || v.VIDEnd == v.VID || v.Flags&^(BridgeVLANPVID|BridgeVLANUntagged|BridgeVLANMaster|BridgeVLANBREntry) != 0 {
					continue
				}
				if got := roundTripBridgeVLAN(t, v); len(got) != 1 || got[0].VID != v.VID || got[0].VIDEnd != v.VIDEnd || got[0].TunnelID != v.TunnelID || got[0].State != v.State {
					t.Fatalf("%+v parses back as %+v", v, got)
				}
			}
		case 1:
			if len(b) >= uapi.SizeofIfInfomsg {
				b[0] = uapi.AF_BRIDGE
			}
			_, err := ParsePortVLANs(asReply(uapi.RTM_NEWLINK, b))
			check(err)
		case 2:
			vs, err := ParseVNIs(asReply(uapi.RTM_NEWTUNNEL, b))
			if !check(err) {
				return
			}
			for _, v := range vs {
				e, err := v.encode(uapi.RTM_NEWTUNNEL)
				if err != nil || v.VNIEnd == v.VNI {
					continue
				}
				again, err := ParseVNIs(asReply(uapi.RTM_NEWTUNNEL, e))
				if err != nil || len(again) != 1 || again[0].VNI != v.VNI || again[0].VNIEnd != v.VNIEnd || again[0].Group != v.Group.Unmap() {
					t.Fatalf("%+v parses back as %+v, %v", v, again, err)
				}
			}
		}
	})
}
