package taskstats_test

import (
	"os"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/genetlink/taskstats"
)

// FuzzParseStats feeds ParseStats payloads, seeded with a reply the kernel
// sent TestOwnTask (go test -run TestOwnTask -update): it must return an
// error or a value, never panic.
func FuzzParseStats(f *testing.F) {
	b, err := os.ReadFile("testdata/tgid.bin")
	if err != nil {
		f.Fatal(err)
	}
	for m, err := range netlink.Messages(b) {
		if err != nil {
			f.Fatal(err)
		}
		f.Add(m.Data)
		f.Add(m.Data[:len(m.Data)/3])
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		taskstats.ParseStats(netlink.Message{Data: data})
	})
}
