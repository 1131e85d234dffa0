//go:build linux

package rtnetlink_test

import (
	"bytes"
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/nstest"
	"github.com/nlkit/netlink/internal/vmtest"
)

// TestPermanentAddress reads the permanent address of a network card,
// which no virtual link of this machine has: a virtio-net card's, which
// QEMU gives it. The card moves into a namespace of its own and gets
// another address; Link then reports the card's own one as
// PermHardwareAddr, the current one as HardwareAddr, and ip's permaddr
// agrees (compareLink checks every field against ip). It runs only inside
// a VM with such a card (TestModulesVM), since it takes the card.
func TestPermanentAddress(t *testing.T) {
	if _, ok := vmtest.Guest(); !ok {
		t.Skip("runs inside a VM with a virtio-net card (TestModulesVM): it moves the machine's card into a namespace")
	}
	var name string
	ents, err := os.ReadDir("/sys/class/net")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if drv, err := os.Readlink(filepath.Join("/sys/class/net", e.Name(), "device", "driver")); err == nil && filepath.Base(drv) == "virtio_net" {
			name = e.Name()
		}
	}
	if name == "" {
		t.Skip("the VM has no virtio-net card")
	}
	ns := nstest.New(t)
	if out, err := exec.Command("ip", "link", "set", "dev", name, "netns", ns.Name).CombinedOutput(); err != nil {
		t.Fatalf("ip link set %s netns: %v: %s", name, err, out)
	}
	rt := dial(t, ns, netlink.Config{})
	ctx := context.Background()
	before, err := rt.LinkByName(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	if len(before.PermHardwareAddr) != 6 || !bytes.Equal(before.PermHardwareAddr, before.HardwareAddr) {
		t.Fatalf("%s: PermHardwareAddr %v, HardwareAddr %v: want the card's own address as both", name, before.PermHardwareAddr, before.HardwareAddr)
	}
	ns.Run(t, "link", "set", "dev", name, "address", "02:00:00:00:00:99")
	// The card goes back to the VM's namespace when ns goes: with its own
	// address, for the next test that takes it (the matrix runs this test
	// both alone and under TestModulesVM).
	t.Cleanup(func() { ns.Run(t, "link", "set", "dev", name, "address", before.HardwareAddr.String()) })
	l, err := rt.LinkByName(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	if want, _ := net.ParseMAC("02:00:00:00:00:99"); !bytes.Equal(l.HardwareAddr, want) || !bytes.Equal(l.PermHardwareAddr, before.PermHardwareAddr) {
		t.Errorf("%s after ip set its address: HardwareAddr %v, PermHardwareAddr %v; want %v and %v", name, l.HardwareAddr, l.PermHardwareAddr, want, before.PermHardwareAddr)
	}
	ip := ipShow(t, ns, name)
	if ip.PermAddr != before.PermHardwareAddr.String() {
		t.Errorf("ip shows permaddr %q, we read %v", ip.PermAddr, before.PermHardwareAddr)
	}
	for _, d := range compareLink(ip, l, map[string]int{name: l.Index}) {
		t.Error(d)
	}
}
