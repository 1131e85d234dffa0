//go:build linux

package rtnetlink

import (
	"reflect"
	"testing"
)

func TestVRFBytes(t *testing.T) {
	checkDataBytes(t, &VRF{Table: 1000}, `
08 00 01 00  e8 03 00 00     # IFLA_VRF_TABLE 1000
`)
	checkRefused(t, map[string]Link{"no table": {Name: "v", Data: &VRF{}}})
}

func TestVRFEncodesAsIP(t *testing.T) {
	checkAsIP(t, nil, nil, []ipCase{
		{"name t0 type vrf table 10", Link{Name: "t0", Data: &VRF{Table: 10}}},
		{"name t0 type vrf table 4294967295", Link{Name: "t0", Data: &VRF{Table: 1<<32 - 1}}},
	})
}

// TestVRFPortBytes: a VRF's port as the kernel reports it; and CreateLink,
// which sets a new port's settings after making it, sends none for a port
// with nothing to send, and none for a VRF's port, whatever Other holds:
// the kernel refuses any IFLA_INFO_SLAVE_DATA for it.
func TestVRFPortBytes(t *testing.T) {
	littleEndian(t)
	got, err := decodePortData("vrf", unhex(t, `
08 00 01 00  e9 03 00 00     # IFLA_VRF_PORT_TABLE 1001
05 00 02 00  01 00 00 00     # unknown 2, kept
`))
	if want := (&VRFPort{Table: 1001, Other: raw(2, 1)}); err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, %v; want %+v", got, err, want)
	}
	for _, c := range []struct {
		port PortData
		sent bool
	}{
		{&VRFPort{Table: 1001}, false},
		{&VRFPort{Table: 1001, Other: raw(2, 1)}, false},
		{&BondPort{}, false},
		{&BondPort{QueueID: 1}, true},
		{&RawPortData{KindName: "team"}, false},
	} {
		l := Link{Name: "p0", Kind: "dummy", MasterIndex: 2, Port: c.port}
		after, err := l.afterCreate(3)
		if err != nil || (len(after) == 1) != c.sent || len(after) > 1 {
			t.Errorf("%+v: %d requests after creation, %v; want one: %v", c.port, len(after), err, c.sent)
		}
		for _, r := range after {
			r.close()
		}
	}
}
