package nftables

import (
	"github.com/nlkit/netlink/internal/uapi"
	"reflect"
	"testing"

	"github.com/nlkit/netlink"
)

// encodeRule returns the attributes of r as a NEWRULE request that
// replaces it has them (its handle included).
func encodeRule(t testing.TB, r *Rule) []byte {
	e := netlink.NewAttrEncoder(nil)
	r.encode(e, opReplace)
	b, err := e.Finish()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A rule as the kernel lists it: tcp dport 22 counter accept, with an
// expression of a kind the package does not know kept raw.
var seedRule = &Rule{Table: "t", Chain: "c", Exprs: []Expr{
	&Meta{Key: 16, Dreg: Reg1},
	&Cmp{Sreg: Reg1, Data: []byte{6}},
	&Payload{Dreg: Reg1, Base: 2, Offset: 2, Len: 2},
	&Cmp{Sreg: Reg1, Data: []byte{0, 22}},
	&Counter{Bytes: 1, Packets: 2},
	&RawExpr{Name: "future", Data: []byte{8, 0, 1, 0, 0, 0, 0, 1}},
	Accept(),
}, UserData: CommentUserData("ssh")}

// TestRuleBytes checks the wire form of a rule's first expressions
// against the bytes libnftnl writes for them.
func TestRuleBytes(t *testing.T) {
	e := netlink.NewAttrEncoder(nil)
	putExpr(e, uapi.NFTA_LIST_ELEM, &Meta{Key: 16, Dreg: Reg1})
	b, _ := e.Finish()
	want := []byte{
		0x24, 0x00, 0x01, 0x80, // NFTA_LIST_ELEM, nested
		0x09, 0x00, 0x01, 0x00, 'm', 'e', 't', 'a', 0, 0, 0, 0, // NFTA_EXPR_NAME "meta"
		0x14, 0x00, 0x02, 0x80, // NFTA_EXPR_DATA, nested
		0x08, 0x00, 0x02, 0x00, 0, 0, 0, 16, // NFTA_META_KEY: NFT_META_L4PROTO, big-endian
		0x08, 0x00, 0x01, 0x00, 0, 0, 0, 1, // NFTA_META_DREG: NFT_REG_1
	}
	if string(b) != string(want) {
		t.Fatalf("meta expression:\n got % x\nwant % x", b, want)
	}
}

func TestRuleRoundTrip(t *testing.T) {
	b := encodeRule(t, seedRule)
	var r Rule
	if err := r.decode(b); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(&r, seedRule) {
		t.Fatalf("decoded %#v\nwant %#v", r, seedRule)
	}
	if r.Comment() != "ssh" {
		t.Errorf("Comment = %q", r.Comment())
	}
}

// TestUnknownAttrsKept checks that an attribute no field models comes back
// in Other and goes out again.
func TestUnknownAttrsKept(t *testing.T) {
	e := netlink.NewAttrEncoder(nil)
	e.Uint32BE(2, 16)   // NFTA_META_KEY
	e.Uint32BE(1, 1)    // NFTA_META_DREG
	e.Uint32BE(99, 7)   // not a meta attribute (yet)
	e.Uint16BE(1, 0xff) // NFTA_META_DREG of the wrong size
	b, _ := e.Finish()
	var m Meta
	if err := decodeTagged(b, &m); err != nil {
		t.Fatal(err)
	}
	if m.Key != 16 || m.Dreg != 1 || len(m.Other) != 16 {
		t.Fatalf("decoded %+v", m)
	}
	e = netlink.NewAttrEncoder(nil)
	encodeTagged(e, &m)
	b2, _ := e.Finish()
	if len(b2) != len(b) {
		t.Fatalf("re-encoded % x, want the same %d bytes as % x", b2, len(b), b)
	}
}

// FuzzRule decodes a rule's attributes, encodes what it decoded, and
// decodes that again; a second round must give the same rule (the first
// may normalise: padding added to a raw expression's odd length), and a
// third the same bytes.
func FuzzRule(f *testing.F) {
	f.Add(encodeRule(f, seedRule))
	f.Add(encodeRule(f, &Rule{Table: "t", Chain: "c", Exprs: []Expr{
		&Lookup{Set: "s", Sreg: Reg1, Dreg: new(Register)},
		&Dynset{SetName: "d", SregKey: Reg1, Timeout: 1000, Expr: &Counter{}},
		&Immediate{Dreg: Reg1, Data: []byte{1, 2, 3, 4}},
		&Log{Group: new(uint16), Prefix: "p"},
	}}))
	f.Fuzz(func(t *testing.T, b []byte) {
		var r Rule
		if err := r.decode(b); err != nil {
			return
		}
		b2 := encodeRule(t, &r)
		var r2, r3 Rule
		if err := r2.decode(b2); err != nil {
			t.Fatalf("re-encoded rule does not decode: %v", err)
		}
		b3 := encodeRule(t, &r2)
		if err := r3.decode(b3); err != nil {
			t.Fatalf("re-encoded rule does not decode: %v", err)
		}
		// The bytes too are stable once normalised: the second round may
		// still drop a known attribute that came with 0 (what the kernel
		// takes its absence for), the third changes nothing.
		if b4 := encodeRule(t, &r3); string(b4) != string(b3) {
			t.Fatalf("third round's bytes differ:\n% x\n% x", b3, b4)
		}
		if !reflect.DeepEqual(r2, r3) {
			for i := range r2.Exprs {
				if i < len(r3.Exprs) && !reflect.DeepEqual(r2.Exprs[i], r3.Exprs[i]) {
					t.Errorf("expression %d: %+v, then %+v", i, r2.Exprs[i], r3.Exprs[i])
				}
			}
			t.Fatalf("second round differs:\n%#v\n%#v", r2, r3)
		}
	})
}

// FuzzEvent decodes notifications of every kind.
func FuzzEvent(f *testing.F) {
	m, _ := message(uapi.NFT_MSG_NEWRULE, 0, seedRule, opNew)
	raw := netlink.AppendMessage(nil, m.Header, m.Data)
	f.Add(raw)
	s := &Set{Table: "t", Name: "s", KeyType: 7, KeyLen: 4, Flags: SetMap, DataType: DataVerdict, Concat: []uint32{4, 4}}
	m, _ = message(uapi.NFT_MSG_NEWSET, 0, s, opNew)
	f.Add(netlink.AppendMessage(nil, m.Header, m.Data))
	msgs, _ := elementMessages(s, []Element{{Key: []byte{1, 2, 3, 4}, Verdict: &Verdict{Code: VerdictJump, Chain: "c"}}}, opNew, uapi.NFT_MSG_NEWSETELEM, 0)
	f.Add(netlink.AppendMessage(nil, msgs[0].Header, msgs[0].Data))
	f.Fuzz(func(t *testing.T, b []byte) {
		for m, err := range netlink.Messages(b) {
			if err != nil {
				return
			}
			ParseEvent(m)
		}
	})
}
