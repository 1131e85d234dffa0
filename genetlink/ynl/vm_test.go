//go:build linux

package ynl_test

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/genetlink"
	"github.com/nlkit/netlink/genetlink/ynl"
	"github.com/nlkit/netlink/genetlink/ynl/devlink"
	"github.com/nlkit/netlink/genetlink/ynl/dpll"
	"github.com/nlkit/netlink/genetlink/ynl/fou"
	"github.com/nlkit/netlink/genetlink/ynl/handshake"
	"github.com/nlkit/netlink/genetlink/ynl/lockd"
	"github.com/nlkit/netlink/genetlink/ynl/netshaper"
	"github.com/nlkit/netlink/genetlink/ynl/nfsd"
	"github.com/nlkit/netlink/genetlink/ynl/nl80211"
	"github.com/nlkit/netlink/genetlink/ynl/ovpn"
	"github.com/nlkit/netlink/genetlink/ynl/ovsdatapath"
	"github.com/nlkit/netlink/genetlink/ynl/ovsflow"
	"github.com/nlkit/netlink/genetlink/ynl/ovsvport"
	"github.com/nlkit/netlink/genetlink/ynl/psp"
	"github.com/nlkit/netlink/genetlink/ynl/team"
	"github.com/nlkit/netlink/genetlink/ynl/wireguard"
	"github.com/nlkit/netlink/internal/nstest"
	"github.com/nlkit/netlink/internal/vmtest"
	"golang.org/x/sys/unix"
)

// vmModules are loaded in the VMs of TestFamiliesVM: the families that
// are modules in Debian's kernels (both series have them all; nfsd and
// lockd have a netlink family only from 6.7 and 6.11 on), and
// mac80211_hwsim, whose radios nl80211 shows, openvswitch, which has the
// three ovs_* families, and netdevsim, whose devices have devlink
// instances and, from 6.13 on, shapers for net-shaper (Debian does not
// build it: the harness does, see vmtest.SourceModules). ovpn came in
// 6.16: only the 7.2 kernels (trixie-backports', sid's) have it (a module
// that loads on demand).
var vmModules = []string{"team", "fou", "wireguard", "nfsd", "lockd", "mac80211_hwsim", "openvswitch", "netdevsim"}

// TestFamiliesVM runs, in a VM of Debian's 6.12 (with NLKIT_VM=1; see
// internal/vmtest), the policy comparison of the families the host has
// (TestPolicyMatchesKernel, TestCheckRequestMatchesKernel) and
// TestFamiliesKernel, which checks the families the host lacks, and
// TestDevlinkNetdevsimKernel, devlink on a netdevsim device. One VM, to
// keep its time down (a few minutes under TCG on a busy machine); 6.1
// runs them with
//
//	go run ./internal/cmd/vmtest -kernel 6.1 -modules team,fou,wireguard,nfsd,lockd,mac80211_hwsim,openvswitch,netdevsim \
//		-run 'TestPolicyMatchesKernel|TestCheckRequestMatchesKernel|TestFamiliesKernel|TestDevlinkNetdevsimKernel' ./genetlink/ynl
//
// A 7.2 kernel runs them all, with the families of later releases (ovpn,
// lockd, net-shaper on netdevsim's devices), against its own lists
// (policy_FAMILY_7.2.txt): trixie-backports' (CI runs it; netdevsim is
// built in a trixie chroot) or sid's (-kernel sid, opt-in):
//
//	go run ./internal/cmd/vmtest -kernel 7.2 -modules team,fou,wireguard,nfsd,lockd,mac80211_hwsim,openvswitch,netdevsim,ovpn \
//		-run 'TestPolicyMatchesKernel|TestCheckRequestMatchesKernel|TestFamiliesKernel|TestDevlinkNetdevsimKernel' -v ./genetlink/ynl
//
// In a VM, -update rewrites the initramfs's copy of testdata, which goes
// with the VM: the lists of 6.1, 6.12 and 7.2 are written from the "new
// difference:" lines such a run prints (with an empty list in place).
//
// psp, which came in 6.18, no Debian kernel has (see vmOptions); it runs
// on the kernel the harness builds with it (-kernel psp, which CI runs):
//
//	go run ./internal/cmd/vmtest -kernel psp -run 'TestFamiliesKernel/psp' ./genetlink/ynl
func TestFamiliesVM(t *testing.T) {
	later := "the family came after 6.12 (TestFamiliesKernel skips a family of a later release)"
	cfg := vmtest.Config{Kernel: "6.12", Modules: vmModules, AllowSkip: map[string]string{
		"FamiliesKernel/lockd":      later,
		"FamiliesKernel/net-shaper": later,
		"FamiliesKernel/ovpn":       later,
		"FamiliesKernel/psp":        later,
	}}
	vmtest.Run(t, cfg, func(t *testing.T) {
		t.Run("PolicyMatchesKernel", TestPolicyMatchesKernel)
		t.Run("CheckRequestMatchesKernel", TestCheckRequestMatchesKernel)
		t.Run("FamiliesKernel", TestFamiliesKernel)
		t.Run("DevlinkNetdevsimKernel", TestDevlinkNetdevsimKernel)
	})
}

// vmFamily is a generated family TestFamiliesKernel checks.
type vmFamily struct {
	spec   *ynl.Family
	since  [2]int // the release that brought the family
	module string // its module (mac80211_hwsim for nl80211), or none if built in
	// run does at least one do and, where the family has one, one dump:
	// g is in init's namespace, gns in ns.
	run func(t *testing.T, ns *nstest.NS, g, gns *genetlink.Conn)
}

// vmFamilies are the generated families TestFamiliesKernel checks; the
// others (ethtool, netdev, mptcp_pm, tcp_metrics, nlctrl) are the host's,
// which their packages' kernel tests run.
var vmFamilies = []vmFamily{
	{devlink.Spec, [2]int{4, 6}, "", runDevlink},
	{team.Spec, [2]int{3, 3}, "team", runTeam},
	{fou.Spec, [2]int{3, 18}, "fou", runFou},
	{wireguard.Spec, [2]int{5, 6}, "wireguard", runWireguard},
	{handshake.Spec, [2]int{6, 5}, "", runHandshake},
	{dpll.Spec, [2]int{6, 7}, "", runDPLL},
	{nfsd.Spec, [2]int{6, 7}, "nfsd", runNfsd},
	{lockd.Spec, [2]int{6, 13}, "lockd", runLockd}, // after 6.12; 6.13 itself is not checked
	{nl80211.Spec, [2]int{2, 6}, "mac80211_hwsim", runNl80211},
	{ovsdatapath.Spec, [2]int{3, 3}, "openvswitch", runOVSDatapath},
	{ovsvport.Spec, [2]int{3, 3}, "openvswitch", runOVSVport},
	{ovsflow.Spec, [2]int{3, 3}, "openvswitch", runOVSFlow},
	{netshaper.Spec, [2]int{6, 13}, "", withModule("netdevsim", runNetShaper)}, // built in; its devices are netdevsim's
	{ovpn.Spec, [2]int{6, 16}, "ovpn", runOVPN},
	{psp.Spec, [2]int{6, 18}, "", runPSP},
}

// TestFamiliesKernel compares each generated family of vmFamilies that
// this kernel has with the kernel's description and policy of it
// (ynl.CheckKernel; the differences are listed as TestPolicyMatchesKernel
// lists them), and does at least one real do and one dump of it with the
// generated package, checked against the kernel's own view (ip, wg,
// /proc, /sys). A family of a later release than this kernel's is
// skipped, and so is one this kernel was built without (vmOptions: psp
// on Debian's kernels), as its build configuration says. It runs only
// inside a VM (TestFamiliesVM), since it loads modules.
func TestFamiliesKernel(t *testing.T) {
	if _, ok := vmtest.Guest(); !ok {
		t.Skip("runs inside the VMs of TestFamiliesVM: it loads modules")
	}
	ns := nstest.New(t)
	g, err := genetlink.Dial(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	gns, err := genetlink.Dial(&netlink.Config{NetNS: ns.Path})
	if err != nil {
		t.Fatal(err)
	}
	defer gns.Close()
	for _, f := range vmFamilies {
		t.Run(f.spec.Name, func(t *testing.T) {
			_, err := g.Family(context.Background(), f.spec.Name)
			if errors.Is(err, syscall.ENOENT) && !vmtest.KernelAtLeast(t, f.since[0], f.since[1]) {
				t.Skipf("family %s came in Linux %d.%d: %v", f.spec.Name, f.since[0], f.since[1], err)
			}
			if _, serr := os.Stat("/sys/module/" + f.module); errors.Is(err, syscall.ENOENT) && f.module != "" && serr != nil {
				t.Skipf("module %s is not loaded (vmtest's -modules %s loads it): %v", f.module, strings.Join(vmModules, ","), err)
			}
			if opt, ok := vmOptions[f.spec.Name]; ok && errors.Is(err, syscall.ENOENT) {
				skipBuiltWithout(t, f.spec.Name, opt, err)
			}
			if err != nil {
				t.Fatal(err)
			}
			diffs, err := ynl.CheckKernel(context.Background(), g, f.spec)
			if err != nil {
				t.Fatal(err)
			}
			checkListed(t, f.spec.Name, diffs)
			if f.run == nil {
				t.Fatalf("no do and dump of %s written yet", f.spec.Name)
			}
			f.run(t, ns, g, gns)
		})
	}
}

// vmOption is the Kconfig option a family needs that a kernel of its
// release or later may be built without, and what lacks it.
type vmOption struct {
	name string // CONFIG_INET_PSP
	why  string // who builds without it, and what else it takes away
}

// vmOptions are the families of vmFamilies that Debian's kernels of
// their release or later lack, by the option they are built without: psp
// (6.18) needs CONFIG_INET_PSP, a bool of the core kernel, not a module,
// which no Debian kernel sets (sid's 7.2 included), so that no
// Debian kernel has the family, nor netdevsim's PSP devices, which come
// only with it.
var vmOptions = map[string]vmOption{
	"psp": {"CONFIG_INET_PSP", "Debian builds its kernels without it (a bool of the core kernel, not a module: " +
		"no Debian kernel has the psp family, sid's 7.2 included), and netdevsim offers PSP only with it " +
		"(vmtest's BuiltKernels has a kernel built with it: -kernel psp)"},
}

// skipBuiltWithout skips t when this kernel lacks family (err, its
// lookup's ENOENT) because it was built without opt, as its build
// configuration says; it fails t when the configuration sets opt, or
// cannot be read, since the family should be there.
func skipBuiltWithout(t *testing.T, family string, opt vmOption, err error) {
	t.Helper()
	v, cerr := vmtest.KernelConfig(opt.name)
	if cerr != nil {
		t.Fatalf("family %s is missing (%v), and whether this kernel was built with %s is not known: %v", family, err, opt.name, cerr)
	}
	if v != "" {
		t.Fatalf("family %s is missing (%v), though this kernel was built with %s=%s", family, err, opt.name, v)
	}
	t.Skipf("this kernel has no %s family: it was built without %s (its configuration says so); %s. "+
		"Neither the policy comparison nor a do or dump of %s ran: %v", family, opt.name, opt.why, family, err)
}

// hasOp skips t, saying so, when family fam of this kernel lacks command cmd.
func hasOp(t *testing.T, fam *genetlink.Family, name string, cmd uint32) bool {
	t.Helper()
	if _, ok := fam.Op(cmd); !ok {
		t.Logf("this kernel's %s has no %s (command %d)", fam.Name, name, cmd)
		return false
	}
	return true
}

// ifindex returns the index of the link named name in ns.
func ifindex(t *testing.T, ns *nstest.NS, name string) uint32 {
	t.Helper()
	var links []struct{ Ifindex uint32 }
	if err := json.Unmarshal([]byte(ns.Run(t, "-j", "link", "show", name)), &links); err != nil || len(links) != 1 {
		t.Fatalf("ip -j link show %s: %v (%d links)", name, err, len(links))
	}
	return links[0].Ifindex
}

// runDevlink dumps the devlink instances of init's namespace, none in
// these VMs (no device with a devlink driver; TestDevlinkNetdevsimKernel
// makes netdevsim devices in namespaces of its own), as
// /sys/bus/netdevsim/devices lists them, and asks for one the VM has
// not: ENODEV, as for `devlink dev show`.
func runDevlink(t *testing.T, _ *nstest.NS, g, _ *genetlink.Conn) {
	ctx := context.Background()
	c, err := devlink.New(ctx, g)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for d, err := range c.GetDump(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, d.BusName+"/"+d.DevName)
	}
	want := devlinkSysfs(t)
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("get dump: %v, /sys/bus/*/devices with a devlink: %v", got, want)
	}
	for _, name := range got {
		bus, dev, _ := strings.Cut(name, "/")
		d, err := c.Get(ctx, &devlink.Devlink{BusName: bus, DevName: dev})
		if err != nil {
			t.Fatal(err)
		}
		if d.BusName != bus || d.DevName != dev {
			t.Errorf("get %s: %s/%s", name, d.BusName, d.DevName)
		}
	}
	_, err = c.Get(ctx, &devlink.Devlink{BusName: "netdevsim", DevName: "netdevsim4242"})
	if !errors.Is(err, unix.ENODEV) {
		t.Errorf("get of a device the VM lacks: %v, want ENODEV", err)
	}
	t.Logf("devlink instances: %v", got)
}

// devlinkSysfs lists the devlink instances netdevsim made, by
// /sys/bus/netdevsim/devices: the only devlink driver a VM could have.
func devlinkSysfs(t *testing.T) []string {
	ents, err := os.ReadDir("/sys/bus/netdevsim/devices")
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		out = append(out, "netdevsim/"+e.Name())
	}
	return out
}

// teamOption returns the option named name (of no port) from opts.
func teamOption(opts []team.AttrOption, name string) (team.AttrOption, bool) {
	for _, o := range opts {
		if o.Name == name && !o.PortIfindex.Set {
			return o, true
		}
	}
	return team.AttrOption{}, false
}

// nlaU32 is the kernel's NLA_U32, the type team gives its u32 options.
const nlaU32 = 3

// runTeam makes a team with a dummy port, reads its options and ports
// (each a do: team has no dumps), sets an option and reads it back. Every
// option of the kernel's reply is decoded (the spec does not say that the
// kernel repeats them; ynlgen's kernelRepeats).
func runTeam(t *testing.T, ns *nstest.NS, _, g *genetlink.Conn) {
	ctx := context.Background()
	ns.Run(t, "link", "add", "team0", "type", "team")
	ns.Run(t, "link", "add", "d0", "type", "dummy")
	ns.Run(t, "link", "set", "d0", "master", "team0")
	teamIdx, portIdx := ifindex(t, ns, "team0"), ifindex(t, ns, "d0")
	c, err := team.New(ctx, g)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Noop(ctx); err != nil {
		t.Fatal(err)
	}
	req := &team.Team{TeamIfindex: ynl.Some(teamIdx)}
	opts, err := c.OptionsGet(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	// As many options as the raw reply has.
	attrs, err := ynl.Encode(req)
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := g.Execute(ctx, &c.Family, team.CmdOptionsGet, attrs)
	if err != nil {
		t.Fatal(err)
	}
	raw := 0
	d := msgs[0].AttrDecoder(genetlink.HeaderLen)
	for d.Next() {
		if d.Type() == team.AttrTeamListOption {
			n := d.Enter()
			for d.Next() {
				raw++
			}
			d.Exit(n)
		}
	}
	if err := d.Err(); err != nil {
		t.Fatal(err)
	}
	got := opts.ListOption.V.Option
	if len(got) != raw || raw < 2 {
		t.Errorf("options-get: %d options decoded, the reply has %d", len(got), raw)
	}
	var names []string
	for _, o := range got {
		names = append(names, o.Name)
	}
	for _, want := range []string{"mode", "mcast_rejoin_count", "notify_peers_count"} {
		if _, ok := teamOption(got, want); !ok {
			t.Errorf("options-get: no option %s in %v", want, names)
		}
	}
	enabled := false
	for _, o := range got {
		enabled = enabled || (o.Name == "enabled" && o.PortIfindex == ynl.Some(portIdx))
	}
	if !enabled {
		t.Errorf("options-get: no option enabled of port d0 (%d) in %v", portIdx, names)
	}

	// Set mcast_rejoin_count (a u32 option) and read it back.
	if mc, _ := teamOption(got, "mcast_rejoin_count"); mc.Type != ynl.Some[uint8](nlaU32) {
		t.Errorf("mcast_rejoin_count has type %v, want NLA_U32", mc.Type)
	}
	set := &team.Team{TeamIfindex: ynl.Some(teamIdx), ListOption: ynl.Some(team.ItemOption{Option: []team.AttrOption{{
		Name: "mcast_rejoin_count", Type: ynl.Some[uint8](nlaU32), Data: binary.NativeEndian.AppendUint32(nil, 7),
	}}})}
	// The kernel tells the change to the change_event group and fails
	// the request (ESRCH) when no one listens there, as teamd does.
	listen, err := genetlink.Dial(&netlink.Config{NetNS: ns.Path})
	if err != nil {
		t.Fatal(err)
	}
	defer listen.Close()
	if _, err := listen.JoinGroup(ctx, team.FamilyName, team.GenlChangeEventMcGrpName); err != nil {
		t.Fatal(err)
	}
	if err := c.OptionsSet(ctx, set); err != nil {
		t.Fatal(err)
	}
	opts, err = c.OptionsGet(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	mc, _ := teamOption(opts.ListOption.V.Option, "mcast_rejoin_count")
	if len(mc.Data) != 4 || binary.NativeEndian.Uint32(mc.Data) != 7 {
		t.Errorf("mcast_rejoin_count after setting 7: %x", mc.Data)
	}

	ports, err := c.PortListGet(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if p := ports.ListPort.V.Port; len(p) != 1 || p[0].Ifindex != ynl.Some(portIdx) {
		t.Errorf("port-list-get: %+v, want d0 (%d)", p, portIdx)
	}
}

// runFou adds a FOU port, reads it with a do and a dump, compares the
// dump with `ip fou show`, and deletes it.
func runFou(t *testing.T, ns *nstest.NS, _, g *genetlink.Conn) {
	ctx := context.Background()
	c, err := fou.New(ctx, g)
	if err != nil {
		t.Fatal(err)
	}
	add := &fou.Fou{Port: ynl.Some[uint16](5555), Af: ynl.Some[uint8](unix.AF_INET), Ipproto: ynl.Some[uint8](unix.IPPROTO_IPIP),
		Type: ynl.Some(uint8(fou.EncapTypeDirect))}
	if err := c.Add(ctx, add); err != nil {
		t.Fatal(err)
	}
	got, err := c.Get(ctx, &fou.Fou{Port: add.Port, Af: add.Af})
	if err != nil {
		t.Fatal(err)
	}
	if got.Port != add.Port || got.Ipproto != add.Ipproto {
		t.Errorf("get: port %v ipproto %v, want %v %v", got.Port, got.Ipproto, add.Port, add.Ipproto)
	}
	var dumped []string
	for f, err := range c.GetDump(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		dumped = append(dumped, fmt.Sprintf("port %d ipproto %d", f.Port.V, f.Ipproto.V))
	}
	var shown []string
	for _, line := range strings.Split(strings.TrimSpace(ns.Run(t, "fou", "show")), "\n") {
		if line != "" {
			shown = append(shown, strings.TrimSpace(line))
		}
	}
	if !slices.Equal(dumped, shown) || len(dumped) != 1 {
		t.Errorf("get dump %q, ip fou show %q", dumped, shown)
	}
	if err := c.Del(ctx, &fou.Fou{Port: add.Port, Af: add.Af}); err != nil {
		t.Fatal(err)
	}
	if out := strings.TrimSpace(ns.Run(t, "fou", "show")); out != "" {
		t.Errorf("after del, ip fou show says %q", out)
	}
}

// runWireguard sets a WireGuard device's private key and port (a do) and
// reads them back with a dump, checked against `wg show`.
func runWireguard(t *testing.T, ns *nstest.NS, _, g *genetlink.Conn) {
	ctx := context.Background()
	ns.Run(t, "link", "add", "wg0", "type", "wireguard")
	c, err := wireguard.New(ctx, g)
	if err != nil {
		t.Fatal(err)
	}
	key := make([]byte, 32)
	for i := range key {
		key[i] = byte(i + 1)
	}
	if err := c.SetDevice(ctx, &wireguard.Wgdevice{Ifname: "wg0", PrivateKey: key, ListenPort: ynl.Some[uint16](51820)}); err != nil {
		t.Fatal(err)
	}
	n := 0
	var pub []byte
	for d, err := range c.GetDeviceDump(ctx, &wireguard.Wgdevice{Ifname: "wg0"}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
		if d.Ifname != "wg0" || d.ListenPort != ynl.Some[uint16](51820) || len(d.PublicKey) != 32 {
			t.Errorf("get-device dump: %s port %v public key %x", d.Ifname, d.ListenPort, d.PublicKey)
		}
		pub = slices.Clone(d.PublicKey)
	}
	if n != 1 {
		t.Fatalf("get-device dump of wg0: %d replies", n)
	}
	if _, err := exec.LookPath("wg"); err != nil {
		t.Logf("no wg command: public key not compared")
		return
	}
	out, err := exec.Command("ip", "netns", "exec", ns.Name, "wg", "show", "wg0", "public-key").CombinedOutput()
	if err != nil {
		t.Fatalf("wg show: %v: %s", err, out)
	}
	if want := strings.TrimSpace(string(out)); base64.StdEncoding.EncodeToString(pub) != want {
		t.Errorf("public key %s, wg show says %s", base64.StdEncoding.EncodeToString(pub), want)
	}
}

// runHandshake asks for a TLS handshake to do when there is none (accept,
// a do: the kernel answers EAGAIN) and reports one done without its
// socket (EINVAL). The family has no dump.
func runHandshake(t *testing.T, _ *nstest.NS, g, _ *genetlink.Conn) {
	ctx := context.Background()
	c, err := handshake.New(ctx, g)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Accept(ctx, &handshake.Accept{HandlerClass: ynl.Some(handshake.HandlerClassTlshd)})
	if !errors.Is(err, unix.EAGAIN) {
		t.Errorf("accept with nothing pending: %v, want EAGAIN", err)
	}
	err = c.Done(ctx, &handshake.Done{})
	if !errors.Is(err, unix.EINVAL) {
		t.Errorf("done without a socket: %v, want EINVAL", err)
	}
}

// runDPLL dumps the DPLL devices and pins (none: no driver of the VM has
// one) and asks for the ID of a device that does not exist.
func runDPLL(t *testing.T, _ *nstest.NS, g, _ *genetlink.Conn) {
	ctx := context.Background()
	c, err := dpll.New(ctx, g)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, err := range c.DeviceGetDump(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	for _, err := range c.PinGetDump(ctx, &dpll.Pin{}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 0 {
		t.Errorf("the VM has no DPLL, the dumps have %d", n)
	}
	// No device matches: an error, or (as 6.12 answers) a reply without
	// an ID.
	d, err := c.DeviceIDGet(ctx, &dpll.DPLL{ModuleName: "nlkit", ClockID: ynl.Some[uint64](1), Type: ynl.Some(dpll.TypePps)})
	if err == nil && d.ID.Set {
		t.Errorf("device-id-get of a device that does not exist: ID %d", d.ID.V)
	}
	t.Logf("device-id-get of a device that does not exist: ID %v, %v", d.ID, err)
}

// runNfsd reads nfsd's versions and threads (dos) and the RPCs in flight
// (a dump), checked against the nfsd file system's versions and threads.
func runNfsd(t *testing.T, _ *nstest.NS, g, _ *genetlink.Conn) {
	ctx := context.Background()
	c, err := nfsd.New(ctx, g)
	if err != nil {
		t.Fatal(err)
	}
	const dir = "/proc/fs/nfsd"
	if err := unix.Mount("nfsd", dir, "nfsd", 0, ""); err != nil && !errors.Is(err, unix.EBUSY) {
		t.Fatalf("mount nfsd on %s: %v", dir, err)
	}
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(string(b))
	}
	if hasOp(t, &c.Family, "version-get", nfsd.CmdVersionGet) {
		v, err := c.VersionGet(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, v := range v.Version {
			s := "-"
			if v.Enabled {
				s = "+"
			}
			s += strconv.Itoa(int(v.Major.V))
			if v.Major.V >= 4 {
				s += "." + strconv.Itoa(int(v.Minor.V))
			}
			got = append(got, s)
		}
		// The file writes 4.0 as 4.
		want := strings.Fields(strings.ReplaceAll(read("versions")+" ", "4 ", "4.0 "))
		if !slices.Equal(got, want) {
			t.Errorf("version-get: %v, %s/versions says %v", got, dir, want)
		}
	}
	if hasOp(t, &c.Family, "threads-get", nfsd.CmdThreadsGet) {
		th, err := c.ThreadsGet(ctx)
		if err != nil {
			t.Fatal(err)
		}
		sum := 0
		for _, n := range th.Threads {
			sum += int(n)
		}
		if want := read("threads"); strconv.Itoa(sum) != want {
			t.Errorf("threads-get: %v, %s/threads says %s", th.Threads, dir, want)
		}
	}
	// No server runs (it would need rpcbind): the kernel answers the
	// dump with ENODEV.
	var dumpErr error
	n := 0
	for _, err := range c.RpcStatusGetDump(ctx) {
		if err != nil {
			dumpErr = err
			break
		}
		n++
	}
	if !errors.Is(dumpErr, unix.ENODEV) {
		t.Errorf("rpc-status-get dump with no server: %d replies, %v; want ENODEV", n, dumpErr)
	}
}

// runLockd reads lockd's grace time and ports (a do; lockd has no dump),
// checked against their sysctls.
func runLockd(t *testing.T, _ *nstest.NS, g, _ *genetlink.Conn) {
	ctx := context.Background()
	c, err := lockd.New(ctx, g)
	if err != nil {
		t.Fatal(err)
	}
	s, err := c.ServerGet(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for name, got := range map[string]uint32{
		"nlm_grace_period": s.Gracetime.V, "nlm_tcpport": uint32(s.TCPPort.V), "nlm_udpport": uint32(s.UDPPort.V),
	} {
		b, err := os.ReadFile("/proc/sys/fs/nfs/" + name)
		if err != nil {
			t.Fatal(err)
		}
		if want := strings.TrimSpace(string(b)); strconv.Itoa(int(got)) != want {
			t.Errorf("server-get: %s %d, the sysctl says %s", name, got, want)
		}
	}
}

// runNl80211 reads the protocol features (a do) and dumps the wiphys and
// interfaces of mac80211_hwsim's radios, checked against /sys.
func runNl80211(t *testing.T, _ *nstest.NS, g, _ *genetlink.Conn) {
	ctx := context.Background()
	c, err := nl80211.New(ctx, g)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetProtocolFeatures(ctx, &nl80211.Nl80211Attrs{}); err != nil {
		t.Fatal(err)
	}
	var phys []string
	for w, err := range c.GetWiphyDump(ctx, &nl80211.Nl80211Attrs{}) {
		if err != nil {
			t.Fatal(err)
		}
		phys = append(phys, w.WiphyName)
	}
	var ifaces []string
	for i, err := range c.GetInterfaceDump(ctx, &nl80211.Nl80211Attrs{}) {
		if err != nil {
			t.Fatal(err)
		}
		ifaces = append(ifaces, i.Ifname)
	}
	sysPhys, _ := filepath.Glob("/sys/class/ieee80211/*")
	sysIfaces, _ := filepath.Glob("/sys/class/net/*/phy80211")
	for i, p := range sysPhys {
		sysPhys[i] = filepath.Base(p)
	}
	for i, p := range sysIfaces {
		sysIfaces[i] = filepath.Base(filepath.Dir(p))
	}
	slices.Sort(phys)
	slices.Sort(ifaces)
	if len(sysPhys) == 0 || !slices.Equal(phys, sysPhys) {
		t.Errorf("get-wiphy dump: %v, /sys/class/ieee80211 has %v", phys, sysPhys)
	}
	if len(sysIfaces) == 0 || !slices.Equal(ifaces, sysIfaces) {
		t.Errorf("get-interface dump: %v, /sys/class/net has %v with a phy80211", ifaces, sysIfaces)
	}
}
