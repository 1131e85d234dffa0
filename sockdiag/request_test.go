package sockdiag

import (
	"bytes"
	"encoding/binary"
	"errors"
	"net/netip"
	"os"
	"testing"
)

// TestInetRequestEncode checks the bytes of requests against struct
// inet_diag_req_v2 as <linux/inet_diag.h> lays it out.
func TestInetRequestEncode(t *testing.T) {
	ne := binary.NativeEndian
	u32 := func(v uint32) []byte { return ne.AppendUint32(nil, v) }
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	noID := cat(make([]byte, 40), u32(0xffffffff), u32(0xffffffff))
	f := MustCompile("dport = :443")
	for _, tc := range []struct {
		name string
		req  InetRequest
		want []byte
	}{
		{"tcp", InetRequest{Family: IPv4, Protocol: ProtoTCP, Extensions: Ext(AttrInfo) | Ext(AttrCong)},
			cat([]byte{2, 6, 0x0a, 0}, u32(uint32(AllStates)), noID)},
		{"raw any", InetRequest{Family: IPv6, Protocol: ProtoRaw, States: StatesOf(StateClose)},
			cat([]byte{10, 255, 0, 255}, u32(1<<7), noID)},
		{"raw icmp", InetRequest{Family: IPv4, Protocol: ProtoRaw, RawProtocol: 1},
			cat([]byte{2, 255, 0, 1}, u32(uint32(AllStates)), noID)},
		{"mptcp", InetRequest{Family: IPv4, Protocol: ProtoMPTCP},
			cat([]byte{2, 0, 0, 0}, u32(uint32(AllStates)), noID, []byte{8, 0, 3, 0}, u32(262))},
		{"filter", InetRequest{Family: IPv4, Protocol: ProtoTCP, Filter: f},
			cat([]byte{2, 6, 0, 0}, u32(uint32(AllStates)), noID, []byte{12, 0, 1, 0}, f.Bytecode)},
		{"id", InetRequest{Family: IPv4, Protocol: ProtoTCP, ID: SockID{
			Src: netip.MustParseAddrPort("198.18.0.1:443"), Dst: netip.MustParseAddrPort("198.18.0.2:40000"), Interface: 3, Cookie: 0x1_0000_0002}},
			cat([]byte{2, 6, 0, 0}, u32(uint32(AllStates)), []byte{1, 0xbb, 0x9c, 0x40, 198, 18, 0, 1}, make([]byte, 12),
				[]byte{198, 18, 0, 2}, make([]byte, 12), u32(3), u32(2), u32(1))},
	} {
		got, err := tc.req.encode(nil)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if !bytes.Equal(got, tc.want) {
			t.Errorf("%s:\n got % x\nwant % x", tc.name, got, tc.want)
		}
	}
	for _, bad := range []InetRequest{{Family: 7, Protocol: ProtoTCP}, {Family: IPv4}, {Family: IPv6, Protocol: 70000}} {
		if _, err := bad.encode(nil); !errors.Is(err, os.ErrInvalid) {
			t.Errorf("%+v: %v, want os.ErrInvalid", bad, err)
		}
	}
}

func TestUnixRequestEncode(t *testing.T) {
	r := UnixRequest{States: StatesOf(StateListen), Show: UnixShowName | UnixShowPeer, Inode: 9}
	want := []byte{1, 0, 0, 0}
	want = binary.NativeEndian.AppendUint32(want, 1<<10)
	want = binary.NativeEndian.AppendUint32(want, 9)
	want = binary.NativeEndian.AppendUint32(want, 5)
	want = append(want, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)
	if got := r.encode(nil); !bytes.Equal(got, want) {
		t.Errorf("got % x\nwant % x", got, want)
	}
}

func TestStates(t *testing.T) {
	if s := StatesOf(StateEstablished, StateListen).String(); s != "established|listening" {
		t.Errorf("got %q", s)
	}
	if Connected.Has(StateListen) || !Connected.Has(StateTimeWait) || State(99).String() != "state(99)" {
		t.Error("state sets")
	}
	f := MustCompile("state connected exclude time-wait")
	if f.States.Has(StateTimeWait) || !f.States.Has(StateEstablished) || len(f.Bytecode) != 0 {
		t.Errorf("states %v, bytecode % x", f.States, f.Bytecode)
	}
}
