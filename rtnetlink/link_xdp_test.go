//go:build linux

package rtnetlink_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/nlkit/netlink/internal/nstest"
	"github.com/nlkit/netlink/rtnetlink"
)

// TestLinkXDPFromIP: XDP programs ip attaches (pinned in a bpffs, in
// generic mode, replaced, in the driver's, in the mode the kernel picks,
// and detached) read in the package's Link as ip -j -d link show prints
// them: the mode and the program's id, per mode too. (A veth cannot run
// generic and native programs at once, so no XDPAttachedMulti here.
// TestLinkSetters has the package attach and ip read.)
func TestLinkXDPFromIP(t *testing.T) {
	ns, c, _, _ := arNS(t, nil)
	dir := t.TempDir()
	mnt := pinnedPrograms(t, dir,
		pinnedProgram{"a", "BPF_PROG_TYPE_XDP", loadXDPProgram},
		pinnedProgram{"b", "BPF_PROG_TYPE_XDP", loadXDPProgram})
	ctx := context.Background()
	for _, step := range []struct {
		args string
		mode rtnetlink.XDPAttached
	}{
		{"link set dev v0 xdpgeneric pinned " + dir + "/a", rtnetlink.XDPAttachedSKB},
		{"-force link set dev v0 xdpgeneric pinned " + dir + "/b", rtnetlink.XDPAttachedSKB}, // replaced
		{"link set dev v0 xdpgeneric off", rtnetlink.XDPAttachedNone},
		{"link set dev v0 xdpdrv pinned " + dir + "/b", rtnetlink.XDPAttachedDrv},
		{"link set dev v0 xdpdrv off", rtnetlink.XDPAttachedNone},
		{"link set dev v1 xdp pinned " + dir + "/a", rtnetlink.XDPAttachedNone}, // v0's; v1's below
	} {
		ipInMount(t, ns, mnt, strings.Fields(step.args)...)
		l, err := c.LinkByName(ctx, "v0")
		if err != nil {
			t.Fatal(err)
		}
		want := ipXDP(t, ns, "v0")
		if got := ourXDP(l.XDP); got != want {
			t.Errorf("after ip %s: the package reads v0's XDP as %s, ip as %s", step.args, got, want)
		}
		if l.XDP.Attached != step.mode {
			t.Errorf("after ip %s: mode %d, want %d", step.args, l.XDP.Attached, step.mode)
		}
		t.Logf("ip %s: %s", step.args, want)
	}
	// xdp without a mode: the driver's, where it has one (a veth does).
	l, err := c.LinkByName(ctx, "v1")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ourXDP(l.XDP), ipXDP(t, ns, "v1"); got != want || l.XDP.Attached != rtnetlink.XDPAttachedDrv || l.XDP.ProgID == 0 || l.XDP.DrvProgID != l.XDP.ProgID {
		t.Errorf("v1: the package reads %s (%+v), ip %s; want the driver's mode, alike", got, l.XDP, want)
	}
}

// ourXDP formats x as ipXDP does.
func ourXDP(x rtnetlink.LinkXDP) string {
	if x.Attached == rtnetlink.XDPAttachedNone {
		return "none"
	}
	s := fmt.Sprintf("mode=%d prog=%d", x.Attached, x.ProgID)
	for _, m := range []struct {
		mode rtnetlink.XDPAttached
		id   uint32
	}{{rtnetlink.XDPAttachedSKB, x.SKBProgID}, {rtnetlink.XDPAttachedDrv, x.DrvProgID}, {rtnetlink.XDPAttachedHW, x.HWProgID}} {
		if m.id != 0 {
			s += fmt.Sprintf(" %d:%d", m.mode, m.id)
		}
	}
	return s
}

// ipXDP formats the XDP programs of dev as ip -j -d link show prints them:
// the mode, the program's id (0 when there is one per mode), then each
// mode's program id; "none" for none.
func ipXDP(t *testing.T, ns *nstest.NS, dev string) string {
	t.Helper()
	var links []struct {
		XDP *struct {
			Mode int
			Prog struct {
				ID uint32
			}
			Attached []struct {
				Mode int
				Prog struct {
					ID uint32
				}
			}
		}
	}
	out := ns.Run(t, "-j", "-d", "link", "show", "dev", dev)
	if err := json.Unmarshal([]byte(out), &links); err != nil || len(links) != 1 {
		t.Fatalf("ip -j -d link show dev %s: %v: %s", dev, err, out)
	}
	x := links[0].XDP
	if x == nil || x.Mode == 0 {
		return "none"
	}
	s := fmt.Sprintf("mode=%d prog=%d", x.Mode, x.Prog.ID)
	for _, a := range x.Attached {
		s += fmt.Sprintf(" %d:%d", a.Mode, a.Prog.ID)
	}
	return s
}
