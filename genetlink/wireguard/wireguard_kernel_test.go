//go:build linux

package wireguard_test

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/genetlink"
	"github.com/nlkit/netlink/genetlink/wireguard"
	"github.com/nlkit/netlink/internal/nstest"
	"github.com/nlkit/netlink/internal/vmtest"
	"golang.org/x/sys/unix"
)

// wgDevice makes a WireGuard device wg0 in a new namespace, or skips
// where the kernel has no WireGuard (this machine: no modules; the VM
// loads wireguard on demand).
func wgDevice(t *testing.T) (*nstest.NS, *wireguard.Conn) {
	t.Helper()
	ns := nstest.New(t)
	if out, err := ns.Try("link", "add", "wg0", "type", "wireguard"); err != nil {
		t.Skipf("no WireGuard in this kernel: %s", out)
	}
	g, err := genetlink.Dial(&netlink.Config{NetNS: ns.Path})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { g.Close() })
	wg, err := wireguard.New(context.Background(), g)
	if err != nil {
		t.Fatal(err)
	}
	return ns, wg
}

// haveWG reports whether wg is installed. In a VM of internal/vmtest,
// which copies the host's wg in, a missing wg fails the test: there the
// tests are to be compared with it (.ci/e2e-deps.sh installs
// wireguard-tools).
func haveWG(t *testing.T) bool {
	t.Helper()
	if _, err := exec.LookPath("wg"); err != nil {
		if kernel, ok := vmtest.Guest(); ok {
			t.Fatalf("no wg in the Linux %s VM to compare with: install wireguard-tools on the host", kernel)
		}
		return false
	}
	return true
}

// wgDump runs wg show all dump in ns, or returns nil when wg is missing
// (outside a VM).
func wgDump(t *testing.T, ns *nstest.NS) [][]string {
	t.Helper()
	if !haveWG(t) {
		return nil
	}
	out, err := exec.Command("ip", "netns", "exec", ns.Name, "wg", "show", "all", "dump").CombinedOutput()
	if err != nil {
		t.Fatalf("wg show all dump: %v: %s", err, out)
	}
	var lines [][]string
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		lines = append(lines, strings.Split(l, "\t"))
	}
	return lines
}

// dumpLines returns dev as wg show all dump prints it.
func dumpLines(dev wireguard.Device) [][]string {
	none := func(k wireguard.Key) string {
		if k.IsZero() {
			return "(none)"
		}
		return k.String()
	}
	mark := "off"
	if dev.FirewallMark != 0 {
		mark = fmt.Sprintf("0x%x", dev.FirewallMark)
	}
	lines := [][]string{{dev.Name, none(dev.PrivateKey), none(dev.PublicKey), strconv.Itoa(dev.ListenPort), mark}}
	for _, p := range dev.Peers {
		ep := "(none)"
		if p.Endpoint.IsValid() {
			ep = p.Endpoint.String()
		}
		var ips []string
		for _, ip := range p.AllowedIPs {
			ips = append(ips, ip.String())
		}
		allowed := "(none)"
		if len(ips) > 0 {
			allowed = strings.Join(ips, ",")
		}
		hs := "0"
		if !p.LastHandshake.IsZero() {
			hs = strconv.FormatInt(p.LastHandshake.Unix(), 10)
		}
		ka := "off"
		if p.PersistentKeepalive != 0 {
			ka = strconv.Itoa(int(p.PersistentKeepalive / time.Second))
		}
		lines = append(lines, []string{dev.Name, p.PublicKey.String(), none(p.PresharedKey), ep, allowed, hs,
			strconv.FormatUint(p.ReceiveBytes, 10), strconv.FormatUint(p.TransmitBytes, 10), ka})
	}
	return lines
}

// compareDump compares dev with wg show all dump, line by line.
func compareDump(t *testing.T, ns *nstest.NS, dev wireguard.Device) {
	t.Helper()
	theirs := wgDump(t, ns)
	if theirs == nil {
		t.Log("no wg: compared with our own reading only")
		return
	}
	compareLines(t, dumpLines(dev), theirs)
}

// compareLines compares our lines of wg show all dump with wg's.
func compareLines(t *testing.T, ours, theirs [][]string) {
	t.Helper()
	if len(ours) != len(theirs) {
		t.Fatalf("wg show all dump has %d lines, we have %d", len(theirs), len(ours))
	}
	bad := 0
	for i := range ours {
		if !slices.Equal(ours[i], theirs[i]) {
			if bad++; bad <= 3 {
				t.Errorf("line %d: ours\n%q\nwg's\n%q", i, ours[i], theirs[i])
			}
		}
	}
	if bad > 3 {
		t.Errorf("... %d lines differ", bad)
	}
}

func key(t *testing.T) wireguard.Key {
	k, err := wireguard.GeneratePrivateKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestDevice20000Peers sets a device with 20,000 peers (and one with
// 3,000 allowed IPs), which takes many requests, reads it back, which
// takes many replies, and compares it with wg show all dump.
func TestDevice20000Peers(t *testing.T) {
	n := 20000
	if testing.Short() {
		n = 2000
	}
	ns, wg := wgDevice(t)
	ctx := context.Background()
	cfg := wireguard.TestBigConfig(t, n, 3000)
	start := time.Now()
	if err := wg.ConfigureDevice(ctx, "wg0", cfg); err != nil {
		t.Fatal(err)
	}
	set := time.Since(start)
	start = time.Now()
	dev, err := wg.Device(ctx, "wg0")
	if err != nil {
		t.Fatal(err)
	}
	get := time.Since(start)
	t.Logf("%d peers, %d allowed IPs: set in %v, read back in %v", n+1, 2*(n+1)+3000, set, get)
	wireguard.TestCheckDevice(t, dev, cfg)
	if byIndex, err := wg.DeviceByIndex(ctx, dev.Index); err != nil || len(byIndex.Peers) != len(dev.Peers) || byIndex.Name != "wg0" {
		t.Errorf("DeviceByIndex(%d) = %d peers, %v", dev.Index, len(byIndex.Peers), err)
	}
	start = time.Now()
	if theirs := wgDump(t, ns); theirs != nil {
		t.Logf("wg show all dump read it in %v", time.Since(start))
		compareLines(t, dumpLines(dev), theirs)
	} else {
		t.Log("no wg: compared with our own reading only")
	}
}

// TestDeviceChanges: peers removed, changed only if there, allowed IPs
// replaced, peers replaced; and what wg sets we read.
func TestDeviceChanges(t *testing.T) {
	ns, wg := wgDevice(t)
	ns.Run(t, "link", "set", "wg0", "up") // so that the kernel picks the port
	ctx := context.Background()
	a, b, c, d := key(t).PublicKey(), key(t).PublicKey(), key(t).PublicKey(), key(t).PublicKey()
	priv := key(t)
	port := 0
	ka := 15 * time.Second
	psk := key(t)
	pfx := netip.MustParsePrefix
	err := wg.ConfigureDevice(ctx, "wg0", wireguard.Config{PrivateKey: &priv, ListenPort: &port, Peers: []wireguard.PeerConfig{
		{PublicKey: a, AllowedIPs: []netip.Prefix{pfx("198.18.1.0/24")}, Endpoint: netip.MustParseAddrPort("198.19.0.1:51820"), PersistentKeepalive: &ka},
		{PublicKey: b, AllowedIPs: []netip.Prefix{pfx("198.18.2.0/24"), pfx("2001:db8:2::/48")}, PresharedKey: &psk},
		{PublicKey: c},
	}})
	if err != nil {
		t.Fatal(err)
	}
	dev, err := wg.Device(ctx, "wg0")
	if err != nil {
		t.Fatal(err)
	}
	if dev.ListenPort == 0 || dev.PublicKey != priv.PublicKey() || len(dev.Peers) != 3 {
		t.Errorf("device %+v: want a port the kernel chose, the public key of the private, 3 peers", dev)
	}
	compareDump(t, ns, dev)

	// Remove c, replace b's allowed IPs, update d only if there (it is not).
	err = wg.ConfigureDevice(ctx, "wg0", wireguard.Config{Peers: []wireguard.PeerConfig{
		{PublicKey: c, Remove: true},
		{PublicKey: b, ReplaceAllowedIPs: true, AllowedIPs: []netip.Prefix{pfx("198.18.3.0/24")}},
		{PublicKey: d, UpdateOnly: true, AllowedIPs: []netip.Prefix{pfx("198.18.4.0/24")}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	dev, _ = wg.Device(ctx, "wg0")
	var keys []wireguard.Key
	for _, p := range dev.Peers {
		keys = append(keys, p.PublicKey)
		if p.PublicKey == b && !slices.Equal(p.AllowedIPs, []netip.Prefix{pfx("198.18.3.0/24")}) {
			t.Errorf("b's allowed IPs %v after replacing", p.AllowedIPs)
		}
		if p.PublicKey == b && p.PresharedKey != psk {
			t.Errorf("b's preshared key %v, want %v", p.PresharedKey, psk)
		}
	}
	if !slices.Equal(keys, []wireguard.Key{a, b}) {
		t.Errorf("peers %v, want a %v and b %v", keys, a, b)
	}
	compareDump(t, ns, dev)

	// What wg sets, we read.
	if haveWG(t) {
		out, err := exec.Command("ip", "netns", "exec", ns.Name, "wg", "set", "wg0", "fwmark", "0x99", "peer", d.String(),
			"allowed-ips", "198.18.5.0/24,2001:db8:5::/64", "endpoint", "[2001:db8::9]:4500", "persistent-keepalive", "7").CombinedOutput()
		if err != nil {
			t.Fatalf("wg set: %v: %s", err, out)
		}
		dev, _ = wg.Device(ctx, "wg0")
		if dev.FirewallMark != 0x99 || len(dev.Peers) != 3 || dev.Peers[2].PublicKey != d ||
			dev.Peers[2].Endpoint != netip.MustParseAddrPort("[2001:db8::9]:4500") || dev.Peers[2].PersistentKeepalive != 7*time.Second ||
			!slices.Equal(dev.Peers[2].AllowedIPs, []netip.Prefix{pfx("198.18.5.0/24"), pfx("2001:db8:5::/64")}) {
			t.Errorf("after wg set: %+v", dev)
		}
		compareDump(t, ns, dev)
	}

	// Replace the peers: only d stays.
	if err := wg.ConfigureDevice(ctx, "wg0", wireguard.Config{ReplacePeers: true, Peers: []wireguard.PeerConfig{{PublicKey: d}}}); err != nil {
		t.Fatal(err)
	}
	dev, _ = wg.Device(ctx, "wg0")
	if len(dev.Peers) != 1 || dev.Peers[0].PublicKey != d {
		t.Errorf("after replacing the peers: %+v", dev.Peers)
	}
	// Refusals: the kernel's, naming the device.
	_, err = wg.Device(ctx, "nosuch0")
	if !errors.Is(err, unix.ENODEV) || !strings.Contains(err.Error(), `"nosuch0"`) {
		t.Errorf("Device(nosuch0) = %v; want ENODEV naming the device", err)
	}
	if err := wg.ConfigureDevice(ctx, "lo", wireguard.Config{}); !errors.Is(err, unix.EOPNOTSUPP) && !errors.Is(err, unix.ENODEV) {
		t.Errorf("ConfigureDevice(lo) = %v; want EOPNOTSUPP", err)
	}
}
