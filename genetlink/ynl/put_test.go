package ynl_test

import (
	"bytes"
	"net"
	"net/netip"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/genetlink/ynl"
)

type testEnum uint64

// TestPut checks that each Put function appends what the encoder's own
// method appends when the value is present, and nothing when it is not.
func TestPut(t *testing.T) {
	for _, tc := range []struct {
		name      string
		put, want func(e *netlink.AttrEncoder)
		absent    func(e *netlink.AttrEncoder)
	}{
		{"u8", func(e *netlink.AttrEncoder) { ynl.PutU8(e, 1, ynl.Some[int8](-2)) }, func(e *netlink.AttrEncoder) { e.Uint8(1, 0xfe) },
			func(e *netlink.AttrEncoder) { ynl.PutU8(e, 1, ynl.Opt[uint8]{}) }},
		{"u16", func(e *netlink.AttrEncoder) { ynl.PutU16(e, 2, ynl.Some[uint16](513)) }, func(e *netlink.AttrEncoder) { e.Uint16(2, 513) },
			func(e *netlink.AttrEncoder) { ynl.PutU16(e, 2, ynl.Opt[uint16]{}) }},
		{"u32 enum", func(e *netlink.AttrEncoder) { ynl.PutU32(e, 3, ynl.Some(testEnum(7))) }, func(e *netlink.AttrEncoder) { e.Uint32(3, 7) },
			func(e *netlink.AttrEncoder) { ynl.PutU32(e, 3, ynl.Opt[testEnum]{}) }},
		{"u64", func(e *netlink.AttrEncoder) { ynl.PutU64(e, 4, ynl.Some[uint64](1<<40)) }, func(e *netlink.AttrEncoder) { e.Uint64(4, 1<<40) },
			func(e *netlink.AttrEncoder) { ynl.PutU64(e, 4, ynl.Opt[uint64]{}) }},
		{"u16be", func(e *netlink.AttrEncoder) { ynl.PutU16BE(e, 5, ynl.Some[uint16](80)) }, func(e *netlink.AttrEncoder) { e.Uint16BE(5, 80) },
			func(e *netlink.AttrEncoder) { ynl.PutU16BE(e, 5, ynl.Opt[uint16]{}) }},
		{"u32be", func(e *netlink.AttrEncoder) { ynl.PutU32BE(e, 6, ynl.Some[uint32](80)) }, func(e *netlink.AttrEncoder) { e.Uint32BE(6, 80) },
			func(e *netlink.AttrEncoder) { ynl.PutU32BE(e, 6, ynl.Opt[uint32]{}) }},
		{"u64be", func(e *netlink.AttrEncoder) { ynl.PutU64BE(e, 7, ynl.Some[uint64](80)) }, func(e *netlink.AttrEncoder) { e.Uint64BE(7, 80) },
			func(e *netlink.AttrEncoder) { ynl.PutU64BE(e, 7, ynl.Opt[uint64]{}) }},
		{"uint", func(e *netlink.AttrEncoder) { ynl.PutUint(e, 8, ynl.Some[uint64](1<<33)) }, func(e *netlink.AttrEncoder) { e.Uint(8, 1<<33) },
			func(e *netlink.AttrEncoder) { ynl.PutUint(e, 8, ynl.Opt[uint64]{}) }},
		{"sint", func(e *netlink.AttrEncoder) { ynl.PutSint(e, 9, ynl.Some[int64](-5)) }, func(e *netlink.AttrEncoder) { e.Int(9, -5) },
			func(e *netlink.AttrEncoder) { ynl.PutSint(e, 9, ynl.Opt[int64]{}) }},
		{"string", func(e *netlink.AttrEncoder) { ynl.PutString(e, 10, "eth0") }, func(e *netlink.AttrEncoder) { e.String(10, "eth0") },
			func(e *netlink.AttrEncoder) { ynl.PutString(e, 10, "") }},
		{"bytes", func(e *netlink.AttrEncoder) { ynl.PutBytes(e, 11, []byte{}) }, func(e *netlink.AttrEncoder) { e.Bytes(11, nil) },
			func(e *netlink.AttrEncoder) { ynl.PutBytes(e, 11, []byte(nil)) }},
		{"mac", func(e *netlink.AttrEncoder) { ynl.PutBytes(e, 12, net.HardwareAddr{2, 0, 0, 0, 0, 1}) }, func(e *netlink.AttrEncoder) { e.Bytes(12, []byte{2, 0, 0, 0, 0, 1}) },
			func(e *netlink.AttrEncoder) { ynl.PutBytes(e, 12, net.HardwareAddr(nil)) }},
		{"addr", func(e *netlink.AttrEncoder) { ynl.PutAddr(e, 13, netip.MustParseAddr("2001:db8::1")) }, func(e *netlink.AttrEncoder) { e.Addr(13, netip.MustParseAddr("2001:db8::1")) },
			func(e *netlink.AttrEncoder) { ynl.PutAddr(e, 13, netip.Addr{}) }},
		{"flag", func(e *netlink.AttrEncoder) { ynl.PutFlag(e, 14, true) }, func(e *netlink.AttrEncoder) { e.Flag(14) },
			func(e *netlink.AttrEncoder) { ynl.PutFlag(e, 14, false) }},
		{"unknowns", func(e *netlink.AttrEncoder) {
			ynl.PutUnknowns(e, []netlink.Attr{{Type: 15, Nested: true, Data: []byte{4, 0, 1, 0}}, {Type: 16, NetByteOrder: true, Data: []byte{1}}})
		}, func(e *netlink.AttrEncoder) {
			e.Bytes(15|netlink.AttrNested, []byte{4, 0, 1, 0})
			e.Bytes(16|netlink.AttrNetByteOrder, []byte{1})
		}, func(e *netlink.AttrEncoder) { ynl.PutUnknowns(e, nil) }},
	} {
		var got, want, none netlink.AttrEncoder
		tc.put(&got)
		tc.want(&want)
		tc.absent(&none)
		g, err1 := got.Finish()
		w, err2 := want.Finish()
		n, err3 := none.Finish()
		if err1 != nil || err2 != nil || err3 != nil {
			t.Fatalf("%s: %v, %v, %v", tc.name, err1, err2, err3)
		}
		if !bytes.Equal(g, w) || len(w) == 0 {
			t.Errorf("%s: appended % x, want % x", tc.name, g, w)
		}
		if len(n) != 0 {
			t.Errorf("%s: absent value appended % x", tc.name, n)
		}
	}
}
