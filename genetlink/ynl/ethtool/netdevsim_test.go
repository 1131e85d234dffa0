//go:build linux

package ethtool

import (
	"context"
	"encoding/json"
	"errors"
	"os/exec"
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

// nsimQueues is how many queues the netdevsim ports of these tests have:
// the most channels ethtool -L may ask for.
const nsimQueues = 4

// TestNetdevsimSettingsKernel changes what a netdevsim port lets ethtool
// change (rings, channels, coalescing, pause, FEC) in both directions:
// with the generated package, checked with the ethtool command, and with
// ethtool, checked with the generated package; netdevsim keeps what it is
// given, so each setting reads back as set. A setting the driver refuses
// (pause autonegotiation: it has no link settings) fails alike with both.
// It runs only inside a VM (TestNICsVM, or internal/cmd/vmtest -modules
// netdevsim): Debian's kernels have no netdevsim, the harness builds it.
func TestNetdevsimSettingsKernel(t *testing.T) {
	if _, ok := vmtest.Guest(); !ok {
		t.Skip("runs inside the VM of TestNICsVM: it needs netdevsim, which internal/vmtest builds")
	}
	ns := nstest.New(t)
	name := ns.NewNetdevsim(t, 1, nsimQueues).Ports[0]
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
	ctx := context.Background()
	hdr := dev(name)
	// show checks that ethtool's output for args has each key with its
	// value.
	show := func(t *testing.T, want map[string]string, args ...string) {
		t.Helper()
		got := fields(tool(t, ns, args...))
		for k, v := range want {
			if got[k] != v {
				t.Errorf("ethtool %v: %s is %q, want %q", args, k, got[k], v)
			}
		}
	}
	u32 := func(v uint32) ynl.Opt[uint32] { return ynl.Some(v) }

	t.Run("Rings", func(t *testing.T) {
		if err := c.RingsSet(ctx, &Rings{Header: hdr, Rx: u32(512), RxMini: u32(64), RxJumbo: u32(1024), Tx: u32(256)}); err != nil {
			t.Fatalf("rings-set: %v", err)
		}
		show(t, map[string]string{"Current hardware settings/RX": "512", "Current hardware settings/RX Mini": "64",
			"Current hardware settings/RX Jumbo": "1024", "Current hardware settings/TX": "256"}, "-g", name)
		tool(t, ns, "-G", name, "rx", "2000", "tx", "3000")
		r, err := c.RingsGet(ctx, &Rings{Header: hdr})
		if err != nil {
			t.Fatal(err)
		}
		if r.Rx != u32(2000) || r.Tx != u32(3000) || r.RxMini != u32(64) || r.RxJumbo != u32(1024) {
			t.Errorf("rings-get after ethtool -G rx 2000 tx 3000: rx %v tx %v mini %v jumbo %v", r.Rx, r.Tx, r.RxMini, r.RxJumbo)
		}
	})

	t.Run("Channels", func(t *testing.T) {
		if err := c.ChannelsSet(ctx, &Channels{Header: hdr, CombinedCount: u32(3)}); err != nil {
			t.Fatalf("channels-set: %v", err)
		}
		show(t, map[string]string{"Current hardware settings/Combined": "3",
			"Pre-set maximums/Combined": strconv.Itoa(nsimQueues)}, "-l", name)
		tool(t, ns, "-L", name, "combined", "2")
		ch, err := c.ChannelsGet(ctx, &Channels{Header: hdr})
		if err != nil {
			t.Fatal(err)
		}
		if ch.CombinedCount != u32(2) || ch.CombinedMax != u32(nsimQueues) {
			t.Errorf("channels-get after ethtool -L combined 2: combined %v of %v", ch.CombinedCount, ch.CombinedMax)
		}
		// More channels than queues: refused, by both.
		err = c.ChannelsSet(ctx, &Channels{Header: hdr, CombinedCount: u32(nsimQueues + 1)})
		if !errors.Is(err, unix.EINVAL) {
			t.Errorf("channels-set of %d combined channels: %v, want EINVAL", nsimQueues+1, err)
		}
		if toolFails(ns, "-L", name, "combined", strconv.Itoa(nsimQueues+1)) == nil {
			t.Errorf("ethtool -L combined %d succeeded", nsimQueues+1)
		}
	})

	t.Run("Coalesce", func(t *testing.T) {
		req := &Coalesce{Header: hdr, RxUsecs: u32(17), RxMaxFrames: u32(5), TxUsecs: u32(33), TxMaxFrames: u32(9),
			UseAdaptiveRx: ynl.Some(uint8(1)), PktRateHigh: u32(100000)}
		if err := c.CoalesceSet(ctx, req); err != nil {
			t.Fatalf("coalesce-set: %v", err)
		}
		out := tool(t, ns, "-c", name)
		show(t, map[string]string{"rx-usecs": "17", "rx-frames": "5", "tx-usecs": "33", "tx-frames": "9", "pkt-rate-high": "100000"}, "-c", name)
		if m := adaptiveRE.FindStringSubmatch(out); m == nil || m[1] != "on" || m[2] != "off" {
			t.Errorf("ethtool -c after coalesce-set with adaptive rx: %q", m)
		}
		tool(t, ns, "-C", name, "rx-usecs", "71", "adaptive-rx", "off", "adaptive-tx", "on")
		co, err := c.CoalesceGet(ctx, &Coalesce{Header: hdr})
		if err != nil {
			t.Fatal(err)
		}
		if co.RxUsecs != u32(71) || co.TxUsecs != u32(33) || co.UseAdaptiveRx.V != 0 || co.UseAdaptiveTx.V != 1 {
			t.Errorf("coalesce-get after ethtool -C rx-usecs 71 adaptive-rx off adaptive-tx on: rx-usecs %v tx-usecs %v adaptive %v/%v",
				co.RxUsecs, co.TxUsecs, co.UseAdaptiveRx, co.UseAdaptiveTx)
		}
	})

	t.Run("Pause", func(t *testing.T) {
		if err := c.PauseSet(ctx, &Pause{Header: hdr, Rx: ynl.Some(uint8(1)), Tx: ynl.Some(uint8(0))}); err != nil {
			t.Fatalf("pause-set: %v", err)
		}
		show(t, map[string]string{"Autonegotiate": "off", "RX": "on", "TX": "off"}, "-a", name)
		tool(t, ns, "-A", name, "rx", "off", "tx", "on")
		p, err := c.PauseGet(ctx, &Pause{Header: hdr})
		if err != nil {
			t.Fatal(err)
		}
		if p.Autoneg.V != 0 || p.Rx.V != 0 || p.Tx.V != 1 {
			t.Errorf("pause-get after ethtool -A rx off tx on: autoneg %v rx %v tx %v", p.Autoneg, p.Rx, p.Tx)
		}
		err = c.PauseSet(ctx, &Pause{Header: hdr, Autoneg: ynl.Some(uint8(1))})
		if !errors.Is(err, unix.EINVAL) {
			t.Errorf("pause-set with autonegotiation: %v, want EINVAL (netdevsim has no link settings)", err)
		}
		if toolFails(ns, "-A", name, "autoneg", "on") == nil {
			t.Error("ethtool -A autoneg on succeeded")
		}
	})

	t.Run("FEC", func(t *testing.T) {
		// fec reads the configured modes and the active one by name (the
		// active one is a link mode bit; the reply's modes name it).
		fec := func() (config []string, active string) {
			t.Helper()
			f, err := c.FECGet(ctx, &FEC{Header: hdr})
			if err != nil {
				t.Fatal(err)
			}
			for _, b := range f.Modes.V.Bits.V.Bit {
				if f.Modes.V.Nomask || b.Value {
					config = append(config, b.Name)
				}
				if f.Active.Set && b.Index == ynl.Some(f.Active.V) {
					active = b.Name
				}
			}
			if f.Auto.V != 0 {
				config = append(config, "Auto")
			}
			return config, active
		}
		ethtoolFEC := func() (config, active []string) {
			t.Helper()
			var out []struct{ Config, Active []string }
			if err := json.Unmarshal([]byte(tool(t, ns, "--json", "--show-fec", name)), &out); err != nil || len(out) != 1 {
				t.Fatalf("ethtool --json --show-fec: %v (%d objects)", err, len(out))
			}
			return out[0].Config, out[0].Active
		}
		req := &FEC{Header: hdr, Auto: ynl.Some(uint8(0)),
			Modes: ynl.Some(Bitset{Nomask: true, Bits: ynl.Some(BitsetBits{Bit: []BitsetBit{{Name: "RS"}}})})}
		if err := c.FECSet(ctx, req); err != nil {
			t.Fatalf("fec-set: %v", err)
		}
		config, active := ethtoolFEC()
		// ethtool spells the modes its own way (BaseR for the kernel's BASER).
		if len(config) != 1 || !strings.EqualFold(config[0], "RS") || len(active) != 1 || !strings.EqualFold(active[0], "RS") {
			t.Errorf("ethtool --show-fec after fec-set RS: config %v, active %v", config, active)
		}
		tool(t, ns, "--set-fec", name, "encoding", "baser")
		gotConfig, gotActive := fec()
		config, active = ethtoolFEC()
		if len(gotConfig) != 1 || gotConfig[0] != "BASER" || gotActive != "BASER" {
			t.Fatalf("fec-get after ethtool --set-fec encoding baser: config %v, active %q", gotConfig, gotActive)
		}
		if len(config) != 1 || !strings.EqualFold(config[0], gotConfig[0]) || len(active) != 1 || !strings.EqualFold(active[0], gotActive) {
			t.Errorf("fec-get: config %v, active %q; ethtool says config %v, active %v", gotConfig, gotActive, config, active)
		}
	})
}

// toolFails runs ethtool in ns and returns its error, nil if it succeeded.
func toolFails(ns *nstest.NS, args ...string) error {
	return exec.Command("ip", append([]string{"netns", "exec", ns.Name, "ethtool"}, args...)...).Run()
}
