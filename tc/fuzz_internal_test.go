package tc

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// FuzzObject decodes a tc message's payload as a qdisc, a class and a
// filter, encodes what it read and decodes that again: the second
// encoding must decode to the same value as the first (the first may
// differ from the input by what is never sent: statistics, the kernel's
// flags). Seeded with the kernel's replies in testdata/kernel (see
// TestCaptureKernel).
func FuzzObject(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/kernel/*.bin")
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, table := range []map[string]func() Options{qdiscKinds, classKinds, filterKinds} {
			var o1 object
			if o1.decode(b, table) != nil {
				continue
			}
			b2, err := o1.encode(nil, table, o1.options != nil)
			if err != nil {
				continue // a value the checks refuse
			}
			var o2 object
			if err := o2.decode(b2, table); err != nil {
				t.Fatalf("decoding what was encoded: %v", err)
			}
			b3, err := o2.encode(nil, table, o2.options != nil)
			if err != nil {
				t.Fatalf("encoding what was decoded from an encoding: %v", err)
			}
			var o3 object
			if err := o3.decode(b3, table); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(o2, o3) {
				t.Fatalf("round trip:\n%#v\n%#v", o2, o3)
			}
		}
		// The same bytes as an action message.
		if acts, err := parseActionMessage(b); err == nil && len(acts) > 0 {
			b2, err := actionRequest(acts, true)
			if err != nil {
				return
			}
			acts2, err := parseActionMessage(b2)
			if err != nil {
				t.Fatal(err)
			}
			b3, err := actionRequest(acts2, true)
			if err != nil {
				t.Fatal(err)
			}
			acts3, err := parseActionMessage(b3)
			if err != nil || !reflect.DeepEqual(acts2, acts3) {
				t.Fatalf("action round trip: %v\n%#v\n%#v", err, acts2, acts3)
			}
		}
	})
}
