//go:build linux

package genetlink_test

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/genetlink"
	"github.com/nlkit/netlink/internal/nstest"
	"github.com/nlkit/netlink/internal/vmtest"
	"golang.org/x/sys/unix"
)

// dial returns a Conn in a fresh network namespace, and the namespace.
func dial(t *testing.T, cfg *netlink.Config) (*genetlink.Conn, *nstest.NS) {
	t.Helper()
	ns := nstest.New(t)
	var c netlink.Config
	if cfg != nil {
		c = *cfg
	}
	c.NetNS = ns.Path
	gc, err := genetlink.Dial(&c)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { gc.Close() })
	return gc, ns
}

// inNS runs a command inside the namespace and returns its output, skipping
// the test when the command is missing.
func inNS(t *testing.T, ns *nstest.NS, name string, args ...string) string {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		t.Skipf("needs %s", name)
	}
	out, err := exec.Command("ip", append([]string{"netns", "exec", ns.Name, name}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v: %s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// parseGenlList reads `genl ctrl list`: for each family, its ID, version,
// header size, max attribute, commands with their capabilities, and groups.
func parseGenlList(t *testing.T, out string) map[string]genetlink.Family {
	t.Helper()
	fams := map[string]genetlink.Family{}
	var f *genetlink.Family
	section := ""
	num := func(s string) uint64 {
		v, err := strconv.ParseUint(s, 0, 64)
		if err != nil {
			t.Fatalf("genl ctrl list: %q: %v", s, err)
		}
		return v
	}
	flush := func() {
		if f != nil {
			fams[f.Name] = *f
		}
	}
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		switch {
		case len(fields) == 0:
		case fields[0] == "Name:":
			flush()
			f = &genetlink.Family{Name: fields[1]}
		case fields[0] == "ID:" && len(fields) >= 10:
			// ID: 0x10  Version: 0x2  header size: 0  max attribs: 0
			f.ID = uint16(num(fields[1]))
			f.Version = uint32(num(fields[3]))
			f.HeaderSize = uint32(num(fields[6]))
			f.MaxAttr = uint32(num(fields[9]))
		case fields[0] == "commands":
			section = "ops"
		case fields[0] == "multicast":
			section = "groups"
		case strings.HasPrefix(fields[0], "#") && section == "ops":
			f.Ops = append(f.Ops, genetlink.Op{Command: uint32(num(strings.TrimPrefix(fields[1], "ID-")))})
		case fields[0] == "Capabilities":
			flags := strings.TrimSuffix(strings.TrimPrefix(fields[1], "("), "):")
			f.Ops[len(f.Ops)-1].Flags = genetlink.OpFlags(num(flags))
		case strings.HasPrefix(fields[0], "#") && section == "groups":
			// #1:  ID-0x10  name: notify
			f.Groups = append(f.Groups, genetlink.Group{Name: fields[3], ID: uint32(num(strings.TrimPrefix(fields[1], "ID-")))})
		}
	}
	flush()
	return fams
}

// TestFamiliesMatchGenl compares every family, listed and looked up by
// name, with what iproute2's `genl ctrl list` prints in the same namespace.
// It runs again with 4 KiB datagrams, so that the dump spans several.
func TestFamiliesMatchGenl(t *testing.T) {
	t.Run("default", func(t *testing.T) { testFamiliesMatchGenl(t, nil) })
	t.Run("4KiB", func(t *testing.T) { testFamiliesMatchGenl(t, &netlink.Config{DatagramBuffer: 4096}) })
}

func testFamiliesMatchGenl(t *testing.T, cfg *netlink.Config) {
	c, ns := dial(t, cfg)
	want := parseGenlList(t, inNS(t, ns, "genl", "ctrl", "list"))
	if len(want) == 0 {
		t.Fatal("genl ctrl list printed no families")
	}
	ctx := context.Background()
	got := map[string]genetlink.Family{}
	for f, err := range c.Families(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		got[f.Name] = f
	}
	for _, name := range slices.Sorted(mapKeys(want)) {
		w := want[name]
		g, ok := got[name]
		if !ok {
			t.Errorf("Families: no %s", name)
			continue
		}
		compareFamily(t, "Families", w, g)
		one, err := c.Family(ctx, name)
		if err != nil {
			t.Errorf("Family(%q): %v", name, err)
			continue
		}
		compareFamily(t, "Family", w, one)
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("Families: %s, which genl does not list", name)
		}
	}
	must := []string{"nlctrl", "ethtool"}
	if vmtest.KernelAtLeast(t, 6, 3) {
		must = append(must, "netdev")
	}
	for _, name := range must {
		if _, ok := got[name]; !ok {
			t.Errorf("no %s family in a network namespace", name)
		}
	}
	t.Logf("%d families match genl ctrl list", len(want))
	if *update && cfg == nil {
		captureDump(t, c, unix.CTRL_CMD_GETFAMILY, "", "testdata/getfamily_dump.bin")
		captureDump(t, c, unix.CTRL_CMD_GETPOLICY, "netdev", "testdata/getpolicy_netdev.bin")
	}
}

var update = flag.Bool("update", false, "rewrite testdata/ with the kernel's replies")

// captureDump records nlctrl's reply to a dump of cmd, for family if not
// "", for the fuzz seeds.
func captureDump(t *testing.T, c *genetlink.Conn, cmd uint8, family, file string) {
	t.Helper()
	var e netlink.AttrEncoder
	e.Reset(genetlink.AppendHeader(nil, genetlink.Header{Command: cmd, Version: 2}))
	if family != "" {
		e.String(unix.CTRL_ATTR_FAMILY_NAME, family)
	}
	data, _ := e.Finish()
	msgs, err := c.NL.DumpAll(context.Background(), netlink.Message{Header: netlink.Header{Type: unix.GENL_ID_CTRL}, Data: data})
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

func mapKeys[K comparable, V any](m map[K]V) func(func(K) bool) {
	return func(yield func(K) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func compareFamily(t *testing.T, how string, want, got genetlink.Family) {
	t.Helper()
	if want.ID != got.ID || want.Version != got.Version || want.HeaderSize != got.HeaderSize || want.MaxAttr != got.MaxAttr {
		t.Errorf("%s %s: ID %#x version %d header %d maxattr %d; genl says %#x %d %d %d", how, want.Name,
			got.ID, got.Version, got.HeaderSize, got.MaxAttr, want.ID, want.Version, want.HeaderSize, want.MaxAttr)
	}
	if want.Version < 2 {
		// genl prints an op's flags only for families of version 2 or
		// later (iproute2's ctrl.c: ctrl_ver >= 0x2): compare the IDs.
		want.Ops = slices.Clone(want.Ops)
		for i := range want.Ops {
			if i < len(got.Ops) {
				want.Ops[i].Flags = got.Ops[i].Flags
			}
		}
	}
	if !slices.Equal(want.Ops, got.Ops) {
		t.Errorf("%s %s: ops %v; genl says %v", how, want.Name, got.Ops, want.Ops)
	}
	if !slices.Equal(want.Groups, got.Groups) {
		t.Errorf("%s %s: groups %v; genl says %v", how, want.Name, got.Groups, want.Groups)
	}
}

// TestUnknownFamily checks that a family no one registered is ENOENT, with
// a message that names it.
func TestUnknownFamily(t *testing.T) { onBackends(t, testUnknownFamily) }

func testUnknownFamily(t *testing.T, b backend) {
	c := b.dial(t, nil)
	_, err := c.Family(context.Background(), "nlkit-nosuch")
	if !errors.Is(err, unix.ENOENT) {
		t.Fatalf("Family(nlkit-nosuch): %v, want ENOENT", err)
	}
	var oe *netlink.OpError
	if !errors.As(err, &oe) {
		t.Fatalf("Family(nlkit-nosuch): %T is no *netlink.OpError", err)
	}
	if msg := err.Error(); !strings.Contains(msg, `"nlkit-nosuch"`) || !strings.Contains(msg, "nlctrl GETFAMILY") {
		t.Errorf("error %q does not name the family and the request", msg)
	}
	t.Log(err)
	if _, err := c.JoinGroup(context.Background(), "nlctrl", "nosuch"); !errors.Is(err, unix.ENOENT) {
		t.Errorf("JoinGroup(nlctrl, nosuch): %v, want ENOENT", err)
	}
}

// TestJoinGroup joins netdev's "mgmt" group by name and sees the
// notification of a device added to the namespace (NETDEV_CMD_DEV_ADD_NTF),
// sent to the group ID JoinGroup returned.
func TestJoinGroup(t *testing.T) { onBackends(t, testJoinGroup) }

func testJoinGroup(t *testing.T, b backend) {
	c := b.dial(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	id, err := c.JoinGroup(ctx, "netdev", "mgmt")
	if _, kernel := b.(*kernelBackend); kernel && noNetdev(t, err) {
		t.SkipNow()
	}
	if err != nil {
		t.Fatal(err)
	}
	b.addDevice(t)
	for {
		d, err := c.NL.ReceiveDatagram(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for m, err := range d.Messages() {
			if err != nil {
				t.Fatal(err)
			}
			h, err := genetlink.ParseHeader(m.Data)
			if err != nil {
				t.Fatal(err)
			}
			const devAddNtf = 2 // NETDEV_CMD_DEV_ADD_NTF
			if h.Command != devAddNtf {
				continue
			}
			if d.Group != id {
				t.Errorf("notification to group %d, want %d", d.Group, id)
			}
			t.Logf("group %d: NETDEV_CMD_DEV_ADD_NTF", d.Group)
			return
		}
	}
}
