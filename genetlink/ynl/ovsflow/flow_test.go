package ovsflow

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/genetlink/ynl"
)

// TestActionsInOrder decodes a flow's actions, written out byte by byte,
// into a list in their order (two outputs and a push_vlan between them,
// and an action the spec does not name), and encodes the same bytes.
func TestActionsInOrder(t *testing.T) {
	b := []byte{
		8, 0, 1, 0, 2, 0, 0, 0, // output 2
		8, 0, 4, 0, 0x81, 0x00, 0x10, 0x05, // push_vlan: tpid 0x8100, tci 0x1005, big-endian
		8, 0, 1, 0, 3, 0, 0, 0, // output 3
		4, 0, 99, 0, // an action of a later kernel
		4, 0, 5, 0, // pop_vlan
	}
	var l ActionAttrsList
	d := netlink.NewAttrDecoder(b)
	l.Decode(&d)
	if err := d.Err(); err != nil {
		t.Fatal(err)
	}
	want := ActionAttrsList{
		{Output: ynl.Some[uint32](2)},
		{PushVlan: ynl.Some(OVSActionPushVlan{VlanTPID: 0x8100, VlanTCI: 0x1005})},
		{Output: ynl.Some[uint32](3)},
		{Unknown: []netlink.Attr{{Type: 99, Data: []byte{}}}},
		{PopVlan: true},
	}
	if !reflect.DeepEqual(l, want) {
		t.Errorf("decoded %+v\nwant %+v", l, want)
	}
	var e netlink.AttrEncoder
	l.Encode(&e)
	got, err := e.Finish()
	if err != nil || !bytes.Equal(got, b) {
		t.Errorf("encoded % x, %v\nwant % x", got, err, b)
	}
}

// TestKeyStructs encodes key attributes whose payloads are structs with
// big-endian members and C's padding, and an mpls label stack of two, and
// compares the bytes written out.
func TestKeyStructs(t *testing.T) {
	key := KeyAttrs{
		ARP: ynl.Some(OVSKeyARP{ARPSIP: 0xc6120001, ARPTIP: 0xc6120002, ARPOp: 1,
			ARPSHA: [6]byte{2, 0, 0, 0, 0, 1}, ARPTHA: [6]byte{2, 0, 0, 0, 0, 2}}),
		MPLS: []OVSKeyMPLS{{MPLSLSE: 0x00010100}, {MPLSLSE: 0x00020140}},
	}
	var e netlink.AttrEncoder
	key.Encode(&e)
	got, err := e.Finish()
	if err != nil {
		t.Fatal(err)
	}
	want := []byte{
		28, 0, 13, 0, // arp, 24 bytes
		0xc6, 0x12, 0, 1, 0xc6, 0x12, 0, 2, 0, 1, // sip, tip, op
		2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 0, 0, // sha, tha, padding
		12, 0, 21, 0, 0, 1, 1, 0, 0, 2, 1, 0x40, // mpls, two labels
	}
	if !bytes.Equal(got, want) {
		t.Errorf("encoded % x\nwant    % x", got, want)
	}
	var back KeyAttrs
	d := netlink.NewAttrDecoder(got)
	back.Decode(&d)
	if err := d.Err(); err != nil || !reflect.DeepEqual(back, key) {
		t.Errorf("decoded %+v, %v\nwant %+v", back, err, key)
	}
}
