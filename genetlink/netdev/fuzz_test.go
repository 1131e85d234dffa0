package netdev_test

import (
	"os"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/genetlink/netdev"
)

// FuzzParseDev feeds ParseDev payloads, seeded with the dump the kernel
// sent TestDevs (go test -run TestDevs -update): it must return an error
// or a value, never panic.
func FuzzParseDev(f *testing.F) {
	b, err := os.ReadFile("testdata/dev_dump.bin")
	if err != nil {
		f.Fatal(err)
	}
	for m, err := range netlink.Messages(b) {
		if err != nil {
			f.Fatal(err)
		}
		f.Add(m.Data)
		f.Add(m.Data[:len(m.Data)-3])
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		netdev.ParseDev(netlink.Message{Data: data})
	})
}
