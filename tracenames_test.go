package netlink_test

import (
	"strings"
	"testing"

	"github.com/nlkit/netlink"
)

// testNamer describes attributes by a table.
type testNamer map[uint16]netlink.AttrInfo

func (n testNamer) Attr(typ uint16) (netlink.AttrInfo, bool) {
	a, ok := n[typ]
	return a, ok
}

// testMessages names generic netlink messages of type 0x20 as family
// "fam", command 7 as "do-thing".
type testMessages struct{ attrs testNamer }

func (n testMessages) MessageName(m netlink.Message) (string, string, netlink.AttrNamer) {
	if m.Header.Type != 0x20 {
		return "", "", nil
	}
	if len(m.Data) < 1 || m.Data[0] != 7 {
		return "fam", "", nil
	}
	return "fam", "do-thing", n.attrs
}

func TestFormatMessagesNames(t *testing.T) {
	netlink.SetMessageNamer(16, testMessages{testNamer{
		1: {Name: "outer", Kind: "nest", Nested: testNamer{2: {Name: "inner-str", Kind: "string"}}},
		3: {Name: "count", Kind: "u64"},
		5: {Name: "small", Kind: "s8"},
		6: {Name: "bytes", Kind: "binary"},
		7: {Name: "port", Kind: "u16", BigEndian: true},
	}})
	t.Cleanup(func() { netlink.SetMessageNamer(16, nil) })

	e := netlink.NewAttrEncoder([]byte{7, 1, 0, 0})
	n := e.Nest(1)
	e.String(2, "eth0")
	e.Uint32(4, 9) // not named by outer's set
	e.End(n)
	// A named scalar whose bytes look like an attribute stays a scalar.
	e.Uint64(3, 0x0000_0001_0008_0005)
	e.Uint16(9, 1) // not named
	e.Uint8(5, 0xfe)
	e.Bytes(6, []byte("ab\x00")) // binary, not a string
	e.Uint16BE(7, 80)
	data, err := e.Finish()
	if err != nil {
		t.Fatal(err)
	}
	req := netlink.AppendMessage(nil, netlink.Header{Type: 0x20, Flags: netlink.Request | netlink.Acknowledge, Sequence: 5}, data)
	// The ACK echoes the whole request.
	ack := netlink.AppendMessage(nil, netlink.Header{Type: netlink.TypeError, Sequence: 5}, append([]byte{0, 0, 0, 0}, req...))
	var out strings.Builder
	if err := netlink.FormatMessages(&out, 16, append(req, ack...)); err != nil {
		t.Fatal(err)
	}
	want := `fam len=88 flags=REQUEST|ACK seq=5 port=0
  cmd=7 (do-thing) version=1
  attr 1 outer len=24
    attr 2 inner-str len=9: "eth0"
    attr 4 len=8: 09 00 00 00 (9)
  attr 3 count len=12: 05 00 08 00 01 00 00 00 (4295491589)
  attr 9 len=6: 01 00 (1)
  attr 5 small len=5: fe (-2)
  attr 6 bytes len=7: 61 62 00
  attr 7 port len=6: 00 50 (80)
ERROR len=108 flags=0 seq=5 port=0
  ack of fam do-thing seq=5
`
	if out.String() != want {
		t.Errorf("got\n%s\nwant\n%s", out.String(), want)
	}

	// Without the namer, the same bytes are numbered only.
	netlink.SetMessageNamer(16, nil)
	out.Reset()
	netlink.FormatMessages(&out, 16, req)
	if strings.Contains(out.String(), "outer") || !strings.Contains(out.String(), "family 32 len=88") {
		t.Errorf("without a namer:\n%s", out.String())
	}
}

// testValues names values by a table.
type testValues map[uint64]string

func (n testValues) ValueName(v uint64) string { return n[v] }

// TestFormatValueNames checks how traces print enums and flags: the name
// before the number, the number alone for a value with no name, and the
// bits of a set of flags by their names with the rest in hexadecimal.
func TestFormatValueNames(t *testing.T) {
	duplex := testValues{0: "half", 1: "full", 0xff: "unknown"}
	ifFlags := testValues{0x1: "up", 0x40: "running"}
	netlink.SetMessageNamer(16, testMessages{testNamer{
		1:  {Name: "duplex", Kind: "u8", Values: duplex},
		2:  {Name: "flags", Kind: "u32", Values: ifFlags, Flags: true},
		3:  {Name: "level", Kind: "s32", Values: testValues{1<<64 - 2: "low", 2: "high"}},
		4:  {Name: "caps", Kind: "bitfield32", Values: ifFlags, Flags: true},
		5:  {Name: "mask", Kind: "bitfield32"},
		6:  {Name: "big", Kind: "u32", BigEndian: true, Values: duplex},
		7:  {Name: "wide", Kind: "uint", Values: ifFlags, Flags: true},
		8:  {Name: "plain", Kind: "u32", Flags: true},
		10: {Name: "name", Kind: "string", Values: duplex},
	}})
	t.Cleanup(func() { netlink.SetMessageNamer(16, nil) })

	e := netlink.NewAttrEncoder([]byte{7, 1, 0, 0})
	e.Uint8(1, 1)
	e.Uint8(1, 7) // no name
	e.Uint8(1, 0xff)
	e.Uint32(2, 0x41)
	e.Uint32(2, 0x141) // a bit with no name
	e.Uint32(2, 0x300) // no bit named
	e.Uint32(2, 0)
	e.Int32(3, -2)
	e.Int32(3, -3)
	e.Bytes(4, []byte{1, 0, 0, 0, 0x41, 0, 0, 0}) // value, selector
	e.Bytes(4, []byte{0, 0, 0, 0, 0, 1, 0, 0})
	e.Bytes(5, []byte{1, 0, 0, 0, 3, 0, 0, 0})
	e.Bytes(5, []byte{1, 0, 0}) // not a bitfield32
	e.Uint32BE(6, 1)
	e.Uint64(7, 1<<40|1)
	e.Uint32(8, 5)
	e.String(10, "full")
	data, err := e.Finish()
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	netlink.FormatMessages(&out, 16, netlink.AppendMessage(nil, netlink.Header{Type: 0x20}, data))
	want := `fam len=176 flags=0 seq=0 port=0
  cmd=7 (do-thing) version=1
  attr 1 duplex len=5: 01 full(1)
  attr 1 duplex len=5: 07 (7)
  attr 1 duplex len=5: ff unknown(255)
  attr 2 flags len=8: 41 00 00 00 up|running(0x41)
  attr 2 flags len=8: 41 01 00 00 up|running|0x100(0x141)
  attr 2 flags len=8: 00 03 00 00 (0x300)
  attr 2 flags len=8: 00 00 00 00 (0x0)
  attr 3 level len=8: fe ff ff ff low(-2)
  attr 3 level len=8: fd ff ff ff (-3)
  attr 4 caps len=12: 01 00 00 00 41 00 00 00 value=up(0x1) selector=up|running(0x41)
  attr 4 caps len=12: 00 00 00 00 00 01 00 00 value=0x0 selector=0x100
  attr 5 mask len=12: 01 00 00 00 03 00 00 00 value=0x1 selector=0x3
  attr 5 mask len=7: 01 00 00
  attr 6 big len=8: 00 00 00 01 full(1)
  attr 7 wide len=12: 01 00 00 00 00 01 00 00 up|0x10000000000(0x10000000001)
  attr 8 plain len=8: 05 00 00 00 (0x5)
  attr 10 name len=9: "full"
`
	if out.String() != want {
		t.Errorf("got\n%s\nwant\n%s", out.String(), want)
	}
}
