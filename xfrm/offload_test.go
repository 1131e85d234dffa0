package xfrm_test

import (
	"encoding/binary"
	"net/netip"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/xfrm"
)

// TestOffloadRead: a state and a policy the kernel reports with
// XFRMA_OFFLOAD_DEV (struct xfrm_user_offload: the device's index and
// XFRM_OFFLOAD_* flags, as ip xfrm state add ... offload packet dev D dir
// in makes on a device that offloads) read it into Offload; it is not
// sent back (Append leaves it out), and a short one is malformed. The
// kernel tests cannot make one: no link of theirs offloads IPsec.
func TestOffloadRead(t *testing.T) {
	// XFRMA_OFFLOAD_DEV (28): the ifindex, the flags byte, padding.
	b := binary.NativeEndian.AppendUint16(nil, 4+8)
	b = binary.NativeEndian.AppendUint16(b, 28)
	b = binary.NativeEndian.AppendUint32(b, 7)
	b = append(b, xfrm.OffloadInbound|xfrm.OffloadPacket, 0, 0, 0)

	a1, a2 := netip.MustParseAddr("198.18.0.1"), netip.MustParseAddr("198.18.0.2")
	s := xfrm.State{Family: xfrm.AFInet, Src: a1, Dst: a2, Proto: xfrm.ProtoESP, SPI: 0x100, Lifetime: xfrm.NoLimits(),
		AEAD: &xfrm.AEADAlgorithm{Name: "rfc4106(gcm(aes))", Key: make([]byte, 20), ICVLen: 128}}
	sb, err := s.Append(nil)
	if err != nil {
		t.Fatal(err)
	}
	const msgNewSA, msgNewPolicy = 0x10, 0x13 // XFRM_MSG_NEWSA, XFRM_MSG_NEWPOLICY
	got, err := xfrm.ParseState(netlink.Message{Header: netlink.Header{Type: msgNewSA}, Data: append(sb, b...)})
	if err != nil {
		t.Fatal(err)
	}
	if o := got.Offload; o == nil || o.Ifindex != 7 || o.Flags != xfrm.OffloadInbound|xfrm.OffloadPacket || len(got.Raw) != 0 {
		t.Errorf("state offload %+v, raw % x", o, got.Raw)
	}
	if again, err := got.Append(nil); err != nil || string(again) != string(sb) {
		t.Errorf("the listed state appends to\n% x\nwant, without XFRMA_OFFLOAD_DEV,\n% x (%v)", again, sb, err)
	}
	short := append([]byte{8, 0, 28, 0}, 7, 0, 0, 0)
	if _, err := xfrm.ParseState(netlink.Message{Header: netlink.Header{Type: msgNewSA}, Data: append(sb, short...)}); err == nil {
		t.Error("a 4-byte XFRMA_OFFLOAD_DEV parsed")
	}

	p := xfrm.Policy{Selector: xfrm.Selector{Family: xfrm.AFInet}, Dir: xfrm.DirOut, Lifetime: xfrm.NoLimits()}
	pb, err := p.Append(nil)
	if err != nil {
		t.Fatal(err)
	}
	gp, err := xfrm.ParsePolicy(netlink.Message{Header: netlink.Header{Type: msgNewPolicy}, Data: append(pb, b...)})
	if err != nil {
		t.Fatal(err)
	}
	if o := gp.Offload; o == nil || o.Ifindex != 7 || o.Flags != xfrm.OffloadInbound|xfrm.OffloadPacket {
		t.Errorf("policy offload %+v", o)
	}
}
