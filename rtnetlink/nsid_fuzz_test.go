package rtnetlink

import (
	"errors"
	"reflect"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/uapi"
)

// appendNSID encodes n as the kernel sends it: a struct rtgenmsg,
// NETNSA_NSID, NETNSA_CURRENT_NSID unless NSIDNone, then Other.
func appendNSID(n NSID) []byte {
	var e netlink.AttrEncoder
	e.Reset(make([]byte, netlink.Align(rtgenmsgLen)))
	e.Int32(uapi.NETNSA_NSID, n.ID)
	if n.CurrentID != NSIDNone {
		e.Int32(uapi.NETNSA_CURRENT_NSID, n.CurrentID)
	}
	e.Raw([]byte(n.Other))
	b, err := e.Finish()
	if err != nil {
		panic(err)
	}
	return b
}

// TestParseNSID decodes the kernel's replies, as captured: a dump entry,
// a reply with the target's and the current namespace's IDs, one with an
// attribute this package does not know.
func TestParseNSID(t *testing.T) {
	for _, tc := range []struct {
		data []byte
		want NSID
	}{
		// nsid 7, as NSIDs lists it
		{[]byte{0, 0, 0, 0, 8, 0, 1, 0, 7, 0, 0, 0}, NSID{ID: 7, CurrentID: NSIDNone}},
		// GetNSIDOf: nsid 3, current-nsid 0
		{[]byte{0, 0, 0, 0, 8, 0, 1, 0, 3, 0, 0, 0, 8, 0, 5, 0, 0, 0, 0, 0}, NSID{ID: 3, CurrentID: 0}},
		// not assigned
		{[]byte{0, 0, 0, 0, 8, 0, 1, 0, 0xff, 0xff, 0xff, 0xff}, NSID{ID: NSIDNone, CurrentID: NSIDNone}},
		// an attribute of a later kernel is kept
		{[]byte{0, 0, 0, 0, 8, 0, 1, 0, 1, 0, 0, 0, 8, 0, 9, 0, 1, 2, 3, 4}, NSID{ID: 1, CurrentID: NSIDNone, Other: raw(9, 1, 2, 3, 4)}},
	} {
		got, err := ParseNSID(asReply(uapi.RTM_NEWNSID, tc.data))
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ParseNSID(% x) = %+v, %v; want %+v", tc.data, got, err, tc.want)
		}
		if again, err := ParseNSID(asReply(uapi.RTM_NEWNSID, appendNSID(got))); err != nil || !reflect.DeepEqual(again, got) {
			t.Errorf("re-encoded %+v parses as %+v, %v", got, again, err)
		}
	}
	for _, m := range []netlink.Message{asReply(uapi.RTM_NEWNSID, nil), asReply(uapi.RTM_NEWLINK, []byte{0, 0, 0, 0}),
		asReply(uapi.RTM_NEWNSID, []byte{0, 0, 0, 0, 8, 0, 1})} {
		if n, err := ParseNSID(m); !errors.Is(err, netlink.ErrMalformed) {
			t.Errorf("ParseNSID(%v % x) = %+v, %v; want ErrMalformed", m.Header.Type, m.Data, n, err)
		}
	}
}

// FuzzParseNSID parses arbitrary payloads as namespace ID messages: never
// a panic, errors wrap ErrMalformed, and what was parsed encodes as the
// kernel would send it and parses the same.
func FuzzParseNSID(f *testing.F) {
	for _, n := range []NSID{{ID: 7, CurrentID: NSIDNone}, {ID: 3, CurrentID: 0}, {ID: NSIDNone, CurrentID: 4, Other: raw(9, 1, 2, 3, 4)}} {
		f.Add(appendNSID(n))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		n, err := ParseNSID(asReply(uapi.RTM_DELNSID, b))
		if err != nil {
			if !errors.Is(err, netlink.ErrMalformed) {
				t.Fatalf("error does not wrap ErrMalformed: %v", err)
			}
			return
		}
		again, err := ParseNSID(asReply(uapi.RTM_NEWNSID, appendNSID(n)))
		if err != nil || !reflect.DeepEqual(again, n) {
			t.Fatalf("%+v re-encoded parses as %+v, %v", n, again, err)
		}
	})
}
