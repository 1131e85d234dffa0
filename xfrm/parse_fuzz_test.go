package xfrm

import (
	"encoding/binary"
	"os"
	"reflect"
	"testing"

	"github.com/nlkit/netlink"
)

// seeds returns the fuzz targets' seeds: the kernel's policy replies
// (testdata/policies.bin, written by TestCaptureReplies -update), the
// requests ip xfrm sent (testdata/ip-requests.txt), and this package's
// encodings of the states and policies of the byte tests.
func seeds(f *testing.F, fixed int) {
	if b, err := os.ReadFile("testdata/policies.bin"); err == nil {
		for len(b) >= 4 {
			n := int(binary.NativeEndian.Uint32(b))
			if len(b) < 4+n {
				break
			}
			f.Add(b[4 : 4+n])
			b = b[4+n:]
		}
	}
	var t testing.T
	for _, b := range ipRequests(&t) {
		f.Add(b)
	}
	for _, s := range ipStates {
		b, _ := s.appendAttrs(s.prepared().appendInfo(nil))
		f.Add(b)
	}
	for _, p := range ipPolicies {
		b, _ := p.appendAttrs(p.prepared().appendInfo(nil))
		f.Add(b)
	}
}

// FuzzParseState: whatever parses encodes to bytes that parse to the same
// state (the fields the kernel reports alone, LastUsed and Offload, are
// not sent).
func FuzzParseState(f *testing.F) {
	seeds(f, usersaInfoLen)
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, typ := range []netlink.HeaderType{msgNewSA, msgDelSA} {
			s, err := ParseState(netlink.Message{Header: netlink.Header{Type: typ}, Data: b})
			if err != nil {
				continue
			}
			s.LastUsed, s.Offload = 0, nil
			enc, err := s.appendAttrs(s.appendInfo(nil))
			if err != nil {
				t.Fatalf("encoding %+v: %v", s, err)
			}
			again, err := ParseState(netlink.Message{Header: netlink.Header{Type: msgNewSA}, Data: enc})
			if err != nil {
				t.Fatalf("parsing what %+v encoded to: %v", s, err)
			}
			if !reflect.DeepEqual(again, s) {
				t.Fatalf("round trip: %s", diffFields(again, s))
			}
		}
	})
}

// FuzzParsePolicy is FuzzParseState for policies.
func FuzzParsePolicy(f *testing.F) {
	seeds(f, userpolicyLen)
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, typ := range []netlink.HeaderType{msgNewPolicy, msgDelPolicy} {
			p, err := ParsePolicy(netlink.Message{Header: netlink.Header{Type: typ}, Data: b})
			if err != nil {
				continue
			}
			p.Offload = nil
			enc, err := p.appendAttrs(p.appendInfo(nil))
			if err != nil {
				t.Fatalf("encoding %+v: %v", p, err)
			}
			again, err := ParsePolicy(netlink.Message{Header: netlink.Header{Type: msgNewPolicy}, Data: enc})
			if err != nil {
				t.Fatalf("parsing what %+v encoded to: %v", p, err)
			}
			if !reflect.DeepEqual(again, p) {
				t.Fatalf("round trip: %s", diffFields(again, p))
			}
		}
	})
}

// FuzzParseEvent: no notification, however malformed, makes ParseEvent
// panic, and an error leaves Type and Message set.
func FuzzParseEvent(f *testing.F) {
	seeds(f, 0)
	f.Fuzz(func(t *testing.T, b []byte) {
		for typ := netlink.HeaderType(msgNewSA); typ <= msgGetDefault; typ++ {
			e, err := ParseEvent(netlink.Message{Header: netlink.Header{Type: typ}, Data: b})
			if err != nil && (e.Type != typ || len(e.Message.Data) != len(b)) {
				t.Fatalf("type %d: error %v without Type and Message", typ, err)
			}
		}
	})
}

// FuzzParseMessages: the AE, MIGRATE, REPORT and default-policy messages
// that parse encode to bytes that parse the same.
func FuzzParseMessages(f *testing.F) {
	seeds(f, 0)
	ae := AEvent{ID: StateID{Family: AFInet}, Replay: &ReplayState{1, 2, 3}, ReplayThresh: 2, TimerThresh: 100}
	b, _ := ae.Append(nil)
	f.Add(b)
	m := Migrate{Moves: []Move{{Proto: ProtoESP, OldFamily: AFInet, NewFamily: AFInet6}}, KMAddress: &KMAddress{Family: AFInet}}
	b, _ = m.Append(nil)
	f.Add(b)
	f.Fuzz(func(t *testing.T, b []byte) {
		msg := netlink.Message{Data: b}
		if ae, err := ParseAEvent(msg); err == nil {
			enc, err := ae.Append(nil)
			if err != nil {
				t.Fatalf("encoding %+v: %v", ae, err)
			}
			again, err := ParseAEvent(netlink.Message{Data: enc})
			if err != nil || !reflect.DeepEqual(again, ae) {
				t.Fatalf("AE round trip: %v %s", err, diffFields(again, ae))
			}
		}
		if m, err := ParseMigrate(msg); err == nil && len(m.Moves) > 0 {
			enc, err := m.Append(nil)
			if err != nil {
				t.Fatalf("encoding %+v: %v", m, err)
			}
			again, err := ParseMigrate(netlink.Message{Data: enc})
			if err != nil {
				t.Fatalf("parsing what %+v encoded to: %v", m, err)
			}
			if !reflect.DeepEqual(again.Moves, m.Moves) || again.Policy.Dir != m.Policy.Dir || again.Raw != m.Raw {
				t.Fatalf("MIGRATE round trip: %s", diffFields(again, m))
			}
		}
		if r, err := ParseReport(msg); err == nil {
			enc, _ := r.Append(nil)
			if again, err := ParseReport(netlink.Message{Data: enc}); err != nil || again != r {
				t.Fatalf("REPORT round trip: %v %s", err, diffFields(again.Selector, r.Selector))
			}
		}
		if d, err := ParseDefaultPolicies(msg); err == nil {
			if again, _ := ParseDefaultPolicies(netlink.Message{Data: d.Append(nil)}); again != d {
				t.Fatalf("default policies round trip: %+v, want %+v", again, d)
			}
		}
	})
}
