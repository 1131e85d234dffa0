package tc

import (
	"fmt"
	"os"
	"reflect"
	"testing"
)

// TestDecodeQdiscAllocs: decoding the kernel's qdisc dump (captured in
// testdata/kernel, 001 to 007: see TestCaptureKernel) allocates only what
// the Qdisc keeps: its options (when they have a size), its statistics,
// and the attributes it keeps raw; a known kind's name costs nothing.
func TestDecodeQdiscAllocs(t *testing.T) {
	for i := 1; i <= 7; i++ {
		b, err := os.ReadFile(fmt.Sprintf("testdata/kernel/%03d.bin", i))
		if err != nil {
			t.Fatal(err)
		}
		var q Qdisc
		got := testing.AllocsPerRun(100, func() {
			var o object
			if err := o.decode(b, qdiscKinds); err != nil {
				t.Fatal(err)
			}
			q = qdiscFrom(&o)
		})
		want := 0
		if q.Options != nil && reflect.TypeOf(q.Options).Elem().Size() > 0 {
			want++
		}
		if q.Stats != nil {
			want++
			if q.Stats.App != nil {
				want++
			}
		}
		if q.Other != "" {
			want++
		}
		if q.Kind == "" || q.Stats == nil {
			t.Errorf("qdisc %03d decoded as %+v", i, q)
		}
		if got != float64(want) {
			t.Errorf("qdisc %s %s: %v allocations, want %d (options %T, stats %v, %d bytes raw)", q.Kind, q.Handle, got, want, q.Options, q.Stats != nil, len(q.Other))
		}
	}
}
