package vmtest

import (
	"slices"
	"testing"
)

// TestNICs checks QEMU's arguments and the driver modules for Config.NICs.
func TestNICs(t *testing.T) {
	if got := nicArgs(nil); !slices.Equal(got, []string{"-nic", "none"}) {
		t.Errorf("no cards: %q", got)
	}
	want := []string{
		"-netdev", "user,id=n0,restrict=on", "-device", "virtio-net-pci,netdev=n0",
		"-netdev", "user,id=n1,restrict=on", "-device", "e1000e,netdev=n1",
	}
	if got := nicArgs([]string{"virtio-net-pci", "e1000e"}); !slices.Equal(got, want) {
		t.Errorf("two cards: %q, want %q", got, want)
	}
	cfg := Config{Modules: []string{"dummy", "virtio_net"}, NICs: []string{"virtio-net-pci", "e1000e"}}
	mods, err := cfg.modules()
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"dummy", "virtio_net", "virtio_pci", "e1000e"}; !slices.Equal(mods, want) {
		t.Errorf("modules %q, want %q", mods, want)
	}
	if _, err := (&Config{NICs: []string{"ne2k_pci"}}).modules(); err == nil {
		t.Error("an unknown card model: no error")
	}
}
