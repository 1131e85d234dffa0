package ethtool

import (
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/genetlink"
	"github.com/nlkit/netlink/genetlink/ynl"
	gen "github.com/nlkit/netlink/genetlink/ynl/ethtool"
)

// FuzzRequestDevice: the header nest a request builds for a device name is
// the one replies carry, so a reply made of it reads back that name, in
// ParseLinkInfo and in ParseLinkModes. Seeds: the names of the links the
// kernel tests use, and names the kernel would refuse.
func FuzzRequestDevice(f *testing.F) {
	for _, name := range []string{"lo", "v0", "", "a\x00b", "0123456789abcdef"} {
		f.Add(name)
	}
	f.Fuzz(func(t *testing.T, name string) {
		attrs, err := ynl.Encode(&gen.Linkinfo{Header: header(name)})
		if err != nil {
			return // too long for an attribute
		}
		m := netlink.Message{Data: append(genetlink.AppendHeader(nil, genetlink.Header{}), attrs...)}
		li, err := ParseLinkInfo(m)
		if err != nil || li.Device != (Device{Name: name}) {
			t.Fatalf("request for %q reads back as %+v, %v", name, li.Device, err)
		}
		lm, err := ParseLinkModes(m)
		if err != nil || lm.Device != (Device{Name: name}) {
			t.Fatalf("request for %q reads back as %+v, %v", name, lm.Device, err)
		}
	})
}
