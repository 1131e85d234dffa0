// Package ynltest tests the packages generated from YNL specs: a
// round-trip check for their fuzz targets, and a writer of fuzz seeds from
// real kernel replies.
package ynltest

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/genetlink/ynl"
)

// setPtr is a pointer to a generated set's struct.
type setPtr[T any] interface {
	*T
	ynl.Set
}

// RoundTrip decodes the attributes b into a T; if they decode, it encodes
// the T, decodes that again, and fails t unless the second decoding
// succeeds and equals the first. A T must keep everything it decoded.
func RoundTrip[T any, P setPtr[T]](t *testing.T, b []byte) {
	var first, second T
	d := netlink.NewAttrDecoder(b)
	P(&first).Decode(&d)
	if d.Err() != nil {
		return
	}
	var e netlink.AttrEncoder
	P(&first).Encode(&e)
	enc, err := e.Finish()
	if err != nil {
		// Values that cannot be sent (an attribute grown past 64 KiB by
		// its flags, …) are the encoder's error, not a loss.
		return
	}
	d.Reset(enc)
	P(&second).Decode(&d)
	if err := d.Err(); err != nil {
		t.Fatalf("%T: decoding the encoded value: %v\nfirst: %+v\nencoded: %x", first, err, first, enc)
	}
	if !reflect.DeepEqual(first, second) {
		t.Fatalf("%T: round trip changed the value\nfirst:  %+v\nsecond: %+v\nencoded: %x", first, first, second, enc)
	}
}

// WriteSeed writes a seed for a fuzz target func(t, which uint8, b
// []byte) to testdata/fuzz/target/name, in the format go test reads.
func WriteSeed(t testing.TB, target, name string, which uint8, b []byte) {
	dir := filepath.Join("testdata", "fuzz", target)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	text := fmt.Sprintf("go test fuzz v1\nuint8(%d)\n[]byte(%q)\n", which, b)
	if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}
