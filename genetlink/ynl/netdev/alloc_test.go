package netdev

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/nlkit/netlink"
)

// TestDecodeAllocatesNothing decodes the kernel's dev-get replies in
// testdata/fuzz: a Dev has no strings or slices, so decoding one
// allocates nothing.
func TestDecodeAllocatesNothing(t *testing.T) {
	files, _ := filepath.Glob("testdata/fuzz/FuzzRoundTrip/dev-*")
	if len(files) == 0 {
		t.Fatal("no dev-get replies in testdata/fuzz/FuzzRoundTrip")
	}
	for _, file := range files {
		text, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		// The seed's third line is []byte("…"), a Go string literal.
		lines := strings.Split(string(text), "\n")
		s, err := strconv.Unquote(strings.TrimSuffix(strings.TrimPrefix(lines[2], "[]byte("), ")"))
		if err != nil {
			t.Fatal(err)
		}
		b := []byte(s)
		var dev Dev
		allocs := testing.AllocsPerRun(100, func() {
			d := netlink.NewAttrDecoder(b)
			dev.Decode(&d)
			if d.Err() != nil {
				t.Fatal(d.Err())
			}
		})
		if allocs != 0 || !dev.Ifindex.Set {
			t.Errorf("%s: %v allocations, device %+v", file, allocs, dev)
		}
	}
}
