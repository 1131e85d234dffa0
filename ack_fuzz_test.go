package netlink_test

import (
	"errors"
	"testing"

	"github.com/nlkit/netlink"
)

// FuzzParseAck: any bytes as the payload of an NLMSG_ERROR message, with any
// flags, parse or give ErrMalformed; nothing panics, on 32-bit platforms
// too, whatever length the echoed request claims.
func FuzzParseAck(f *testing.F) {
	req := netlink.AppendMessage(nil, netlink.Header{Type: 20, Flags: netlink.Request, Sequence: 7}, []byte{1, 2, 3, 4, 5})
	ack := append([]byte{0xfe, 0xff, 0xff, 0xff}, req...) // -2 (ENOENT), then the request
	var e netlink.AttrEncoder
	e.Reset(ack)
	e.String(1, "No such thing")
	e.Uint32(2, 20)
	withExt, _ := e.Finish()
	huge := append([]byte{0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff}, make([]byte, 12)...) // a request length of 4 GiB
	f.Add(uint16(0), ack)
	f.Add(uint16(netlink.AckTLVs), withExt)
	f.Add(uint16(netlink.Capped|netlink.AckTLVs), withExt)
	f.Add(uint16(netlink.AckTLVs), huge)
	f.Fuzz(func(t *testing.T, flags uint16, data []byte) {
		m := netlink.Message{Header: netlink.Header{Type: netlink.TypeError, Flags: netlink.HeaderFlags(flags)}, Data: data}
		a, err := netlink.ParseAck(m)
		if err != nil && !errors.Is(err, netlink.ErrMalformed) {
			t.Fatalf("error %v does not wrap ErrMalformed", err)
		}
		if err == nil && len(data) < 20 {
			t.Fatalf("%d bytes parsed as %+v", len(data), a)
		}
	})
}
