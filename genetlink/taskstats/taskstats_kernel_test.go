//go:build linux

package taskstats_test

import (
	"bytes"
	"context"
	"flag"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/genetlink"
	"github.com/nlkit/netlink/genetlink/taskstats"
	"github.com/nlkit/netlink/internal/nstest"
	"golang.org/x/sys/unix"
)

var update = flag.Bool("update", false, "rewrite testdata/ with the kernel's replies")

// procStatus reads the "Key:\tvalue" lines of a /proc status file.
func procStatus(t *testing.T, path string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	kv := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok {
			kv[k] = strings.TrimSpace(v)
		}
	}
	return kv
}

func atoi(t *testing.T, s string) uint64 {
	t.Helper()
	v, err := strconv.ParseUint(strings.Fields(s)[0], 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestOwnTask asks for the statistics of this test's own task and thread
// group, from a socket in a throwaway namespace, and compares them with
// /proc: IDs, command name, context switches.
func TestOwnTask(t *testing.T) {
	ns := nstest.New(t)
	g, err := genetlink.Dial(&netlink.Config{NetNS: ns.Path})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	ctx := context.Background()
	c, err := taskstats.New(ctx, g)
	if err != nil {
		t.Fatal(err)
	}

	// The thread asked about is this one, so that its context switches
	// only grow between /proc and the kernel's answer.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	tid := unix.Gettid()
	before := procStatus(t, "/proc/self/task/"+strconv.Itoa(tid)+"/status")
	s, err := c.PID(ctx, tid)
	if err != nil {
		t.Fatal(err)
	}
	comm, err := os.ReadFile("/proc/self/comm")
	if err != nil {
		t.Fatal(err)
	}
	if s.PID != tid || int(s.Ac_pid) != tid || int(s.Ac_ppid) != os.Getppid() {
		t.Errorf("PID %d ac_pid %d ac_ppid %d; want %d, %d, %d", s.PID, s.Ac_pid, s.Ac_ppid, tid, tid, os.Getppid())
	}
	if int(s.Ac_uid) != os.Getuid() || int(s.Ac_gid) != os.Getgid() {
		t.Errorf("uid %d gid %d; want %d %d", s.Ac_uid, s.Ac_gid, os.Getuid(), os.Getgid())
	}
	if got, want := string(bytes.TrimRight(int8s(s.Ac_comm[:]), "\x00")), strings.TrimSpace(string(comm)); got != want {
		t.Errorf("comm %q, /proc says %q", got, want)
	}
	if v := atoi(t, before["voluntary_ctxt_switches"]); s.Nvcsw < v {
		t.Errorf("nvcsw %d, below /proc's earlier %d", s.Nvcsw, v)
	}
	if v := atoi(t, before["nonvoluntary_ctxt_switches"]); s.Nivcsw < v {
		t.Errorf("nivcsw %d, below /proc's earlier %d", s.Nivcsw, v)
	}
	if s.Version == 0 || s.Ac_btime == 0 {
		t.Errorf("version %d btime %d: want both set", s.Version, s.Ac_btime)
	}

	tg, err := c.TGID(ctx, os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if tg.TGID != os.Getpid() || tg.Nvcsw < s.Nvcsw {
		t.Errorf("thread group %d with %d voluntary switches; want %d, at least %d", tg.TGID, tg.Nvcsw, os.Getpid(), s.Nvcsw)
	}
	t.Logf("version %d, pid %d: comm %q, %d+%d context switches; group %d: %d+%d", s.Version, s.PID,
		bytes.TrimRight(int8s(s.Ac_comm[:]), "\x00"), s.Nvcsw, s.Nivcsw, tg.TGID, tg.Nvcsw, tg.Nivcsw)

	if *update {
		var e netlink.AttrEncoder
		e.Uint32(unix.TASKSTATS_CMD_ATTR_TGID, uint32(os.Getpid()))
		attrs, _ := e.Finish()
		msgs, err := g.Execute(ctx, &c.Family, unix.TASKSTATS_CMD_GET, attrs)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile("testdata/tgid.bin", netlink.AppendMessage(nil, msgs[0].Header, msgs[0].Data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func int8s(s []int8) []byte {
	b := make([]byte, len(s))
	for i, c := range s {
		b[i] = byte(c)
	}
	return b
}
