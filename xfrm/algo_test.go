package xfrm

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/nlkit/netlink"
)

// TestKeyBits: a key whose alg_key_len is not a multiple of 8 keeps its
// bits: what parses encodes to the same bytes, and a KeyBits that does not
// fit its key is refused.
func TestKeyBits(t *testing.T) {
	auth := make([]byte, algoAuthLen+2)
	putAlgoName(auth, "hmac(sha256)")
	binary.NativeEndian.PutUint32(auth[64:], 12) // alg_key_len: 12 bits in 2 bytes
	binary.NativeEndian.PutUint32(auth[68:], 96)
	auth[72], auth[73] = 0xab, 0xc0
	crypt := make([]byte, algoLen+3)
	putAlgoName(crypt, "cbc(twofish)")
	binary.NativeEndian.PutUint32(crypt[64:], 17)
	copy(crypt[algoLen:], []byte{1, 2, 0x80})
	aead := make([]byte, algoAEADLen+1)
	putAlgoName(aead, "gcm(aes)")
	binary.NativeEndian.PutUint32(aead[64:], 1)
	binary.NativeEndian.PutUint32(aead[68:], 128)
	aead[72] = 0x80

	s := ipStates["esp-cbc-hmac"]
	s.Auth, s.Crypt = nil, nil
	info := s.prepared().appendInfo(nil)
	e := netlink.NewAttrEncoder(info)
	e.Bytes(attrAlgAuthTrunc, auth)
	e.Bytes(attrAlgCrypt, crypt)
	e.Bytes(attrAlgAEAD, aead)
	b, err := e.Finish()
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseState(netlink.Message{Header: netlink.Header{Type: msgNewSA}, Data: b})
	if err != nil {
		t.Fatal(err)
	}
	if got.Auth.KeyBits != 12 || got.Crypt.KeyBits != 17 || got.AEAD.KeyBits != 1 || len(got.Auth.Key) != 2 || len(got.Crypt.Key) != 3 {
		t.Errorf("parsed %+v %+v %+v, want KeyBits 12, 17, 1", *got.Auth, *got.Crypt, *got.AEAD)
	}
	enc, err := got.Append(nil)
	if err != nil {
		t.Fatal(err)
	}
	// Append writes AEAD, auth, crypt in that order: compare attribute by
	// attribute.
	want := map[uint16][]byte{attrAlgAuthTrunc: auth, attrAlgCrypt: crypt, attrAlgAEAD: aead}
	for a, err := range netlink.Attrs(enc[usersaInfoLen:]) {
		if err != nil {
			t.Fatal(err)
		}
		if w, ok := want[a.Type]; ok && !bytes.Equal(a.Data, w) {
			t.Errorf("attribute %d re-encoded as\n%x\nwas\n%x", a.Type, a.Data, w)
		}
		delete(want, a.Type)
	}
	if len(want) != 0 {
		t.Errorf("attributes not re-encoded: %v", want)
	}
	again, err := ParseState(netlink.Message{Header: netlink.Header{Type: msgNewSA}, Data: enc})
	if err != nil || !reflect.DeepEqual(again, got) {
		t.Errorf("round trip: %v %s", err, diffFields(again, got))
	}

	// Whole bytes read as KeyBits 0, the zero value a caller writes.
	if whole, _ := parseAlgorithm(Algorithm{Name: "cbc(aes)", Key: make([]byte, 16)}.bytes()); whole.KeyBits != 0 {
		t.Errorf("a 128-bit key parsed with KeyBits %d", whole.KeyBits)
	}

	bad := ipStates["esp-cbc-hmac"]
	bad.Auth = &AuthAlgorithm{Name: "hmac(sha256)", Key: make([]byte, 3), KeyBits: 12, TruncLen: 96}
	err = bad.prepared().check()
	if err == nil || !strings.Contains(err.Error(), "key of 3 bytes with KeyBits 12, want 2 bytes") {
		t.Errorf("KeyBits 12 for 3 bytes: %v", err)
	}
	bad.Auth = ipStates["esp-cbc-hmac"].Auth
	bad.Crypt = &Algorithm{Name: "cbc(aes)", Key: make([]byte, 16), KeyBits: 127}
	if err := bad.prepared().check(); err == nil || !strings.Contains(err.Error(), "a 127-bit key, want 128, 192 or 256 bits") {
		t.Errorf("cbc(aes) of 127 bits: %v", err)
	}
	var c Conn
	if err := c.AddState(t.Context(), &bad); !errors.Is(err, os.ErrInvalid) {
		t.Errorf("AddState of a 127-bit aes key: %v", err)
	}
}
