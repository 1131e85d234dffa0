//go:build linux

package ethtool

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/genetlink"
	"github.com/nlkit/netlink/genetlink/ynl"
	"github.com/nlkit/netlink/internal/nstest"
	"github.com/nlkit/netlink/internal/vmtest"
	"golang.org/x/sys/unix"
)

// vmNICs are the network cards of TestNICsVM's VM, by the driver the
// guest binds to each. A netdevsim port (the harness builds netdevsim,
// which Debian's kernels lack) stands beside them, with pause statistics
// and FEC.
var vmNICs = map[string]string{"virtio_net": "virtio-net-pci", "e1000e": "e1000e"}

// TestNICsVM runs TestNICsMatchEthtool in a VM of Debian's 6.12 with a
// virtio-net and an e1000e card and the netdevsim module,
// TestNetdevsimSettingsKernel, and the veth tests of this package there
// (with NLKIT_VM=1; see internal/vmtest).
func TestNICsVM(t *testing.T) {
	var models []string
	for _, m := range vmNICs {
		models = append(models, m)
	}
	slices.Sort(models)
	vmtest.Run(t, vmtest.Config{Kernel: "6.12", NICs: models, Modules: []string{"netdevsim"}}, func(t *testing.T) {
		t.Run("NICsMatchEthtool", TestNICsMatchEthtool)
		t.Run("NetdevsimSettingsKernel", TestNetdevsimSettingsKernel)
		t.Run("LinkMatchesEthtool", TestLinkMatchesEthtool)
		t.Run("FeaturesMatchEthtoolJSON", TestFeaturesMatchEthtoolJSON)
		t.Run("UnsupportedMatchesEthtool", TestUnsupportedMatchesEthtool)
	})
}

// TestNICsMatchEthtool moves each network card of vmNICs the machine has
// into a namespace of its own, and makes a netdevsim port in another, and
// compares what the generated package reads of each with what the
// ethtool command prints: link modes, link state, features, rings,
// channels, pause, EEE, FEC, coalescing and the standard statistics;
// where the driver lacks an operation, both say so (EOPNOTSUPP). It runs
// only inside a VM (TestNICsVM, or internal/cmd/vmtest with -nics and
// -modules netdevsim), since it takes the machine's cards.
func TestNICsMatchEthtool(t *testing.T) {
	if _, ok := vmtest.Guest(); !ok {
		t.Skip("runs inside a VM (TestNICsVM): it moves the machine's network cards into a namespace")
	}
	if _, err := exec.LookPath("ethtool"); err != nil {
		t.Fatal("needs the ethtool command")
	}
	byDriver := map[string]string{}
	ents, err := os.ReadDir("/sys/class/net")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if drv, err := os.Readlink(filepath.Join("/sys/class/net", e.Name(), "device", "driver")); err == nil {
			byDriver[filepath.Base(drv)] = e.Name()
		}
	}
	for _, drv := range []string{"virtio_net", "e1000e", "netdevsim"} {
		t.Run(drv, func(t *testing.T) {
			ns := nstest.New(t)
			name, ok := byDriver[drv]
			switch {
			case drv == "netdevsim":
				name = ns.NewNetdevsim(t, 1, nsimQueues).Ports[0]
			case !ok:
				t.Skipf("no card with driver %s (cards: %v; vmtest's -nics virtio-net-pci,e1000e gives the VM some)", drv, byDriver)
			default:
				if out, err := exec.Command("ip", "link", "set", "dev", name, "netns", ns.Name).CombinedOutput(); err != nil {
					t.Fatalf("ip link set %s netns: %v: %s", name, err, out)
				}
			}
			ns.Run(t, "link", "set", name, "up")
			g, err := genetlink.Dial(&netlink.Config{NetNS: ns.Path})
			if err != nil {
				t.Fatal(err)
			}
			defer g.Close()
			c, err := New(context.Background(), g)
			if err != nil {
				t.Fatal(err)
			}
			n := &nic{t: t, ns: ns, c: c, name: name}
			t.Run("Link", n.link)
			t.Run("Features", func(t *testing.T) { featuresMatch(t, ns, c, name) })
			t.Run("Rings", n.rings)
			t.Run("Channels", n.channels)
			t.Run("Pause", n.pause)
			t.Run("EEE", n.eee)
			t.Run("FEC", n.fec)
			t.Run("Coalesce", n.coalesce)
			t.Run("Stats", n.stats)
		})
	}
}

// nic is a card in a namespace of its own, and a Client there.
type nic struct {
	t    *testing.T
	ns   *nstest.NS
	c    *Client
	name string
}

func (n *nic) hdr() ynl.Opt[Header] { return dev(n.name) }

// tool runs ethtool with args in n's namespace and returns its output,
// and whether it said the driver lacks the operation.
func (n *nic) tool(t *testing.T, args ...string) (out string, unsupported bool) {
	t.Helper()
	b, err := exec.Command("ip", append([]string{"netns", "exec", n.ns.Name, "ethtool"}, args...)...).CombinedOutput()
	unsupported = strings.Contains(string(b), "Operation not supported")
	if err != nil && !unsupported {
		t.Fatalf("ethtool %s: %v: %s", strings.Join(args, " "), err, b)
	}
	return string(b), unsupported
}

// bothOrNeither checks that the generated call (its error err) and
// ethtool (unsupported) agree on whether the driver has the operation,
// and says whether to compare further.
func bothOrNeither(t *testing.T, op string, err error, unsupported bool) bool {
	t.Helper()
	lacks := errors.Is(err, unix.EOPNOTSUPP)
	switch {
	case err != nil && !lacks:
		t.Fatalf("%s: %v", op, err)
	case lacks != unsupported:
		t.Fatalf("%s: %v; ethtool says unsupported: %v", op, err, unsupported)
	case lacks:
		t.Logf("%s: the driver lacks it, as ethtool says", op)
	}
	return !lacks
}

// link compares link modes, link info and link state with `ethtool NAME`.
// A card's carrier may come up while they are read: the generated reads
// are made before and after ethtool's, and compared when they agree. A
// driver without link settings (netdevsim) has neither link modes nor
// link info, and ethtool NAME fails.
func (n *nic) link(t *testing.T) {
	ctx := context.Background()
	if _, err := n.c.LinkmodesGet(ctx, &Linkmodes{Header: n.hdr()}); errors.Is(err, unix.EOPNOTSUPP) {
		if _, err := n.c.LinkinfoGet(ctx, &Linkinfo{Header: n.hdr()}); !errors.Is(err, unix.EOPNOTSUPP) {
			t.Errorf("linkinfo-get of a device without link modes: %v, want EOPNOTSUPP", err)
		}
		out, err := exec.Command("ip", "netns", "exec", n.ns.Name, "ethtool", n.name).CombinedOutput()
		if err == nil || strings.Contains(string(out), "Speed:") {
			t.Errorf("linkmodes-get: %v; but ethtool %s says (%v):\n%s", err, n.name, err, out)
		}
		t.Logf("linkmodes-get: the driver lacks it; ethtool %s fails: %s", n.name, strings.TrimSpace(string(out)))
		return
	}
	type view struct {
		speed, duplex, autoneg, port, link string
	}
	read := func() view {
		modes, err := n.c.LinkmodesGet(ctx, &Linkmodes{Header: n.hdr()})
		if err != nil {
			t.Fatal(err)
		}
		info, err := n.c.LinkinfoGet(ctx, &Linkinfo{Header: n.hdr()})
		if err != nil {
			t.Fatal(err)
		}
		st, err := n.c.LinkstateGet(ctx, &Linkstate{Header: n.hdr()})
		if err != nil {
			t.Fatal(err)
		}
		v := view{
			speed:   strconv.Itoa(int(modes.Speed.V)) + "Mb/s",
			duplex:  map[uint8]string{0: "Half", 1: "Full", 0xff: "Unknown! (255)"}[modes.Duplex.V],
			autoneg: map[uint8]string{0: "off", 1: "on"}[modes.Autoneg.V],
			port:    map[uint8]string{0: "Twisted Pair", 1: "AUI", 2: "BNC", 3: "MII", 4: "FIBRE", 5: "Direct Attach Copper", 0xef: "None", 0xff: "Other"}[info.Port.V],
			link:    map[uint8]string{0: "no", 1: "yes"}[st.Link.V],
		}
		if modes.Speed.V == 0xffffffff || modes.Speed.V == 0 {
			v.speed = "Unknown!"
		}
		return v
	}
	for try := 0; ; try++ {
		before := read()
		out, _ := n.tool(t, n.name)
		after := read()
		if before != after && try < 20 {
			continue // the link changed meanwhile
		}
		want := fields(out)
		got := map[string]string{"Speed": after.speed, "Duplex": after.duplex, "Auto-negotiation": after.autoneg,
			"Port": after.port, "Link detected": after.link}
		for k, v := range got {
			if want[k] != v {
				t.Errorf("%s: %q, ethtool says %q", k, v, want[k])
			}
		}
		t.Logf("link: %+v", after)
		return
	}
}

// featuresMatch compares the features dev has active, and which it can
// change, with `ethtool --json -k`, for every feature both name.
func featuresMatch(t *testing.T, ns *nstest.NS, c *Client, dev string) {
	f, err := c.FeaturesGet(context.Background(), &Features{Header: ynl.Some(Header{DevName: dev})})
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]json.RawMessage
	if err := json.Unmarshal([]byte(tool(t, ns, "--json", "-k", dev)), &out); err != nil || len(out) != 1 {
		t.Fatalf("ethtool --json -k: %v (%d objects)", err, len(out))
	}
	active := map[string]bool{}
	for _, b := range f.Active.V.Bits.V.Bit {
		active[b.Name] = f.Active.V.Nomask || b.Value
	}
	if len(f.Active.V.Bits.V.Bit) == 0 {
		t.Fatal("features reply lists no active bits by name")
	}
	hw := map[string]bool{}
	for _, b := range f.HW.V.Bits.V.Bit {
		hw[b.Name] = f.HW.V.Nomask || b.Value
	}
	// The kernel names in its active and hw bitsets; ethtool's other names
	// stand for groups of features.
	compared := 0
	for name, raw := range out[0] {
		if _, named := active[name]; !named && !hw[name] {
			continue
		}
		var st struct{ Active, Fixed *bool }
		if err := json.Unmarshal(raw, &st); err != nil || st.Active == nil {
			continue
		}
		compared++
		if active[name] != *st.Active {
			t.Errorf("feature %s: active %v, ethtool says %v", name, active[name], *st.Active)
		}
		if st.Fixed != nil && hw[name] == *st.Fixed {
			t.Errorf("feature %s: changeable %v, ethtool says fixed %v", name, hw[name], *st.Fixed)
		}
	}
	if compared < 5 {
		t.Errorf("compared %d features with ethtool, want more", compared)
	}
	t.Logf("%d features compared with ethtool --json -k", compared)
}

// rings compares the ring sizes with `ethtool -g`.
func (n *nic) rings(t *testing.T) {
	r, err := n.c.RingsGet(context.Background(), &Rings{Header: n.hdr()})
	out, unsupported := n.tool(t, "-g", n.name)
	if !bothOrNeither(t, "rings-get", err, unsupported) {
		return
	}
	want := fields(out)
	for key, got := range map[string]ynl.Opt[uint32]{
		"Pre-set maximums/RX": r.RxMax, "Pre-set maximums/TX": r.TxMax,
		"Current hardware settings/RX": r.Rx, "Current hardware settings/TX": r.Tx,
	} {
		if s := strconv.Itoa(int(got.V)); s != want[key] {
			t.Errorf("%s: %v, ethtool says %q", key, got, want[key])
		}
	}
	t.Logf("rings: rx %v/%v tx %v/%v", r.Rx, r.RxMax, r.Tx, r.TxMax)
}

// channels compares the channel counts with `ethtool -l`.
func (n *nic) channels(t *testing.T) {
	ch, err := n.c.ChannelsGet(context.Background(), &Channels{Header: n.hdr()})
	out, unsupported := n.tool(t, "-l", n.name)
	if !bothOrNeither(t, "channels-get", err, unsupported) {
		return
	}
	want := fields(out)
	for key, got := range map[string]ynl.Opt[uint32]{
		"Pre-set maximums/RX": ch.RxMax, "Pre-set maximums/TX": ch.TxMax,
		"Pre-set maximums/Other": ch.OtherMax, "Pre-set maximums/Combined": ch.CombinedMax,
		"Current hardware settings/RX": ch.RxCount, "Current hardware settings/TX": ch.TxCount,
		"Current hardware settings/Other": ch.OtherCount, "Current hardware settings/Combined": ch.CombinedCount,
	} {
		// ethtool prints n/a for a count of 0.
		s := strconv.Itoa(int(got.V))
		if got.V == 0 {
			s = "n/a"
		}
		if s != want[key] {
			t.Errorf("%s: %v, ethtool says %q", key, got, want[key])
		}
	}
	t.Logf("channels: combined %v/%v", ch.CombinedCount, ch.CombinedMax)
}

// pause compares the pause settings with `ethtool -a`. Not with its
// --json output: ethtool 6.1 (bookworm's) prints true there for each
// setting the kernel reports, on or off.
func (n *nic) pause(t *testing.T) {
	p, err := n.c.PauseGet(context.Background(), &Pause{Header: n.hdr()})
	out, unsupported := n.tool(t, "-a", n.name)
	if !bothOrNeither(t, "pause-get", err, unsupported) {
		return
	}
	want := fields(out)
	onOff := map[bool]string{false: "off", true: "on"}
	got := [3]string{onOff[p.Autoneg.V != 0], onOff[p.Rx.V != 0], onOff[p.Tx.V != 0]}
	if w := [3]string{want["Autonegotiate"], want["RX"], want["TX"]}; got != w {
		t.Errorf("pause autoneg, rx, tx: %v, ethtool -a says %v", got, w)
	}
	t.Logf("pause: autoneg, rx, tx %v", got)
}

// eee compares the EEE state with `ethtool --show-eee`.
func (n *nic) eee(t *testing.T) {
	e, err := n.c.EEEGet(context.Background(), &EEE{Header: n.hdr()})
	out, unsupported := n.tool(t, "--show-eee", n.name)
	if !bothOrNeither(t, "eee-get", err, unsupported) {
		return
	}
	status := "disabled"
	if e.Enabled.V != 0 {
		status = "enabled - inactive"
		if e.Active.V != 0 {
			status = "enabled - active"
		}
	}
	if want := fields(out)["EEE status"]; want != status {
		t.Errorf("EEE status %q, ethtool says %q", status, want)
	}
}

// fec compares the FEC settings with `ethtool --json --show-fec`.
func (n *nic) fec(t *testing.T) {
	f, err := n.c.FECGet(context.Background(), &FEC{Header: n.hdr()})
	out, unsupported := n.tool(t, "--json", "--show-fec", n.name)
	if !bothOrNeither(t, "fec-get", err, unsupported) {
		return
	}
	var want []struct{ Config []string }
	if err := json.Unmarshal([]byte(out), &want); err != nil || len(want) != 1 {
		t.Fatalf("ethtool --json --show-fec: %v (%d objects): %s", err, len(want), out)
	}
	if auto := f.Auto.V != 0; auto != slices.Contains(want[0].Config, "Auto") {
		t.Errorf("FEC auto %v, ethtool's config %v", auto, want[0].Config)
	}
}

// adaptiveRE is the line of `ethtool -c` with the adaptive settings.
var adaptiveRE = regexp.MustCompile(`Adaptive RX: (\S+)\s+TX: (\S+)`)

// coalesce compares the coalescing parameters with `ethtool -c`: those
// the driver has (ethtool prints n/a for the others, which the kernel
// leaves out of its reply).
func (n *nic) coalesce(t *testing.T) {
	co, err := n.c.CoalesceGet(context.Background(), &Coalesce{Header: n.hdr()})
	out, unsupported := n.tool(t, "-c", n.name)
	if !bothOrNeither(t, "coalesce-get", err, unsupported) {
		return
	}
	want := fields(out)
	compared := 0
	for key, got := range map[string]ynl.Opt[uint32]{
		"stats-block-usecs": co.StatsBlockUsecs, "sample-interval": co.RateSampleInterval,
		"pkt-rate-low": co.PktRateLow, "pkt-rate-high": co.PktRateHigh,
		"rx-usecs": co.RxUsecs, "rx-frames": co.RxMaxFrames, "rx-usecs-irq": co.RxUsecsIRQ, "rx-frames-irq": co.RxMaxFramesIRQ,
		"tx-usecs": co.TxUsecs, "tx-frames": co.TxMaxFrames, "tx-usecs-irq": co.TxUsecsIRQ, "tx-frames-irq": co.TxMaxFramesIRQ,
		"rx-usecs-low": co.RxUsecsLow, "rx-frames-low": co.RxMaxFramesLow, "tx-usecs-low": co.TxUsecsLow, "tx-frames-low": co.TxMaxFramesLow,
		"rx-usecs-high": co.RxUsecsHigh, "rx-frames-high": co.RxMaxFramesHigh, "tx-usecs-high": co.TxUsecsHigh, "tx-frames-high": co.TxMaxFramesHigh,
	} {
		w, ok := want[key]
		if !ok {
			continue // not a line of this ethtool's
		}
		s := "n/a"
		if got.Set {
			s = strconv.Itoa(int(got.V))
			compared++
		}
		if s != w {
			t.Errorf("%s: %v, ethtool says %q", key, got, w)
		}
	}
	if m := adaptiveRE.FindStringSubmatch(out); m != nil {
		onOff := func(o ynl.Opt[uint8]) string {
			switch {
			case !o.Set:
				return "n/a"
			case o.V != 0:
				return "on"
			}
			return "off"
		}
		if got := [2]string{onOff(co.UseAdaptiveRx), onOff(co.UseAdaptiveTx)}; got != [2]string{m[1], m[2]} {
			t.Errorf("adaptive rx, tx: %v, ethtool says %v", got, m[1:])
		}
	} else {
		t.Errorf("no Adaptive line in ethtool -c: %s", out)
	}
	t.Logf("coalesce: %d parameters compared", compared)
}

// statsGroups are the standard statistics groups by their IDs
// (ETHTOOL_STATS_ETH_PHY …), as ethtool names them.
var statsGroups = []string{"eth-phy", "eth-mac", "eth-ctrl", "rmon"}

// stats compares the standard statistics groups of the kernel's reply
// with `ethtool --json -S NAME --all-groups` (and with the reply's own
// grp nests, which the spec does not say repeat), and the pause frame
// counters with `ethtool -I -a`.
func (n *nic) stats(t *testing.T) {
	ctx := context.Background()
	var bits []BitsetBit
	for _, g := range statsGroups {
		bits = append(bits, BitsetBit{Name: g})
	}
	req := &Stats{Header: n.hdr(), Groups: ynl.Some(Bitset{Nomask: true, Bits: ynl.Some(BitsetBits{Bit: bits})})}
	st, err := n.c.StatsGet(ctx, req)
	out, unsupported := n.tool(t, "--json", "-S", n.name, "--all-groups")
	if !bothOrNeither(t, "stats-get", err, unsupported) {
		return
	}
	var want []map[string]json.RawMessage
	if err := json.Unmarshal([]byte(out), &want); err != nil || len(want) > 1 {
		t.Fatalf("ethtool --json -S --all-groups: %v (%d objects): %s", err, len(want), out)
	}
	var toolGroups []string
	for _, o := range want {
		for k := range o {
			if k != "ifname" {
				toolGroups = append(toolGroups, k)
			}
		}
	}
	var got []string
	for _, g := range st.Grp {
		if int(g.ID.V) < len(statsGroups) {
			got = append(got, statsGroups[g.ID.V])
		} else {
			got = append(got, strconv.Itoa(int(g.ID.V)))
		}
	}
	slices.Sort(got)
	slices.Sort(toolGroups)
	if !slices.Equal(got, toolGroups) {
		t.Errorf("stats-get groups %v, ethtool shows %v", got, toolGroups)
	}
	// As many groups decoded as the reply has.
	attrs, err := ynl.Encode(req)
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := n.c.G.Execute(ctx, &n.c.Family, CmdStatsGet, attrs)
	if err != nil {
		t.Fatal(err)
	}
	raw := 0
	d := msgs[0].AttrDecoder(genetlink.HeaderLen)
	for d.Next() {
		if d.Type() == AttrStatsGrp {
			raw++
		}
	}
	if err := d.Err(); err != nil {
		t.Fatal(err)
	}
	if raw != len(st.Grp) {
		t.Errorf("stats-get: %d groups decoded, the reply has %d", len(st.Grp), raw)
	}
	t.Logf("stats: groups %v", got)

	// The kernel puts a stats nest in a pause reply asked for it, with
	// the counters the driver has; ethtool prints them, if any.
	p, err := n.c.PauseGet(ctx, &Pause{Header: ynl.Some(Header{DevName: n.name, Flags: ynl.Some(HeaderFlagsStats)})})
	if errors.Is(err, unix.EOPNOTSUPP) {
		return // pause, above, compared that
	}
	if err != nil {
		t.Fatal(err)
	}
	out, _ = n.tool(t, "-I", "-a", n.name)
	counters := p.Stats.V.TxFrames.Set || p.Stats.V.RxFrames.Set
	if strings.Contains(out, "Statistics:") != counters {
		t.Errorf("pause statistics %+v, ethtool -I -a says:\n%s", p.Stats, out)
	}
}
