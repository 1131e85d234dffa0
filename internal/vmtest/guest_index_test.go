package vmtest

import "testing"

// TestGuestIndex checks the index vminit reads: built-in modules, each
// module with its file and dependencies, its aliases, and a device node
// for a module that names one (tun: devname:net/tun, char-major-10-200).
func TestGuestIndex(t *testing.T) {
	m := &modules{
		builtin: []string{"bridge"},
		info: map[string]*modInfo{
			"tun":   {Path: "kernel/drivers/net/tun.ko", Aliases: []string{"devname:net/tun", "char-major-10-200"}},
			"8021q": {Path: "kernel/net/8021q/8021q.ko.xz", Depends: []string{"garp", "mrp"}, Aliases: []string{"rtnl-link-vlan"}},
		},
	}
	got := string(m.guestIndex([]string{"8021q", "tun"}))
	want := `builtin bridge
mod 8021q kernel/net/8021q/8021q.ko.xz garp,mrp
alias rtnl-link-vlan 8021q
mod tun kernel/drivers/net/tun.ko
alias devname:net/tun tun
alias char-major-10-200 tun
node net/tun c 10 200
`
	if got != want {
		t.Errorf("guestIndex:\n%s\nwant:\n%s", got, want)
	}
}
