//go:build linux

package main

import (
	"slices"
	"strings"
	"testing"
)

// TestResolve checks how modprobe finds what serves a name: a module by
// name ('-' and '_' alike), an alias by pattern, a built-in module as
// nothing to load, and an unknown name as an error.
func TestResolve(t *testing.T) {
	idx, err := parseIndex(strings.NewReader(`builtin bridge
mod 8021q kernel/net/8021q/8021q.ko.xz garp,mrp
alias rtnl-link-vlan 8021q
mod garp kernel/net/802/garp.ko.xz
mod mrp kernel/net/802/mrp.ko.xz
mod tun kernel/drivers/net/tun.ko
alias char-major-10-200 tun
alias devname:net/tun tun
alias net-pf-7-proto-* tun
alias rtnl-link-bridge bridge
node net/tun c 10 200
`))
	if err != nil {
		t.Fatal(err)
	}
	if got := idx.mods["8021q"].deps; !slices.Equal(got, []string{"garp", "mrp"}) {
		t.Errorf("8021q deps %q", got)
	}
	if len(idx.nodes) != 1 || idx.nodes[0] != (node{"net/tun", false, 10, 200}) {
		t.Errorf("nodes %+v", idx.nodes)
	}
	for name, want := range map[string][]string{
		"8021q":             {"8021q"},
		"rtnl-link-vlan":    {"8021q"},
		"char-major-10-200": {"tun"},
		"net-pf-7-proto-3":  {"tun"},
		"bridge":            nil,
		"rtnl-link-bridge":  nil,
	} {
		got, err := idx.resolve(name)
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("resolve(%q) = %q, %v; want %q", name, got, err, want)
		}
	}
	if _, err := idx.resolve("rtnl-link-nope"); err == nil {
		t.Error("resolve(rtnl-link-nope) found something")
	}
}
