//go:build linux

package rtnetlink_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"unsafe"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/nstest"
	"github.com/nlkit/netlink/rtnetlink"
	"golang.org/x/sys/unix"
)

// loadXDPPass loads the smallest XDP program, "return XDP_PASS", with the
// bpf(2) system call, and returns its file descriptor, closed when the
// test ends. It skips the test where the kernel has no bpf(2).
func loadXDPPass(t *testing.T) int {
	t.Helper()
	fd, err := loadXDPProgram()
	if err != nil {
		if errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.EPERM) {
			t.Skipf("bpf(BPF_PROG_LOAD): %v", err)
		}
		t.Fatalf("bpf(BPF_PROG_LOAD): %v", err)
	}
	t.Cleanup(func() { unix.Close(fd) })
	return fd
}

// loadXDPProgram loads an XDP program that passes every packet and
// returns its file descriptor, which the caller closes.
func loadXDPProgram() (int, error) {
	var insns [16]byte
	insns[0] = unix.BPF_ALU64 | unix.BPF_MOV | unix.BPF_K // r0 = imm
	binary.NativeEndian.PutUint32(insns[4:], 2)           // XDP_PASS
	insns[8] = unix.BPF_JMP | unix.BPF_EXIT               // return r0
	license := []byte("GPL\x00")
	// The BPF_PROG_LOAD part of union bpf_attr: prog_type, insn_cnt,
	// insns, license, then the log's fields and the name, left zero.
	var attr [72]byte
	binary.NativeEndian.PutUint32(attr[0:], unix.BPF_PROG_TYPE_XDP)
	binary.NativeEndian.PutUint32(attr[4:], 2)
	binary.NativeEndian.PutUint64(attr[8:], uint64(uintptr(unsafe.Pointer(&insns[0]))))
	binary.NativeEndian.PutUint64(attr[16:], uint64(uintptr(unsafe.Pointer(&license[0]))))
	fd, _, errno := unix.Syscall(unix.SYS_BPF, unix.BPF_PROG_LOAD, uintptr(unsafe.Pointer(&attr[0])), unsafe.Sizeof(attr))
	runtime.KeepAlive(&insns)
	runtime.KeepAlive(license)
	if errno != 0 {
		return -1, errno
	}
	return int(fd), nil
}

// TestLinkSetters changes links with each setter and compares every link
// with ip's view after each change, and checks the change is the one asked.
func TestLinkSetters(t *testing.T) {
	ns := nstest.New(t)
	rt := dial(t, ns, netlink.Config{})
	ctx := context.Background()
	ns.Batch(t, []string{
		"link add s0 type veth peer name s1",
		"link add sbr type bridge",
		"link add sm0 link s0 type macvlan mode bridge",
		"link set s1 master sbr",
		"link set sbr up",
		"link set s0 up",
		"link set s1 up",
	})
	get := func(name string) rtnetlink.Link {
		t.Helper()
		l, err := rt.LinkByName(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	s0, s1, sm0 := get("s0"), get("s1"), get("sm0")
	check := func(what string, ok func() bool) {
		t.Helper()
		compareWithIP(t, ns, rt)
		if !ok() {
			t.Errorf("after %s: %+v", what, get("s0"))
		}
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}

	must(rt.SetLinkPromisc(ctx, s0.Index, true))
	check("promisc on", func() bool { l := get("s0"); return l.Flags&rtnetlink.LinkPromisc != 0 && l.Promiscuity == 1 })
	must(rt.SetLinkPromisc(ctx, s0.Index, false))
	check("promisc off", func() bool { l := get("s0"); return l.Flags&rtnetlink.LinkPromisc == 0 && l.Promiscuity == 0 })
	must(rt.SetLinkARP(ctx, s0.Index, false))
	check("arp off", func() bool { return get("s0").Flags&rtnetlink.LinkNoARP != 0 })
	must(rt.SetLinkARP(ctx, s0.Index, true))
	check("arp on", func() bool { return get("s0").Flags&rtnetlink.LinkNoARP == 0 })
	if get("s0").Flags&rtnetlink.LinkUp == 0 {
		t.Error("the flag setters changed IFF_UP")
	}
	must(rt.SetLinkTxQueueLen(ctx, s0.Index, 55))
	must(rt.SetLinkGroup(ctx, s0.Index, 9))
	must(rt.SetLinkGSOMaxSize(ctx, s0.Index, 40000))
	must(rt.SetLinkGSOMaxSegs(ctx, s0.Index, 100))
	must(rt.SetLinkGROMaxSize(ctx, s0.Index, 50000))
	// iproute2 6.1 prints no IPv4 limits: these are read back here, and
	// compared with a newer ip by TestLinkIPv4MaxSizesOracle. Kernels
	// before 6.3 have none, and ignore them.
	must(rt.SetLinkGSOIPv4MaxSize(ctx, s0.Index, 30000))
	must(rt.SetLinkGROIPv4MaxSize(ctx, s0.Index, 20000))
	gsoIPv4, groIPv4 := uint32(30000), uint32(20000)
	if !kernelAtLeast(t, 6, 3) {
		gsoIPv4, groIPv4 = 0, 0
	}
	check("txqueuelen, group, gso/gro", func() bool {
		l := get("s0")
		return l.TxQueueLen == 55 && l.Group == 9 && l.GSOMaxSize == 40000 && l.GSOMaxSegs == 100 && l.GROMaxSize == 50000 &&
			l.GSOIPv4MaxSize == gsoIPv4 && l.GROIPv4MaxSize == groIPv4
	})
	must(rt.SetLinkAddrGenMode(ctx, s0.Index, rtnetlink.AddrGenNone))
	check("addrgenmode", func() bool { return get("s0").AddrGenMode == rtnetlink.AddrGenNone })

	// Protodown: macvlan supports it, veth does not.
	must(rt.SetLinkProtoDownReason(ctx, sm0.Index, 1<<4|1<<1, 1<<4))
	must(rt.SetLinkProtoDown(ctx, sm0.Index, true))
	check("protodown", func() bool { l := get("sm0"); return l.ProtoDown && l.ProtoDownReason == 1<<4 })
	// The kernel keeps the link down while a reason is set.
	if err := rt.SetLinkProtoDown(ctx, sm0.Index, false); !errors.Is(err, unix.EBUSY) {
		t.Errorf("protodown off with a reason set: %v, want EBUSY", err)
	}
	must(rt.SetLinkProtoDownReason(ctx, sm0.Index, 1<<4, 0))
	must(rt.SetLinkProtoDown(ctx, sm0.Index, false))
	check("protodown off", func() bool { l := get("sm0"); return !l.ProtoDown && l.ProtoDownReason == 0 })
	if err := rt.SetLinkProtoDown(ctx, s0.Index, true); !errors.Is(err, unix.EOPNOTSUPP) {
		t.Errorf("protodown on a veth: %v, want EOPNOTSUPP", err)
	}

	// Alternative names: added, looked up, removed.
	alt := "s0-" + strings.Repeat("x", 100)
	must(rt.AddLinkAltName(ctx, s0.Index, alt))
	must(rt.AddLinkAltName(ctx, s0.Index, "s0alt"))
	check("altnames", func() bool {
		l := get("s0")
		return len(l.AltNames) == 2 && l.AltNames[0] == alt && l.AltNames[1] == "s0alt"
	})
	if l, err := rt.LinkByAltName(ctx, alt); err != nil || l.Index != s0.Index {
		t.Errorf("LinkByAltName(%q): link %d, %v; want %d", alt, l.Index, err, s0.Index)
	}
	if out := ns.Run(t, "-j", "link", "show", "dev", "s0alt"); !strings.Contains(out, `"ifname":"s0"`) {
		t.Errorf("ip link show dev s0alt: %s", out)
	}
	if err := rt.AddLinkAltName(ctx, s1.Index, "s0alt"); !errors.Is(err, unix.EEXIST) {
		t.Errorf("a name in use: %v, want EEXIST", err)
	}
	must(rt.DeleteLinkAltName(ctx, s0.Index, alt))
	check("altname removed", func() bool { l := get("s0"); return len(l.AltNames) == 1 && l.AltNames[0] == "s0alt" })
	if _, err := rt.LinkByAltName(ctx, alt); !errors.Is(err, unix.ENODEV) {
		t.Errorf("LinkByAltName of a removed name: %v, want ENODEV", err)
	}

	// Bridge port settings, then its state.
	p, ok := get("s1").Port.(*rtnetlink.BridgePort)
	if !ok {
		t.Fatalf("s1 is a bridge port, Port = %#v", get("s1").Port)
	}
	p.Cost, p.Priority, p.Learning, p.Flood, p.Hairpin, p.Guard, p.FastLeave, p.Isolated, p.NeighSuppress = 33, 9, false, false, true, true, true, true, true
	must(rt.SetLinkPort(ctx, s1.Index, p))
	check("bridge port settings", func() bool {
		q, _ := get("s1").Port.(*rtnetlink.BridgePort)
		return q != nil && q.Cost == 33 && q.Priority == 9 && !q.Learning && !q.Flood && q.Hairpin && q.Guard && q.FastLeave && q.Isolated && q.NeighSuppress
	})
	// Without STP the bridge works the state out again at once: disabled
	// sticks, blocking would not (bridge link set does the same).
	for _, state := range []rtnetlink.BridgePortState{rtnetlink.BridgePortDisabled, rtnetlink.BridgePortForwarding} {
		must(rt.SetBridgePortState(ctx, s1.Index, state))
		check("bridge port state "+state.String(), func() bool {
			q, _ := get("s1").Port.(*rtnetlink.BridgePort)
			return q != nil && q.State == state
		})
		if out := ns.Run(t, "-j", "-d", "link", "show", "dev", "s1"); !strings.Contains(out, `"state":"`+state.String()+`"`) {
			t.Errorf("ip says %s", out)
		}
		if out, err := exec.Command("bridge", "-n", ns.Name, "-j", "link", "show", "dev", "s1").CombinedOutput(); err != nil ||
			!strings.Contains(string(out), `"state":"`+state.String()+`"`) {
			t.Errorf("bridge link show: %s %v", out, err)
		}
	}

	// XDP: a program attached in generic mode, then detached.
	fd := loadXDPPass(t)
	must(rt.SetLinkXDP(ctx, s0.Index, fd, rtnetlink.XDPSKBMode))
	check("XDP attached", func() bool {
		x := get("s0").XDP
		return x.Attached == rtnetlink.XDPAttachedSKB && x.ProgID != 0 && x.SKBProgID == x.ProgID
	})
	if out := ns.Run(t, "-j", "-d", "link", "show", "dev", "s0"); !strings.Contains(out, `"xdp":{"mode":2`) {
		t.Errorf("ip -j -d link show s0: %s", out)
	}
	must(rt.SetLinkXDP(ctx, s0.Index, -1, rtnetlink.XDPSKBMode))
	check("XDP detached", func() bool { return get("s0").XDP == rtnetlink.LinkXDP{} })
}

// TestLinkSettersRefuse: values the kernel would refuse are refused before
// anything is sent, naming what is wrong.
func TestLinkSettersRefuse(t *testing.T) {
	ns := nstest.New(t)
	rt := dial(t, ns, netlink.Config{})
	ctx := context.Background()
	for _, c := range []struct {
		name string
		err  error
	}{
		{"altname empty", rt.AddLinkAltName(ctx, 1, "")},
		{"altname long", rt.AddLinkAltName(ctx, 1, strings.Repeat("x", 128))},
		{"altname slash", rt.DeleteLinkAltName(ctx, 1, "a/b")},
		{"LinkByAltName space", func() error { _, err := rt.LinkByAltName(ctx, "a b"); return err }()},
		{"addrgenmode 9", rt.SetLinkAddrGenMode(ctx, 1, 9)},
		{"protodown reason mask 0", rt.SetLinkProtoDownReason(ctx, 1, 0, 1)},
		{"XDP fd -2", rt.SetLinkXDP(ctx, 1, -2, 0)},
		{"XDP flags", rt.SetLinkXDP(ctx, 1, 3, 1<<9)},
		{"port nil", rt.SetLinkPort(ctx, 1, nil)},
		{"port cost 0", rt.SetLinkPort(ctx, 1, &rtnetlink.BridgePort{})},
		{"port priority 64", rt.SetLinkPort(ctx, 1, &rtnetlink.BridgePort{Cost: 1, Priority: 64})},
		{"port state 5", rt.SetBridgePortState(ctx, 1, 5)},
		{"group index 0", rt.SetLinkGroup(ctx, 0, 1)},
		{"port without master", func() error {
			_, err := rt.CreateLink(ctx, rtnetlink.Link{Name: "x0", Kind: "ifb", Port: &rtnetlink.BridgePort{Cost: 1}})
			return err
		}()},
		{"create with a bad altname", func() error {
			_, err := rt.CreateLink(ctx, rtnetlink.Link{Name: "x0", Kind: "ifb", AltNames: []string{"a:b"}})
			return err
		}()},
		{"vxlan port range", func() error {
			_, err := rt.CreateLink(ctx, rtnetlink.Link{Name: "x0", Data: &rtnetlink.Vxlan{ID: 1, PortLow: 10, PortHigh: 5}})
			return err
		}()},
	} {
		var oe *netlink.OpError
		if !errors.As(c.err, &oe) || oe.Op != "check" || !errors.Is(c.err, unix.EINVAL) {
			t.Errorf("%s: %v, want a check *OpError wrapping EINVAL", c.name, c.err)
		}
	}
	if _, err := rt.LinkByName(ctx, "x0"); !errors.Is(err, unix.ENODEV) {
		t.Errorf("a link refused before sending exists: %v", err)
	}
}

// TestCreateLinkAfterFails: when a setting CreateLink makes after the
// creation is refused, the link is deleted and the kernel's error returned.
func TestCreateLinkAfterFails(t *testing.T) {
	ns := nstest.New(t)
	rt := dial(t, ns, netlink.Config{})
	ctx := context.Background()
	// A veth cannot be held down by protodown (EOPNOTSUPP).
	_, err := rt.CreateLink(ctx, rtnetlink.Link{Name: "pd0", Data: &rtnetlink.Veth{PeerName: "pd1"}, ProtoDown: true})
	if !errors.Is(err, unix.EOPNOTSUPP) {
		t.Errorf("CreateLink with protodown on a veth: %v, want EOPNOTSUPP", err)
	}
	if _, err := rt.LinkByName(ctx, "pd0"); !errors.Is(err, unix.ENODEV) {
		t.Errorf("pd0 was left behind: %v", err)
	}
}

// TestLinkIPv4MaxSizesOracle compares the IPv4 GSO and GRO maximum sizes
// (Linux 6.3), which ip 6.1 neither sets nor prints, with iproute2 6.15's
// ip (nstest.NewerIP) both ways: what ip link add and ip link set give a
// link, the package lists; what SetLinkGSOIPv4MaxSize,
// SetLinkGROIPv4MaxSize and CreateLink give one, ip -j -d link show
// prints; and that ip agrees with the package on every field of every
// link (compareWithIP).
func TestLinkIPv4MaxSizesOracle(t *testing.T) {
	ipPath := nstest.NewerIP(t, "6.15")
	if !kernelAtLeast(t, 6, 3) {
		t.Skip("the IPv4 GSO and GRO maximum sizes came with Linux 6.3")
	}
	ns := nstest.New(t)
	ipns := ns.WithIP(ipPath)
	rt := dial(t, ns, netlink.Config{})
	ctx := context.Background()
	ipns.Run(t, "link", "add", "g0", "gso_ipv4_max_size", "30000", "gro_ipv4_max_size", "20000", "type", "veth", "peer", "name", "g1")
	ipns.Run(t, "link", "set", "g1", "gso_ipv4_max_size", "40000", "gro_ipv4_max_size", "50000")
	g2, err := rt.CreateLink(ctx, rtnetlink.Link{Name: "g2", Kind: "ifb", GSOIPv4MaxSize: 12345, GROIPv4MaxSize: 23456})
	if err != nil {
		t.Fatal(err)
	}
	g3, err := rt.CreateLink(ctx, rtnetlink.Link{Name: "g3", Kind: "ifb"})
	if err != nil {
		t.Fatal(err)
	}
	if err := rt.SetLinkGSOIPv4MaxSize(ctx, g3.Index, 1000); err != nil {
		t.Fatal(err)
	}
	if err := rt.SetLinkGROIPv4MaxSize(ctx, g3.Index, 65536); err != nil {
		t.Fatal(err)
	}
	ours := map[string]rtnetlink.Link{}
	for _, l := range compareWithIP(t, ipns, rt) {
		ours[l.Name] = l
	}
	if ours["g2"].Index != g2.Index {
		t.Fatalf("listed %+v as g2, created %+v", ours["g2"], g2)
	}
	for _, w := range []struct {
		name     string
		gso, gro uint32
	}{{"g0", 30000, 20000}, {"g1", 40000, 50000}, {"g2", 12345, 23456}, {"g3", 1000, 65536}} {
		l := ours[w.name]
		if l.GSOIPv4MaxSize != w.gso || l.GROIPv4MaxSize != w.gro {
			t.Errorf("%s: listed GSOIPv4MaxSize %d, GROIPv4MaxSize %d; want %d, %d", w.name, l.GSOIPv4MaxSize, l.GROIPv4MaxSize, w.gso, w.gro)
		}
		j := ipJSON(t, ipns, w.name)
		if gso, gro := arStr(j["gso_ipv4_max_size"]), arStr(j["gro_ipv4_max_size"]); gso != fmt.Sprint(w.gso) || gro != fmt.Sprint(w.gro) {
			t.Errorf("%s: ip prints gso_ipv4_max_size %q, gro_ipv4_max_size %q; want %d, %d", w.name, gso, gro, w.gso, w.gro)
		}
	}
}
