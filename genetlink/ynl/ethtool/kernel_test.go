//go:build linux

package ethtool

import (
	"context"
	"errors"
	"flag"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/genetlink"
	"github.com/nlkit/netlink/genetlink/ynl"
	"github.com/nlkit/netlink/genetlink/ynl/ynltest"
	"github.com/nlkit/netlink/internal/nstest"
	"github.com/nlkit/netlink/internal/vmtest"
	"golang.org/x/sys/unix"
)

var update = flag.Bool("update", false, "write the kernel's replies to testdata/fuzz as seeds")

// setup makes a namespace with a veth pair va/vb and returns a Client in it.
func setup(t *testing.T) (*nstest.NS, *Client) {
	ns := nstest.New(t)
	if _, err := exec.LookPath("ethtool"); err != nil {
		t.Skip("needs the ethtool command")
	}
	ns.Run(t, "link", "add", "va", "type", "veth", "peer", "name", "vb")
	g, err := genetlink.Dial(&netlink.Config{NetNS: ns.Path})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { g.Close() })
	c, err := New(context.Background(), g)
	if err != nil {
		t.Fatal(err)
	}
	return ns, c
}

// allDevs is the header of a dump of every device: none, which the kernel
// takes from Linux 6.5 on; an empty one before (without it, the kernel's
// "request header missing"), as ethtool sends.
func allDevs(t *testing.T) ynl.Opt[Header] {
	if vmtest.KernelAtLeast(t, 6, 5) {
		return ynl.Opt[Header]{}
	}
	return ynl.Some(Header{})
}

// tool runs ethtool in ns and returns its output.
func tool(t *testing.T, ns *nstest.NS, args ...string) string {
	t.Helper()
	out, err := exec.Command("ip", append([]string{"netns", "exec", ns.Name, "ethtool"}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("ethtool %s: %v: %s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// fields reads ethtool's "Key: value" lines; under a heading that ends in
// a colon (such as "Current hardware settings:"), keys are also stored
// with the heading in front, as "Current hardware settings/RX".
func fields(out string) map[string]string {
	m := map[string]string{}
	section := ""
	for _, line := range strings.Split(out, "\n") {
		k, v, ok := strings.Cut(strings.TrimSpace(line), ":")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		if v == "" && !strings.HasPrefix(line, "\t") {
			section = k + "/"
			continue
		}
		m[section+k] = v
		if _, ok := m[k]; !ok {
			m[k] = v
		}
	}
	return m
}

func dev(name string) ynl.Opt[Header] { return ynl.Some(Header{DevName: name}) }

// seed writes a reply's attributes as a fuzz seed for set, with -update.
func seed(t *testing.T, set, name string, c *Client, cmd uint8, req ynl.Set) {
	if !*update {
		return
	}
	attrs, err := ynl.Encode(req)
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := c.G.Execute(context.Background(), &c.Family, cmd, attrs)
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range fuzzSets {
		if s.name == set {
			ynltest.WriteSeed(t, "FuzzRoundTrip", name, uint8(i), msgs[0].Data[genetlink.HeaderLen:])
		}
	}
}

// TestLinkMatchesEthtool reads a veth's link info, link modes and link
// state, as a do for va and as dumps, and compares them with what
// `ethtool va` prints.
func TestLinkMatchesEthtool(t *testing.T) {
	ns, c := setup(t)
	ctx := context.Background()
	want := fields(tool(t, ns, "va"))

	info, err := c.LinkinfoGet(ctx, &Linkinfo{Header: dev("va")})
	if err != nil {
		t.Fatal(err)
	}
	ports := map[uint8]string{0: "Twisted Pair", 3: "MII", 4: "FIBRE", 0xef: "None", 0xff: "Other"}
	xcvrs := map[uint8]string{0: "internal", 1: "external"}
	if info.Header.V.DevName != "va" || !info.Header.V.DevIndex.Set {
		t.Errorf("reply header %+v, want va with its index", info.Header.V)
	}
	if got := ports[info.Port.V]; !info.Port.Set || got != want["Port"] {
		t.Errorf("port %v (%q), ethtool says %q", info.Port, got, want["Port"])
	}
	if got := strconv.Itoa(int(info.Phyaddr.V)); got != want["PHYAD"] {
		t.Errorf("phyaddr %s, ethtool says %q", got, want["PHYAD"])
	}
	if got := xcvrs[info.Transceiver.V]; got != want["Transceiver"] {
		t.Errorf("transceiver %v (%q), ethtool says %q", info.Transceiver, got, want["Transceiver"])
	}
	seed(t, "linkinfo", "linkinfo-veth", c, CmdLinkinfoGet, &Linkinfo{Header: dev("va")})

	modes, err := c.LinkmodesGet(ctx, &Linkmodes{Header: dev("va")})
	if err != nil {
		t.Fatal(err)
	}
	if got := strconv.Itoa(int(modes.Speed.V)) + "Mb/s"; got != want["Speed"] {
		t.Errorf("speed %v, ethtool says %q", modes.Speed, want["Speed"])
	}
	duplex := map[uint8]string{0: "Half", 1: "Full"}
	if got := duplex[modes.Duplex.V]; got != want["Duplex"] {
		t.Errorf("duplex %v, ethtool says %q", modes.Duplex, want["Duplex"])
	}
	autoneg := map[uint8]string{0: "off", 1: "on"}
	if got := autoneg[modes.Autoneg.V]; got != want["Auto-negotiation"] {
		t.Errorf("autoneg %v, ethtool says %q", modes.Autoneg, want["Auto-negotiation"])
	}
	seed(t, "linkmodes", "linkmodes-veth", c, CmdLinkmodesGet, &Linkmodes{Header: dev("va")})

	// Link state, down and then up (both ends up: a veth has carrier then).
	for _, up := range []bool{false, true} {
		if up {
			ns.Run(t, "link", "set", "va", "up")
			ns.Run(t, "link", "set", "vb", "up")
		}
		st, err := c.LinkstateGet(ctx, &Linkstate{Header: dev("va")})
		if err != nil {
			t.Fatal(err)
		}
		yesno := map[uint8]string{0: "no", 1: "yes"}
		if got, want := yesno[st.Link.V], fields(tool(t, ns, "va"))["Link detected"]; got != want {
			t.Errorf("link %v, ethtool says %q", st.Link, want)
		}
	}

	// The dump has both ends of the pair, each as its do reads it.
	seen := map[string]bool{}
	for info, err := range c.LinkinfoGetDump(ctx, &Linkinfo{Header: allDevs(t)}) {
		if err != nil {
			t.Fatal(err)
		}
		seen[info.Header.V.DevName] = true
		one, err := c.LinkinfoGet(ctx, &Linkinfo{Header: dev(info.Header.V.DevName)})
		if err != nil {
			t.Fatal(err)
		}
		if one.Port != info.Port || one.Transceiver != info.Transceiver || one.Header.V.DevIndex != info.Header.V.DevIndex {
			t.Errorf("dump has %+v, do has %+v", info, one)
		}
	}
	if !seen["va"] || !seen["vb"] {
		t.Errorf("linkinfo dump has %v, want va and vb", seen)
	}
}

// TestChannelsBothWays reads a veth's channels as `ethtool -l` prints
// them, sets them and checks that ethtool reads the change, then sets them
// with `ethtool -L` and reads that.
func TestChannelsBothWays(t *testing.T) {
	ns, c := setup(t)
	ctx := context.Background()
	check := func(label string) {
		t.Helper()
		ch, err := c.ChannelsGet(ctx, &Channels{Header: dev("va")})
		if err != nil {
			t.Fatal(err)
		}
		want := fields(tool(t, ns, "-l", "va"))
		for key, got := range map[string]ynl.Opt[uint32]{
			"Pre-set maximums/RX": ch.RxMax, "Pre-set maximums/TX": ch.TxMax,
			"Current hardware settings/RX": ch.RxCount, "Current hardware settings/TX": ch.TxCount,
		} {
			if s := strconv.Itoa(int(got.V)); !got.Set || s != want[key] {
				t.Errorf("%s: %s %v, ethtool says %q", label, key, got, want[key])
			}
		}
	}
	check("as created")
	seed(t, "channels", "channels-veth", c, CmdChannelsGet, &Channels{Header: dev("va")})

	if err := c.ChannelsSet(ctx, &Channels{Header: dev("va"), RxCount: ynl.Some[uint32](2)}); err != nil {
		t.Fatal(err)
	}
	if got := fields(tool(t, ns, "-l", "va"))["Current hardware settings/RX"]; got != "2" {
		t.Errorf("after setting rx-count 2, ethtool says RX %q", got)
	}
	check("after ChannelsSet")
	tool(t, ns, "-L", "va", "rx", "1", "tx", "2")
	ch, err := c.ChannelsGet(ctx, &Channels{Header: dev("va")})
	if err != nil {
		t.Fatal(err)
	}
	if ch.RxCount != ynl.Some[uint32](1) || ch.TxCount != ynl.Some[uint32](2) {
		t.Errorf("after ethtool -L va rx 1 tx 2: rx %v tx %v", ch.RxCount, ch.TxCount)
	}
	check("after ethtool -L")

	n := 0
	for ch, err := range c.ChannelsGetDump(ctx, &Channels{Header: allDevs(t)}) {
		if err != nil {
			t.Fatal(err)
		}
		if name := ch.Header.V.DevName; name == "va" || name == "vb" {
			n++
		}
	}
	if n != 2 {
		t.Errorf("channels dump has %d of va and vb", n)
	}
}

// TestFeaturesMatchEthtoolJSON compares the features a veth has active,
// and which it can change, with `ethtool --json -k`, for every feature
// both name.
func TestFeaturesMatchEthtoolJSON(t *testing.T) {
	ns, c := setup(t)
	featuresMatch(t, ns, c, "va")
	seed(t, "features", "features-veth", c, CmdFeaturesGet, &Features{Header: dev("va")})
}

// TestTsinfoMatchesEthtool compares a veth's time stamping capabilities
// with the Capabilities `ethtool -T` lists.
func TestTsinfoMatchesEthtool(t *testing.T) {
	ns, c := setup(t)
	ts, err := c.TsinfoGet(context.Background(), &Tsinfo{Header: dev("va")})
	if err != nil {
		t.Fatal(err)
	}
	seed(t, "tsinfo", "tsinfo-veth", c, CmdTsinfoGet, &Tsinfo{Header: dev("va")})
	var got []string
	for _, b := range ts.Timestamping.V.Bits.V.Bit {
		if ts.Timestamping.V.Nomask || b.Value {
			got = append(got, b.Name)
		}
	}
	var want []string
	in := false
	for _, line := range strings.Split(tool(t, ns, "-T", "va"), "\n") {
		switch {
		case strings.HasPrefix(line, "Capabilities:"):
			in = true
		case in && strings.HasPrefix(line, "\t"):
			want = append(want, strings.Fields(line)[0])
		default:
			in = false
		}
	}
	if len(want) == 0 || strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("timestamping %v, ethtool -T says %v", got, want)
	}
}

// TestUnsupportedMatchesEthtool asks a veth for what its driver does not
// have: the kernel's EOPNOTSUPP comes back, where ethtool reports the same.
func TestUnsupportedMatchesEthtool(t *testing.T) {
	ns, c := setup(t)
	ctx := context.Background()
	for _, op := range []struct {
		name string
		flag string
		get  func() error
	}{
		{"rings-get", "-g", func() error { _, err := c.RingsGet(ctx, &Rings{Header: dev("va")}); return err }},
		{"coalesce-get", "-c", func() error { _, err := c.CoalesceGet(ctx, &Coalesce{Header: dev("va")}); return err }},
		{"eee-get", "--show-eee", func() error { _, err := c.EEEGet(ctx, &EEE{Header: dev("va")}); return err }},
		{"fec-get", "--show-fec", func() error { _, err := c.FECGet(ctx, &FEC{Header: dev("va")}); return err }},
	} {
		out, _ := exec.Command("ip", "netns", "exec", ns.Name, "ethtool", op.flag, "va").CombinedOutput()
		toolSays := strings.Contains(string(out), "Operation not supported")
		err := op.get()
		if errors.Is(err, unix.EOPNOTSUPP) != toolSays {
			t.Errorf("%s: %v; ethtool %s says %q", op.name, err, op.flag, out)
		}
		if err != nil && !strings.Contains(err.Error(), op.name) {
			t.Errorf("%s: error %q does not name the operation", op.name, err)
		}
	}
}
