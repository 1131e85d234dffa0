package netlink_test

import (
	"encoding/binary"
	"errors"
	"syscall"
	"testing"

	"github.com/nlkit/netlink"
)

// ackMessage builds an NLMSG_ERROR message as the kernel does: the code, the
// request (whole, or its header alone when capped), then extended ACK
// attributes.
func ackMessage(t *testing.T, code int32, req []byte, capped bool, attrs func(e *netlink.AttrEncoder)) netlink.Message {
	t.Helper()
	b := binary.NativeEndian.AppendUint32(nil, uint32(code))
	flags := netlink.HeaderFlags(0)
	if capped {
		b = append(b, req[:netlink.HeaderLen]...)
		flags |= netlink.Capped
	} else {
		b = append(b, req...)
	}
	if attrs != nil {
		e := netlink.NewAttrEncoder(b)
		attrs(e)
		var err error
		if b, err = e.Finish(); err != nil {
			t.Fatal(err)
		}
		flags |= netlink.AckTLVs
	}
	return netlink.Message{Header: netlink.Header{Type: netlink.TypeError, Flags: flags, Sequence: 7}, Data: b}
}

func TestParseAck(t *testing.T) {
	// A request with a 5-byte payload, so that its echo needs padding.
	req := netlink.AppendMessage(nil, netlink.Header{Type: 20, Flags: netlink.Request | netlink.Acknowledge, Sequence: 7, PortID: 99},
		[]byte{1, 2, 3, 4, 5})
	ext := func(e *netlink.AttrEncoder) {
		e.String(1, "Unknown device type") // NLMSGERR_ATTR_MSG
		e.Uint32(2, 20)                    // NLMSGERR_ATTR_OFFS
		e.Bytes(3, []byte{0xc0, 0x0c})     // NLMSGERR_ATTR_COOKIE
		e.Uint32(5, 3)                     // NLMSGERR_ATTR_MISS_TYPE
		e.Uint32(6, 16)                    // NLMSGERR_ATTR_MISS_NEST
		n := e.Nest(4)                     // NLMSGERR_ATTR_POLICY
		e.Uint32(1, 4)                     // NL_POLICY_TYPE_ATTR_TYPE
		e.End(n)
	}
	for _, capped := range []bool{false, true} {
		m := ackMessage(t, -int32(syscall.EOPNOTSUPP), req, capped, ext)
		ack, err := netlink.ParseAck(m)
		errno, h, got := ack.Errno, ack.Request, ack.ExtAck
		if err != nil {
			t.Fatalf("capped=%v: %v", capped, err)
		}
		if errno != syscall.EOPNOTSUPP {
			t.Errorf("capped=%v: errno %v, want EOPNOTSUPP", capped, errno)
		}
		if h.Sequence != 7 || h.PortID != 99 || h.Type != 20 {
			t.Errorf("capped=%v: echoed header %v", capped, h)
		}
		if got.Message != "Unknown device type" || got.Offset != 20 || string(got.Cookie) != "\xc0\x0c" ||
			got.MissingType != 3 || got.MissingNest != 16 || len(got.Policy) != 8 {
			t.Errorf("capped=%v: extended ACK %+v", capped, got)
		}
	}

	// A plain ACK, and an ACK carrying a warning.
	ack, err := netlink.ParseAck(ackMessage(t, 0, req, true, nil))
	errno, got := ack.Errno, ack.ExtAck
	if err != nil || errno != 0 || got.Message != "" || got.Offset != -1 || got.MissingNest != -1 {
		t.Errorf("plain ACK: %v %v %+v", errno, err, got)
	}
	ack, err = netlink.ParseAck(ackMessage(t, 0, req, false, func(e *netlink.AttrEncoder) { e.String(1, "careful") }))
	errno, got = ack.Errno, ack.ExtAck
	if err != nil || errno != 0 || got.Message != "careful" {
		t.Errorf("ACK with warning: %v %v %+v", errno, err, got)
	}

	// Malformed: not an error message, too short, bad attributes.
	if _, err := netlink.ParseAck(netlink.Message{Header: netlink.Header{Type: netlink.TypeDone}}); !errors.Is(err, netlink.ErrMalformed) {
		t.Errorf("DONE: %v", err)
	}
	if _, err := netlink.ParseAck(netlink.Message{Header: netlink.Header{Type: netlink.TypeError}, Data: []byte{0, 0, 0}}); !errors.Is(err, netlink.ErrMalformed) {
		t.Errorf("3-byte error: %v", err)
	}
	bad := ackMessage(t, -1, req, true, nil)
	bad.Header.Flags |= netlink.AckTLVs
	bad.Data = append(bad.Data, 9, 0, 1, 0) // nla_len 9 past the end
	if _, err := netlink.ParseAck(bad); !errors.Is(err, netlink.ErrMalformed) {
		t.Errorf("bad attribute: %v", err)
	}
}
