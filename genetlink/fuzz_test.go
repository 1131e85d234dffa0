//go:build linux

package genetlink_test

import (
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/genetlink"
)

// FuzzParseFamily feeds ParseFamily payloads, seeded with the family dump
// the kernel sent TestFamiliesMatchGenl (go test -run
// TestFamiliesMatchGenl -update) and a hand-made family: it must return an
// error or a family, never panic.
func FuzzParseFamily(f *testing.F) {
	for _, m := range readMessages(f, "getfamily_dump.bin") {
		f.Add(m.Data)
	}
	f.Add(familyMessage(f).Data)
	f.Fuzz(func(t *testing.T, data []byte) {
		fam, err := genetlink.ParseFamily(netlink.Message{Data: data})
		if err == nil {
			fam.Group("x")
		}
	})
}

// FuzzParsePolicy feeds ParsePolicy streams of messages, seeded with
// netdev's policy dump the kernel sent TestFamiliesMatchGenl.
func FuzzParsePolicy(f *testing.F) {
	var b []byte
	for _, m := range readMessages(f, "getpolicy_netdev.bin") {
		one := netlink.AppendMessage(nil, m.Header, m.Data)
		f.Add(one)
		b = append(b, one...)
	}
	f.Add(b)
	f.Fuzz(func(t *testing.T, data []byte) {
		var msgs []netlink.Message
		for m, err := range netlink.Messages(data) {
			if err != nil {
				break
			}
			msgs = append(msgs, m)
		}
		p, err := genetlink.ParsePolicy(msgs)
		if err == nil {
			for _, op := range p.Ops {
				for _, a := range p.Attrs(op.Do) {
					_ = a.String()
				}
			}
		}
	})
}
