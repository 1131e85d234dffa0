//go:build linux

package rtnetlink

import (
	"reflect"
	"testing"
)

func TestNetkitBytes(t *testing.T) {
	littleEndian(t)
	got, err := encodeData(&Netkit{PeerName: "nk1", L2: true, Policy: NetkitDrop, Other: raw(8, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	want := unhex(t, `
1c 00 01 80                                         # IFLA_NETKIT_PEER_INFO
  00 00 00 00  00 00 00 00  00 00 00 00  00 00 00 00  #   ifinfomsg
  08 00 03 00  6e 6b 31 00                          #   IFLA_IFNAME "nk1"
08 00 05 00  00 00 00 00                            # IFLA_NETKIT_MODE l2
08 00 03 00  02 00 00 00                            # IFLA_NETKIT_POLICY drop
06 00 08 00  00 01 00 00                            # unknown 8 (IFLA_NETKIT_HEADROOM), kept
`)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  % x\nwant % x", got, want)
	}
	// The kernel's report: Primary is read, never sent.
	d, err := decodeLinkData("netkit", unhex(t, `
05 00 02 00  01 00 00 00     # IFLA_NETKIT_PRIMARY
08 00 03 00  00 00 00 00     # IFLA_NETKIT_POLICY pass
08 00 04 00  02 00 00 00     # IFLA_NETKIT_PEER_POLICY drop
08 00 05 00  01 00 00 00     # IFLA_NETKIT_MODE l3
`))
	if err != nil || !reflect.DeepEqual(d, &Netkit{Primary: true, PeerPolicy: NetkitDrop}) {
		t.Errorf("decoded %+v, %v", d, err)
	}
	checkDataBytes(t, &Netkit{PeerPolicy: NetkitDrop}, `
08 00 04 00  02 00 00 00     # IFLA_NETKIT_PEER_POLICY drop: L3, the default, is not sent
`)
	checkRefused(t, map[string]Link{
		"policy 7":       {Name: "n", Data: &Netkit{Policy: 7}},
		"long peer name": {Name: "n", Data: &Netkit{PeerName: "0123456789abcdef"}},
	})
	if NetkitDrop.String() != "blackhole" || NetkitPolicy(3).String() != "NetkitPolicy(3)" {
		t.Error("netkit String")
	}
	if !roundTripLink(t, Link{Name: "nk0", Data: &Netkit{PeerName: "nk1", PeerNetNS: NetNSPID(1), Primary: true, Policy: NetkitDrop}}) {
		t.Error("round trip refused")
	}
}
