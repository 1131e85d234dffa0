package rtnetlink

import (
	"errors"
	"net"
	"net/netip"
	"reflect"
	"testing"
	"unsafe"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/uapi"
)

// FuzzParseFDBEntry parses arbitrary payloads as bridge FDB messages,
// seeded with the kernel's (testdata/fuzz/FuzzParseFDBEntry, written by
// TestWriteFuzzCorpus) and an encoded entry: never a panic, errors wrap
// ErrMalformed, the entry does not alias the message, and AddFDBEntry's
// request for it parses as the same entry (roundTripFDB).
func FuzzParseFDBEntry(f *testing.F) {
	mac := net.HardwareAddr{2, 0, 0, 0, 0, 1}
	for _, e := range []FDBEntry{
		{HardwareAddr: mac, Index: 4, VLAN: 7, Flags: NeighMaster, State: NeighNoARP},
		{HardwareAddr: mac, Index: 5, Flags: NeighSelf, State: NeighPermanent},
		{HardwareAddr: net.HardwareAddr{0, 0, 0, 0, 0, 0}, Index: 6, Dst: netip.MustParseAddr("198.18.0.2"), Port: 5000, VNI: 100, ViaIndex: 2,
			State: NeighNoARP | NeighReachable, Flags: NeighSelf | NeighExtLearned | NeighRouter | NeighSticky, Other: raw(uapi.NDA_VNI, 0, 0, 0, 0)},
		{HardwareAddr: mac, Index: 7, NextHopID: 2, SrcVNI: 301, Flags: NeighSelf | NeighLocked},
	} {
		b, err := e.encode(uapi.RTM_NEWNEIGH)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := ParseFDBEntry(asReply(uapi.RTM_NEWNEIGH, b))
		if err != nil {
			if !errors.Is(err, netlink.ErrMalformed) {
				t.Fatalf("error does not wrap ErrMalformed: %v", err)
			}
			return
		}
		if len(e.HardwareAddr) > 0 && len(b) > 0 {
			p, q := uintptr(unsafe.Pointer(unsafe.SliceData(e.HardwareAddr))), uintptr(unsafe.Pointer(unsafe.SliceData(b)))
			if p >= q && p < q+uintptr(len(b)) {
				t.Fatal("the entry aliases the message")
			}
		}
		again, err := ParseFDBEntry(asReply(uapi.RTM_DELNEIGH, b))
		if err != nil || !reflect.DeepEqual(again, e) {
			t.Fatalf("second parse: %+v, %v; first %+v", again, err, e)
		}
		roundTripFDB(t, e)
	})
}

// TestFDBRoundTrip runs roundTripFDB on entries with every field a caller
// sets, and the defaults an add fills in.
func TestFDBRoundTrip(t *testing.T) {
	mac := net.HardwareAddr{2, 0, 0, 0, 0, 1}
	for i, e := range []FDBEntry{
		{HardwareAddr: mac, Index: 3, VLAN: 7},
		{HardwareAddr: mac, Index: 3, State: NeighNoARP, Flags: NeighMaster | NeighSticky},
		{HardwareAddr: mac, Index: 3, State: NeighReachable, Flags: NeighExtLearned | NeighRouter | NeighLocked},
		{HardwareAddr: mac, Index: 4, Dst: netip.MustParseAddr("2001:db8::2"), Port: 1, VNI: 1<<24 - 1, SrcVNI: 1<<24 - 1, ViaIndex: 1<<31 - 1},
		{HardwareAddr: mac, Index: 4, NextHopID: 1<<32 - 1, SrcVNI: 5},
	} {
		if !roundTripFDB(t, e) {
			t.Errorf("%d: %+v does not encode", i, e)
		}
	}
}
