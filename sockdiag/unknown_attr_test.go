package sockdiag_test

import (
	"encoding/binary"
	"errors"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/sockdiag"
)

// TestUnknownAttrKept checks that an attribute the package does not know
// stays in Attrs, in order, and that a known one of a bad size is an
// error, not a panic.
func TestUnknownAttrKept(t *testing.T) {
	msg := seeds(t, "inet_tcp4.bin")[0][:72]
	attrs := []byte{8, 0, 50, 0, 1, 2, 3, 4} // type 50, unknown
	attrs = binary.NativeEndian.AppendUint16(attrs, 8)
	attrs = binary.NativeEndian.AppendUint16(attrs, uint16(sockdiag.AttrMark))
	attrs = binary.NativeEndian.AppendUint32(attrs, 7)
	var s sockdiag.InetSocket
	if err := s.Parse(append(append([]byte(nil), msg...), attrs...), sockdiag.ProtoTCP); err != nil {
		t.Fatal(err)
	}
	if string(s.Attrs) != string(attrs) || s.Mark != 7 || !s.Has(50) || !s.Has(sockdiag.AttrMark) {
		t.Errorf("attrs % x, mark %d", s.Attrs, s.Mark)
	}
	short := append(append([]byte(nil), msg...), 6, 0, byte(sockdiag.AttrMark), 0, 1, 0, 0, 0)
	if err := s.Parse(short, sockdiag.ProtoTCP); !errors.Is(err, netlink.ErrMalformed) {
		t.Errorf("a 2-byte mark: %v, want ErrMalformed", err)
	}
	if err := s.Parse(msg[:40], sockdiag.ProtoTCP); !errors.Is(err, netlink.ErrMalformed) {
		t.Errorf("a short message: %v, want ErrMalformed", err)
	}
}
