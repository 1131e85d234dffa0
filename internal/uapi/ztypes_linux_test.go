package uapi

import (
	"reflect"
	"testing"

	"golang.org/x/sys/unix"
)

// TestTypesLayout checks that the generated structs have x/sys's layout on
// the architecture the test runs on: every field at the same offset, and
// the same size.
func TestTypesLayout(t *testing.T) {
	for _, pair := range [][2]any{
		{Taskstats{}, unix.Taskstats{}},
		{KernelTimespec{}, unix.KernelTimespec{}},
	} {
		ours, theirs := reflect.TypeOf(pair[0]), reflect.TypeOf(pair[1])
		if ours.Size() != theirs.Size() {
			t.Errorf("%v is %d bytes, %v %d", ours, ours.Size(), theirs, theirs.Size())
		}
		for i := range theirs.NumField() {
			f := theirs.Field(i)
			if f.Name == "_" {
				continue
			}
			g, ok := ours.FieldByName(f.Name)
			if !ok {
				t.Errorf("%v lacks %s", ours, f.Name)
				continue
			}
			if g.Offset != f.Offset || g.Type.Size() != f.Type.Size() {
				t.Errorf("%v.%s is at %d (%d bytes), x/sys's at %d (%d bytes)", ours, f.Name, g.Offset, g.Type.Size(), f.Offset, f.Type.Size())
			}
		}
	}
}
