//go:build linux

package genetlink_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/genetlink"
)

// FuzzParseHeader: any payload parses as a genlmsghdr or gives
// ErrMalformed, and a header that parses appends as its command and
// version bytes; the other way round, a header made of the first two bytes
// appends as a genlmsghdr that parses as it. Seeds: the genlmsghdrs of the
// kernel's family dump.
func FuzzParseHeader(f *testing.F) {
	for _, m := range readMessages(f, "getfamily_dump.bin") {
		f.Add(m.Data[:min(len(m.Data), 8)])
	}
	f.Add([]byte{1, 2, 3})
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) >= 2 {
			h := genetlink.Header{Command: b[0], Version: b[1]}
			if back, err := genetlink.ParseHeader(genetlink.AppendHeader(nil, h)); err != nil || back != h {
				t.Fatalf("%+v appends as a header that parses as %+v, %v", h, back, err)
			}
		}
		h, err := genetlink.ParseHeader(b)
		if err != nil {
			if !errors.Is(err, netlink.ErrMalformed) || len(b) >= genetlink.HeaderLen {
				t.Fatalf("%d bytes: %v", len(b), err)
			}
			return
		}
		got := genetlink.AppendHeader(nil, h)
		if len(got) != genetlink.HeaderLen || !bytes.Equal(got[:2], b[:2]) || got[2] != 0 || got[3] != 0 {
			t.Fatalf("%+v appends as % x, parsed from % x", h, got, b)
		}
	})
}
