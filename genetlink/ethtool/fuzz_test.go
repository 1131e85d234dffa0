package ethtool_test

import (
	"os"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/genetlink/ethtool"
)

// seed adds the messages of testdata/file, replies the kernel sent to
// TestLinkInfoAndModes (go test -run TestLinkInfoAndModes -update), and
// their truncations, to f.
func seed(f *testing.F, file string) {
	b, err := os.ReadFile("testdata/" + file)
	if err != nil {
		f.Fatal(err)
	}
	for m, err := range netlink.Messages(b) {
		if err != nil {
			f.Fatal(err)
		}
		f.Add(m.Data)
		f.Add(m.Data[:len(m.Data)/2])
	}
}

// FuzzParseLinkInfo feeds ParseLinkInfo payloads: it must return an error
// or a value, never panic.
func FuzzParseLinkInfo(f *testing.F) {
	seed(f, "linkinfo.bin")
	f.Fuzz(func(t *testing.T, data []byte) {
		ethtool.ParseLinkInfo(netlink.Message{Data: data})
	})
}

// FuzzParseLinkModes feeds ParseLinkModes payloads.
func FuzzParseLinkModes(f *testing.F) {
	seed(f, "linkmodes.bin")
	f.Fuzz(func(t *testing.T, data []byte) {
		lm, err := ethtool.ParseLinkModes(netlink.Message{Data: data})
		if err == nil {
			lm.Ours.Has(int(lm.Ours.Size))
		}
	})
}
