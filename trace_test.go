package netlink_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/nltest"
)

// A request and its ACK, as a trace shows them.
func ExampleFormatMessages() {
	e := netlink.NewAttrEncoder(make([]byte, 16)) // struct ifinfomsg
	e.String(3, "lo")                             // IFLA_IFNAME
	e.Uint32(4, 65536)                            // IFLA_MTU
	data, _ := e.Finish()
	req := netlink.Header{Type: 18, Flags: netlink.Request | netlink.Acknowledge, Sequence: 1, PortID: 42} // RTM_GETLINK
	b := netlink.AppendMessage(nil, req, data)
	req.Length = uint32(len(b))
	ack := netlink.AppendHeader(make([]byte, 4), req) // error 0, then the request's header
	b = netlink.AppendMessage(b, netlink.Header{Type: netlink.TypeError, Flags: netlink.Capped, Sequence: 1, PortID: 42}, ack)

	netlink.FormatMessages(os.Stdout, 0, b) // NETLINK_ROUTE
	// Output:
	// RTM_GETLINK len=48 flags=REQUEST|ACK seq=1 port=42
	//   header: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
	//   attr 3 len=7: "lo"
	//   attr 4 len=8: 00 00 01 00 (65536)
	// ERROR len=36 flags=CAPPED seq=1 port=42
	//   ack of RTM_GETLINK seq=1
}

// Config.Trace traces what a Conn sends and receives; NLKIT_DEBUG=1 in the
// environment does so for every Conn, to standard error. Here the Conn
// talks to a fake kernel that refuses everything.
func ExampleConfig_trace() {
	k := nltest.New(0, func(netlink.Message) ([]netlink.Message, error) {
		return nil, &nltest.Error{Errno: 19, Message: "no such link"} // ENODEV
	})
	c, err := k.Dial(&netlink.Config{Trace: os.Stdout, PortID: 42})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	c.Execute(context.Background(), netlink.Message{Header: netlink.Header{Type: 18}, Data: make([]byte, 16)})
	// Output:
	// netlink route: sent 32 bytes to the kernel
	//   RTM_GETLINK len=32 flags=REQUEST|ACK seq=2147483649 port=42
	//     header: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
	// netlink route: received 72 bytes from the kernel
	//   ERROR len=72 flags=ACK_TLVS seq=2147483649 port=42
	//     error -19 (no such device) for RTM_GETLINK seq=2147483649
	//     attr 1 len=17: "no such link"
}

// Config.Capture writes a pcap file, which Wireshark and tshark decode.
func ExampleConfig_capture() {
	k := nltest.New(0, func(netlink.Message) ([]netlink.Message, error) { return nil, nil })
	var pcap bytes.Buffer // or an *os.File
	c, err := k.Dial(&netlink.Config{Capture: &pcap})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	c.Execute(context.Background(), netlink.Message{Header: netlink.Header{Type: 18}, Data: make([]byte, 16)})
	fmt.Println("link type", binary.NativeEndian.Uint32(pcap.Bytes()[20:]), "bytes", pcap.Len())
	// Output:
	// link type 253 bytes 156
}

func TestCaptureRecords(t *testing.T) {
	k := nltest.New(16, func(netlink.Message) ([]netlink.Message, error) { return nil, nil })
	var pcap bytes.Buffer
	c, err := k.Dial(&netlink.Config{Capture: &pcap})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	req := netlink.Message{Header: netlink.Header{Type: 16}, Data: []byte{3, 2, 0, 0}}
	if _, err := c.Execute(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	b := pcap.Bytes()
	ne := binary.NativeEndian
	if len(b) < 24 || ne.Uint32(b) != 0xa1b2c3d4 || ne.Uint16(b[4:]) != 2 || ne.Uint16(b[6:]) != 4 || ne.Uint32(b[20:]) != 253 {
		t.Fatalf("file header % x", b[:min(24, len(b))])
	}
	b = b[24:]
	for i, want := range []struct {
		pkttype uint16
		msgType netlink.HeaderType
		size    int
	}{{4, 16, 20}, {0, netlink.TypeError, 36}} {
		if len(b) < 16 {
			t.Fatalf("record %d missing", i)
		}
		incl, orig := int(ne.Uint32(b[8:])), int(ne.Uint32(b[12:]))
		rec := b[16 : 16+incl]
		b = b[16+incl:]
		if incl != orig || incl != 16+want.size {
			t.Errorf("record %d: %d of %d bytes, want %d", i, incl, orig, 16+want.size)
		}
		if pt, hatype, proto := binary.BigEndian.Uint16(rec), binary.BigEndian.Uint16(rec[2:]), binary.BigEndian.Uint16(rec[14:]); pt != want.pkttype || hatype != 824 || proto != 16 {
			t.Errorf("record %d: cooked header % x", i, rec[:16])
		}
		if h, err := netlink.ParseHeader(rec[16:]); err != nil || h.Type != want.msgType {
			t.Errorf("record %d: %v, %v", i, h, err)
		}
	}
	if len(b) != 0 {
		t.Errorf("%d bytes more", len(b))
	}
}

func TestTraceEnvironment(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "stderr"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	stderr := os.Stderr
	os.Stderr = f
	defer func() { os.Stderr = stderr }()
	k := nltest.New(0, func(netlink.Message) ([]netlink.Message, error) { return nil, nil })
	for _, on := range []string{"", "1"} {
		t.Setenv("NLKIT_DEBUG", on)
		c, err := k.Dial(nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Execute(context.Background(), netlink.Message{Header: netlink.Header{Type: 22}, Data: make([]byte, 8)}); err != nil {
			t.Fatal(err)
		}
		c.Close()
	}
	os.Stderr = stderr
	b, err := os.ReadFile(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(b), "RTM_GETADDR len=24 flags=REQUEST|ACK"); n != 1 {
		t.Errorf("NLKIT_DEBUG=1 traced %d requests, want 1 (of 2, one without it):\n%s", n, b)
	}
}

func TestFormatMessagesMalformed(t *testing.T) {
	b := netlink.AppendMessage(nil, netlink.Header{Type: 16}, make([]byte, 20)) // RTM_NEWLINK
	var out strings.Builder
	netlink.FormatMessages(&out, 0, b[:len(b)-4])
	if want := "message length 36 runs past the 32 bytes left"; !strings.Contains(out.String(), want) {
		t.Errorf("got %q, want it to say %q", out.String(), want)
	}
	out.Reset()
	// A family header longer than the payload: in hex. A nest, and a
	// payload of generic netlink.
	netlink.FormatMessages(&out, 0, netlink.AppendMessage(nil, netlink.Header{Type: 16}, []byte{1, 2}))
	e := netlink.NewAttrEncoder([]byte{3, 2, 0, 0})
	n := e.Nest(7)
	e.Uint16(1, 5)
	e.End(n)
	data, _ := e.Finish()
	netlink.FormatMessages(&out, 16, netlink.AppendMessage(nil, netlink.Header{Type: 16, Flags: netlink.Request}, data))
	want := `RTM_NEWLINK len=18 flags=0 seq=0 port=0
  01 02
nlctrl len=32 flags=REQUEST seq=0 port=0
  cmd=3 version=2
  attr 7 len=12
    attr 1 len=6: 05 00 (5)
`
	if out.String() != want {
		t.Errorf("got\n%s\nwant\n%s", out.String(), want)
	}
}

// BenchmarkExecuteTrace is a request and its ACK on a fake kernel, without
// a trace, with one to io.Discard, and with a capture: what tracing costs
// when on, and that it costs nothing when off.
func BenchmarkExecuteTrace(b *testing.B) {
	for _, bc := range []struct {
		name string
		cfg  netlink.Config
	}{
		{"off", netlink.Config{}},
		{"trace", netlink.Config{Trace: io.Discard}},
		{"capture", netlink.Config{Capture: io.Discard}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			k := nltest.New(0, func(netlink.Message) ([]netlink.Message, error) { return nil, nil })
			c, err := k.Dial(&bc.cfg)
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			req := netlink.Message{Header: netlink.Header{Type: 18}, Data: make([]byte, 16)}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.Execute(context.Background(), req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
