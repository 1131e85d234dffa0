//go:build linux

package genltest_test

import (
	"context"
	"errors"
	"fmt"
	"syscall"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/genetlink"
	"github.com/nlkit/netlink/genetlink/genltest"
	"github.com/nlkit/netlink/internal/nstest"
)

// TestRefusalsMatchKernel sends nlctrl, on the kernel (in a network
// namespace of the test's, skipped without root) and on the fake, the
// requests the kernel refuses before or in its handlers, and checks that
// both answer with the same errno and extended ACK offset and message.
func TestRefusalsMatchKernel(t *testing.T) {
	type request struct {
		name  string
		cmd   uint8
		dump  bool
		bare  bool // no genlmsghdr
		build func(e *netlink.AttrEncoder)
	}
	none := func(*netlink.AttrEncoder) {}
	requests := []request{
		{"a do of a dump-only command", 10, false, false, func(e *netlink.AttrEncoder) { e.String(2, "nlctrl") }},
		{"an unknown command", 99, false, false, none},
		{"a dump of an unknown command", 99, true, false, none},
		{"no genlmsghdr", 3, false, true, none},
		{"GETFAMILY with neither name nor ID", 3, false, false, none},
		{"GETFAMILY of an unknown ID", 3, false, false, func(e *netlink.AttrEncoder) { e.Uint16(1, 0x3ff) }},
		{"GETFAMILY of an unknown name", 3, false, false, func(e *netlink.AttrEncoder) { e.String(2, "nlkit-nosuch") }},
		{"GETFAMILY with a one-byte ID", 3, false, false, func(e *netlink.AttrEncoder) { e.Uint8(1, 0x10) }},
		{"GETFAMILY with a name without NUL", 3, false, false, func(e *netlink.AttrEncoder) { e.Bytes(2, []byte("nlctrl")) }},
		{"GETFAMILY with a 16-byte name", 3, false, false, func(e *netlink.AttrEncoder) { e.String(2, "sixteen-bytes-xx") }},
		{"GETFAMILY with bytes after the name's NUL", 3, false, false, func(e *netlink.AttrEncoder) { e.Bytes(2, []byte("fifteen-bytes-x\x00\x00")) }},
		{"GETFAMILY by ID, then an unknown name", 3, false, false, func(e *netlink.AttrEncoder) { e.Uint16(1, 0x10); e.String(2, "nlkit-nosuch") }},
		{"GETFAMILY by an unknown ID, then a name", 3, false, false, func(e *netlink.AttrEncoder) { e.Uint16(1, 0x3ff); e.String(2, "nlctrl") }},
		{"GETFAMILY by ID with an unknown attribute", 3, false, false, func(e *netlink.AttrEncoder) { e.Uint32(99, 1); e.Uint16(1, 0x10) }},
		{"GETPOLICY of an unknown family", 10, true, false, func(e *netlink.AttrEncoder) { e.String(2, "nlkit-nosuch") }},
		{"GETPOLICY with neither name nor ID", 10, true, false, none},
	}
	answer := func(t *testing.T, c *genetlink.Conn, r request) string {
		var e netlink.AttrEncoder
		if !r.bare {
			e.Reset(genetlink.AppendHeader(nil, genetlink.Header{Command: r.cmd, Version: 2}))
		}
		r.build(&e)
		data, err := e.Finish()
		if err != nil {
			t.Fatal(err)
		}
		req := netlink.Message{Header: netlink.Header{Type: 0x10}, Data: data}
		ctx := context.Background()
		if r.dump {
			for _, err = range c.NL.Dump(ctx, req) {
				if err != nil {
					break
				}
			}
		} else {
			_, err = c.NL.Execute(ctx, req)
		}
		var oe *netlink.OpError
		if errors.As(err, &oe) {
			var errno syscall.Errno
			errors.As(err, &errno)
			return fmt.Sprintf("%v at offset %d: %q", errno, oe.Offset, oe.Message)
		}
		if err != nil {
			return err.Error()
		}
		return "ok"
	}

	ns := nstest.New(t)
	kc, err := genetlink.Dial(&netlink.Config{NetNS: ns.Path})
	if err != nil {
		t.Fatal(err)
	}
	defer kc.Close()
	fc := dial(t, genltest.New(), nil)
	for _, r := range requests {
		want, got := answer(t, kc, r), answer(t, fc, r)
		if got != want {
			t.Errorf("%s: the fake says %q, the kernel %q", r.name, got, want)
		} else {
			t.Logf("%s: %s", r.name, got)
		}
	}
}
