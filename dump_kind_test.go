//go:build linux

package netlink_test

import (
	"fmt"
	"os/exec"
	"strings"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/nstest"
	"golang.org/x/sys/unix"
)

// A GET with a dump bit is a dump to rtnetlink whatever else is set: sent
// inside a Dump the kernel is still running, a GETLINK with any combination
// of Root, Match, Atomic and Append that has a dump bit waits for its turn
// and lists every link, where it got EBUSY when Atomic or Append was set
// too; without a dump bit it gets its one link. SETLINK requests with the
// same bits are no dumps: each is acknowledged, with no messages, and the
// outer Dump stays whole.
func TestDumpKindInsideDump(t *testing.T) {
	ns := nstest.New(t)
	v := xcVeth(t, ns, "xc0")
	const routes = 3000
	xcInstallRoutes(t, xcDial(t, ns, netlink.Config{}), routes, v)
	// No GetStrictCheck: it refuses a link dump with an index.
	c := xcDial(t, ns, netlink.Config{DatagramBuffer: 4096})
	links := len(xcLinks(t, ns))
	bits := []netlink.HeaderFlags{netlink.Root, netlink.Match, netlink.Atomic, netlink.Append}
	for i := range 1 << len(bits) {
		var f netlink.HeaderFlags
		for j, b := range bits {
			if i&(1<<j) != 0 {
				f |= b
			}
		}
		outer, checked := 0, false
		for m, err := range c.Dump(xcCtx(t), xcRouteDump()) {
			if err != nil {
				t.Fatalf("%v: outer Dump: %v", f, err)
			}
			if table, dst, ok := xcRouteDst(m); ok && table == unix.RT_TABLE_MAIN && dst[0] == 10 {
				outer++
			}
			if checked {
				continue
			}
			checked = true
			// Nothing reads the Conn but this loop, which has read one
			// datagram of thousands of routes: the kernel's dump runs.
			if !xcDumpRunning(t, ns, c.LocalAddr().PortID) {
				t.Fatalf("%v: the kernel runs no dump for the Conn inside its Dump", f)
			}
			msgs, err := c.Execute(xcCtx(t), xcGetLink(v, f))
			switch {
			case err != nil:
				t.Errorf("GETLINK with %v inside a Dump: %v", f, err)
			case f&netlink.Dump != 0 && len(msgs) != links:
				t.Errorf("GETLINK with %v inside a Dump: %d links, want the %d of a dump", f, len(msgs), links)
			case f&netlink.Dump == 0:
				xcCheckLink(t, msgs, v, "xc0")
			}
			set := netlink.Message{Header: netlink.Header{Type: unix.RTM_SETLINK, Flags: f}, Data: xcIfinfo(v)}
			if msgs, err := c.Execute(xcCtx(t), set); err != nil || len(msgs) != 0 {
				t.Errorf("SETLINK with %v inside a Dump: %d messages, %v; want none, nil", f, len(msgs), err)
			}
		}
		if outer != routes {
			t.Errorf("%v: outer Dump: %d routes, want %d", f, outer, routes)
		}
	}
}

// xcDumpRunning says whether the kernel runs a dump for the NETLINK_ROUTE
// socket with port ID port in ns, from /proc/net/netlink.
func xcDumpRunning(t testing.TB, ns *nstest.NS, port uint32) bool {
	t.Helper()
	b, err := exec.Command("ip", "netns", "exec", ns.Name, "cat", "/proc/net/netlink").CombinedOutput()
	if err != nil {
		t.Fatalf("reading /proc/net/netlink in the namespace: %v: %s", err, b)
	}
	for _, line := range strings.Split(string(b), "\n")[1:] {
		// sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode
		f := strings.Fields(line)
		if len(f) >= 10 && f[1] == "0" && f[2] == fmt.Sprint(port) {
			return f[6] != "0"
		}
	}
	t.Fatalf("no NETLINK_ROUTE socket with port %d in /proc/net/netlink:\n%s", port, b)
	return false
}
