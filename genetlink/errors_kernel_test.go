//go:build linux

package genetlink_test

import (
	"context"
	"errors"
	"strings"
	"syscall"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/genetlink/ethtool"
	"github.com/nlkit/netlink/genetlink/netdev"
	"github.com/nlkit/netlink/genetlink/taskstats"
	"golang.org/x/sys/unix"
)

// TestKernelErrorStrings checks the text of the kernel's refusals of the
// typed generic netlink calls, here and in the family packages: the family
// and command, the object, the errno; and that errors.Is finds the errno
// and errors.As the *netlink.OpError.
func TestKernelErrorStrings(t *testing.T) {
	gc, _ := dial(t, nil)
	ctx := context.Background()
	et, err := ethtool.New(ctx, gc)
	if err != nil {
		t.Fatal(err)
	}
	nd, err := netdev.New(ctx, gc)
	if err != nil && !noNetdev(t, err) {
		t.Fatal(err)
	}
	ts, err := taskstats.New(ctx, gc)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		call  func() error
		errno syscall.Errno
		want  string
	}{
		{"Family", func() error { _, err := gc.Family(ctx, "nosuch"); return err }, unix.ENOENT,
			`netlink generic nlctrl GETFAMILY family "nosuch": no such file or directory`},
		{"FamilyPolicy", func() error { _, err := gc.FamilyPolicy(ctx, "nosuch"); return err }, unix.ENOENT,
			`netlink generic nlctrl GETPOLICY family "nosuch": no such file or directory`},
		{"JoinGroup", func() error { _, err := gc.JoinGroup(ctx, "nosuch", "g"); return err }, unix.ENOENT,
			`netlink generic nlctrl GETFAMILY family "nosuch": no such file or directory`},
		{"ethtool LinkInfo", func() error { _, err := et.LinkInfo(ctx, "nosuch0"); return err }, unix.ENODEV,
			`netlink generic ethtool LINKINFO_GET link "nosuch0": no such device: no device matches name (attribute 2 at offset 24)`},
		{"ethtool LinkModes", func() error { _, err := et.LinkModes(ctx, "nosuch0"); return err }, unix.ENODEV,
			`netlink generic ethtool LINKMODES_GET link "nosuch0": no such device: no device matches name (attribute 2 at offset 24)`},
		{"netdev Dev", func() error { _, err := nd.Dev(ctx, 9999); return err }, unix.ENODEV,
			`netlink generic netdev DEV_GET device 9999: no such device`},
		{"taskstats PID", func() error { _, err := ts.PID(ctx, 1<<30); return err }, unix.ESRCH,
			`netlink generic TASKSTATS GET task 1073741824: no such process`},
		{"taskstats TGID", func() error { _, err := ts.TGID(ctx, 1<<30); return err }, unix.ESRCH,
			`netlink generic TASKSTATS GET thread group 1073741824: no such process`},
	} {
		if strings.HasPrefix(tc.name, "netdev ") && nd == nil {
			continue
		}
		err := tc.call()
		if err == nil {
			t.Errorf("%s: no error, want %q", tc.name, tc.want)
			continue
		}
		if got := err.Error(); got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.name, got, tc.want)
		}
		var oe *netlink.OpError
		if !errors.Is(err, tc.errno) || !errors.As(err, &oe) || oe.Object == "" {
			t.Errorf("%s: %v does not wrap %v, or is not an *OpError naming its object", tc.name, err, tc.errno)
		}
		prev := ""
		for _, w := range strings.Fields(err.Error()) {
			if strings.EqualFold(w, prev) {
				t.Errorf("%s: %q doubles %q", tc.name, err, w)
			}
			prev = w
		}
	}
}
