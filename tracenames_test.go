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
