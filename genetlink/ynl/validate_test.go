package ynl_test

import (
	"errors"
	"syscall"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/genetlink/ynl"
	"github.com/nlkit/netlink/genetlink/ynl/ethtool"
	"github.com/nlkit/netlink/genetlink/ynl/netdev"
)

// checkCase is a request and whether the spec says the kernel takes it.
type checkCase struct {
	name  string
	f     *ynl.Family
	cmd   uint8
	dump  bool
	attrs func(e *netlink.AttrEncoder)
	ok    bool
	path  string // the attribute blamed, if not ok
}

var checkCases = []checkCase{
	{"dev-get by ifindex", netdev.Spec, netdev.CmdDevGet, false, func(e *netlink.AttrEncoder) { e.Uint32(netdev.AttrDevIfindex, 1) }, true, ""},
	{"dev-get, ifindex of 8 bytes", netdev.Spec, netdev.CmdDevGet, false, func(e *netlink.AttrEncoder) { e.Uint64(netdev.AttrDevIfindex, 1) }, false, "dev.ifindex"},
	{"dev-get with xdp-features", netdev.Spec, netdev.CmdDevGet, false, func(e *netlink.AttrEncoder) {
		e.Uint32(netdev.AttrDevIfindex, 1)
		e.Uint64(netdev.AttrDevXDPFeatures, 1)
	}, false, "dev.xdp-features"},
	{"dev-get with an attribute no set has", netdev.Spec, netdev.CmdDevGet, false, func(e *netlink.AttrEncoder) { e.Uint32(99, 1) }, false, "dev.99"},
	{"napi-set defer-hard-irqs past s32-max", netdev.Spec, netdev.CmdNAPISet, false, func(e *netlink.AttrEncoder) {
		e.Uint32(netdev.AttrNAPIID, 1)
		e.Uint32(netdev.AttrNAPIDeferHardIrqs, 1<<31)
	}, false, "napi.defer-hard-irqs"},
	{"linkinfo-get by name", ethtool.Spec, ethtool.CmdLinkinfoGet, false, func(e *netlink.AttrEncoder) {
		n := e.Nest(ethtool.AttrLinkinfoHeader)
		e.String(ethtool.AttrHeaderDevName, "lo")
		e.End(n)
	}, true, ""},
	{"linkinfo-get, header not marked nested", ethtool.Spec, ethtool.CmdLinkinfoGet, false, func(e *netlink.AttrEncoder) {
		e.Bytes(ethtool.AttrLinkinfoHeader, []byte{7, 0, 2, 0, 'l', 'o', 0, 0})
	}, false, "linkinfo.header"},
	{"linkinfo-get, header flags of 8 bytes", ethtool.Spec, ethtool.CmdLinkinfoGet, false, func(e *netlink.AttrEncoder) {
		n := e.Nest(ethtool.AttrLinkinfoHeader)
		e.String(ethtool.AttrHeaderDevName, "lo")
		e.Uint64(ethtool.AttrHeaderFlags, 0)
		e.End(n)
	}, false, "linkinfo.header.flags"},
	{"linkinfo-get dump", ethtool.Spec, ethtool.CmdLinkinfoGet, true, func(e *netlink.AttrEncoder) {}, true, ""},
}

// keyedCases are requests of keyedFamily, which no kernel has (so not
// in checkCases, which TestCheckRequestMatchesKernel sends).
var keyedCases = []checkCase{
	{"keyed u64s", keyedFamily, 1, false, func(e *netlink.AttrEncoder) {
		for key := range uint16(3) {
			n := e.Nest(4)
			e.Uint64(key, 1)
			e.End(n)
		}
	}, true, ""},
	{"keyed u64 of 4 bytes", keyedFamily, 1, false, func(e *netlink.AttrEncoder) {
		n := e.Nest(4)
		e.Uint64(0, 1)
		e.Uint32(1, 1)
		e.End(n)
	}, false, "s.stat"},
}

// TestCheckKeyedScalar checks the entries of a scalar with a type-value
// against their type.
func TestCheckKeyedScalar(t *testing.T) {
	checkRequests(t, keyedCases)
}

// keyedFamily has a request that takes a scalar with a type-value, as the
// generator writes one (ethtool's stats-grp stat, which no request takes):
// a multi-attr nest-type-value of u64.
var keyedFamily = &ynl.Family{
	Name: "keyed",
	Ops:  []ynl.Op{{Name: "set", Request: 1, Reply: -1, Do: true, Set: "s", DoRequest: []string{"stat"}}},
	Sets: []ynl.AttrSet{{Name: "s", Attrs: []ynl.Attr{{Name: "stat", Type: 4, Kind: "nest-type-value", Multi: true, SubType: "u64", Keys: 1}}}},
}

// checkRequests checks each case's request against its spec.
func checkRequests(t *testing.T, cases []checkCase) {
	t.Helper()
	for _, c := range cases {
		var e netlink.AttrEncoder
		c.attrs(&e)
		b, err := e.Finish()
		if err != nil {
			t.Fatal(err)
		}
		err = c.f.CheckRequest(c.cmd, c.dump, b)
		var re *ynl.RequestError
		switch {
		case c.ok && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case !c.ok && !errors.As(err, &re):
			t.Errorf("%s: %v, want a RequestError", c.name, err)
		case !c.ok && re.Path != c.path:
			t.Errorf("%s: blames %s (%v), want %s", c.name, re.Path, err, c.path)
		}
	}
}

// TestCheckRequest checks requests against the spec.
func TestCheckRequest(t *testing.T) {
	checkRequests(t, checkCases)
	if err := netdev.Spec.CheckRequest(200, false, nil); !errors.Is(err, syscall.EOPNOTSUPP) {
		t.Errorf("command 200: %v, want EOPNOTSUPP", err)
	}
}

// FuzzCheckRequest checks arbitrary attributes against ethtool's and
// netdev's operations: an error or nil, never a panic, and an offset
// inside the attributes. Seeds: the requests of TestCheckRequest.
func FuzzCheckRequest(f *testing.F) {
	for _, c := range checkCases {
		var e netlink.AttrEncoder
		c.attrs(&e)
		b, _ := e.Finish()
		f.Add(c.f == ethtool.Spec, c.cmd, c.dump, b)
	}
	f.Fuzz(func(t *testing.T, eth bool, cmd uint8, dump bool, b []byte) {
		spec := netdev.Spec
		if eth {
			spec = ethtool.Spec
		}
		var re *ynl.RequestError
		if err := spec.CheckRequest(cmd, dump, b); errors.As(err, &re) && (re.Offset < 0 || re.Offset > len(b)) {
			t.Fatalf("offset %d outside the %d bytes: %v", re.Offset, len(b), err)
		}
	})
}
