//go:build linux

package ethtool_test

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/genetlink"
	"github.com/nlkit/netlink/genetlink/ethtool"
	"github.com/nlkit/netlink/internal/nstest"
	"golang.org/x/sys/unix"
)

var update = flag.Bool("update", false, "rewrite testdata/ with the kernel's replies")

// setup returns an ethtool Conn in a fresh namespace holding the veth pair
// va, vb.
func setup(t *testing.T) (*ethtool.Conn, *nstest.NS) {
	t.Helper()
	ns := nstest.New(t)
	ns.Run(t, "link", "add", "va", "type", "veth", "peer", "name", "vb")
	g, err := genetlink.Dial(&netlink.Config{NetNS: ns.Path})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { g.Close() })
	c, err := ethtool.New(context.Background(), g)
	if err != nil {
		t.Fatal(err)
	}
	return c, ns
}

// ethtoolSettings runs `ethtool DEV` in the namespace and returns its
// "Key: value" lines.
func ethtoolSettings(t *testing.T, ns *nstest.NS, dev string) map[string]string {
	t.Helper()
	if _, err := exec.LookPath("ethtool"); err != nil {
		t.Skip("needs the ethtool command")
	}
	out, err := exec.Command("ip", "netns", "exec", ns.Name, "ethtool", dev).CombinedOutput()
	if err != nil {
		t.Fatalf("ethtool %s: %v: %s", dev, err, out)
	}
	kv := map[string]string{}
	for _, line := range strings.Split(string(out), "\n") {
		if k, v, ok := strings.Cut(strings.TrimSpace(line), ":"); ok {
			kv[k] = strings.TrimSpace(v)
		}
	}
	return kv
}

func ifindex(t *testing.T, ns *nstest.NS, dev string) int {
	t.Helper()
	var links []struct{ Ifindex int }
	if err := json.Unmarshal([]byte(ns.Run(t, "-j", "link", "show", dev)), &links); err != nil || len(links) != 1 {
		t.Fatalf("ip -j link show %s: %v", dev, err)
	}
	return links[0].Ifindex
}

// TestLinkInfoAndModes compares link info and link modes of a veth with
// what the ethtool command prints for it.
func TestLinkInfoAndModes(t *testing.T) {
	c, ns := setup(t)
	ctx := context.Background()
	li, err := c.LinkInfo(ctx, "va")
	if err != nil {
		t.Fatal(err)
	}
	lm, err := c.LinkModes(ctx, "va")
	if err != nil {
		t.Fatal(err)
	}
	want := ethtoolSettings(t, ns, "va")
	idx := ifindex(t, ns, "va")
	if li.Index != idx || li.Name != "va" || lm.Index != idx || lm.Name != "va" {
		t.Errorf("devices %+v, %+v; want va, index %d", li.Device, lm.Device, idx)
	}
	autoneg := map[bool]string{false: "off", true: "on"}[lm.Autoneg]
	transceiver := map[uint8]string{0: "internal", 1: "external"}[li.Transceiver]
	got := map[string]string{
		"Speed":            strings.Replace(strconv.FormatUint(uint64(lm.Speed), 10)+"Mb/s", "4294967295Mb/s", "Unknown!", 1),
		"Duplex":           lm.Duplex.String(),
		"Auto-negotiation": autoneg,
		"Port":             li.Port.String(),
		"PHYAD":            strconv.Itoa(int(li.PHYAddr)),
		"Transceiver":      transceiver,
	}
	for k, v := range got {
		if want[k] != v {
			t.Errorf("%s: %q, ethtool says %q", k, v, want[k])
		}
	}
	if want["Supported link modes"] == "Not reported" && (lm.Ours.Size == 0 || lm.Ours.Has(0) || lm.Ours.Allows(0)) {
		t.Errorf("ours %+v: want an empty set of link modes, of some size", lm.Ours)
	}
	t.Logf("%+v %+v", li, lm)
	if *update {
		for name, cmd := range map[string]uint8{"linkinfo": unix.ETHTOOL_MSG_LINKINFO_GET, "linkmodes": unix.ETHTOOL_MSG_LINKMODES_GET} {
			capture(t, c, cmd, "testdata/"+name+".bin")
		}
	}
}

// capture records the reply to cmd about va for the fuzz seeds.
func capture(t *testing.T, c *ethtool.Conn, cmd uint8, file string) {
	var e netlink.AttrEncoder
	n := e.Nest(1)
	e.String(unix.ETHTOOL_A_HEADER_DEV_NAME, "va")
	e.Uint32(unix.ETHTOOL_A_HEADER_FLAGS, unix.ETHTOOL_FLAG_COMPACT_BITSETS)
	e.End(n)
	attrs, _ := e.Finish()
	msgs, err := c.G.Execute(context.Background(), &c.Family, cmd, attrs)
	if err != nil {
		t.Fatal(err)
	}
	var b []byte
	for _, m := range msgs {
		b = netlink.AppendMessage(b, m.Header, m.Data)
	}
	if err := os.WriteFile(file, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestNoSuchDevice checks that a missing device is ENODEV, with an error
// that names the family and the command.
func TestNoSuchDevice(t *testing.T) {
	c, _ := setup(t)
	_, err := c.LinkInfo(context.Background(), "nosuch0")
	if !errors.Is(err, unix.ENODEV) {
		t.Fatalf("LinkInfo(nosuch0): %v, want ENODEV", err)
	}
	if !strings.Contains(err.Error(), "ethtool LINKINFO_GET") {
		t.Errorf("error %q does not name ethtool LINKINFO_GET", err)
	}
	t.Log(err)
}

// TestBridgeDuplexUnknown: a bridge with no port up reports an unknown
// duplex (DUPLEX_UNKNOWN, 255), which the package prints as the ethtool
// command does, and reads the unknown speed alike.
func TestBridgeDuplexUnknown(t *testing.T) {
	c, ns := setup(t)
	ns.Run(t, "link", "add", "br0", "type", "bridge")
	lm, err := c.LinkModes(context.Background(), "br0")
	if err != nil {
		t.Fatal(err)
	}
	want := ethtoolSettings(t, ns, "br0")
	if lm.Duplex != ethtool.DuplexUnknown || lm.Duplex.String() != want["Duplex"] {
		t.Errorf("bridge duplex %d %q, ethtool says %q; want DuplexUnknown alike", uint8(lm.Duplex), lm.Duplex.String(), want["Duplex"])
	}
	if speed := strings.Replace(strconv.FormatUint(uint64(lm.Speed), 10)+"Mb/s", "4294967295Mb/s", "Unknown!", 1); speed != want["Speed"] {
		t.Errorf("bridge speed %s, ethtool says %q", speed, want["Speed"])
	}
	t.Logf("Duplex: %s, Speed: %s", want["Duplex"], want["Speed"])
}
