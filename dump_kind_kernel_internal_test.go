//go:build linux

package netlink

import (
	"context"
	"encoding/binary"
	"testing"
	"time"

	"github.com/nlkit/netlink/internal/nstest"
	"golang.org/x/sys/unix"
)

// isDump agrees with the kernel on every combination of the four bits, for
// rtnetlink GET and SET requests and a generic netlink GET: each request
// goes out with Send, and the kernel's answer says whether it ran a dump
// (NLM_F_MULTI parts and NLMSG_DONE) or not (one answer, then the ACK).
func TestIsDumpAsKernel(t *testing.T) {
	ns := nstest.New(t)
	ifinfo := make([]byte, unix.SizeofIfInfomsg)
	ifinfo[0] = unix.AF_UNSPEC
	binary.NativeEndian.PutUint32(ifinfo[4:], 1) // lo
	var e AttrEncoder
	e.Reset([]byte{unix.CTRL_CMD_GETFAMILY, 1, 0, 0})
	e.Bytes(unix.CTRL_ATTR_FAMILY_NAME, []byte("nlctrl\x00"))
	genl, err := e.Finish()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name  string
		proto int
		req   Message
	}{
		{"RTM_GETLINK", unix.NETLINK_ROUTE, Message{Header: Header{Type: unix.RTM_GETLINK}, Data: ifinfo}},
		{"RTM_SETLINK", unix.NETLINK_ROUTE, Message{Header: Header{Type: unix.RTM_SETLINK}, Data: ifinfo}},
		{"CTRL_CMD_GETFAMILY", unix.NETLINK_GENERIC, Message{Header: Header{Type: unix.GENL_ID_CTRL}, Data: genl}},
	} {
		c, err := Dial(tt.proto, &Config{NetNS: ns.Path})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		for _, f := range dumpBitSets() {
			req := tt.req
			req.Header.Flags = Request | Acknowledge | f
			if got, want := isDump(tt.proto, req.Header.Type, req.Header.Flags), kernelDumps(t, c, req); got != want {
				t.Errorf("%s with %v: isDump %v, the kernel's dump %v", tt.name, f, got, want)
			}
		}
	}
}

// kernelDumps sends req on c and reads its answer to the end: it says
// whether the kernel ran req as a dump.
func kernelDumps(t *testing.T, c *Conn, req Message) bool {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	h, err := c.Send(ctx, req)
	if err != nil {
		t.Fatalf("Send %v: %v", req.Header, err)
	}
	dump, answers := false, 0
	for {
		msgs, err := c.Receive(ctx)
		if err != nil {
			t.Fatalf("Receive for %v: %v", req.Header, err)
		}
		for _, m := range msgs {
			if m.Header.Sequence != h.Sequence {
				t.Fatalf("reply %v to %v", m.Header, h)
			}
			switch {
			case m.Header.Type == TypeDone:
				return true
			case m.Header.Type == TypeError:
				ack, err := ParseAck(m)
				if err != nil || ack.Errno != 0 {
					t.Fatalf("%v: %v %v", req.Header, ack.Errno, err)
				}
				if dump || answers > 1 {
					t.Fatalf("%v: an ACK after %d answers (multipart %v)", req.Header, answers, dump)
				}
				return false
			default:
				answers++
				dump = dump || m.Header.Flags&Multi != 0
			}
		}
	}
}
