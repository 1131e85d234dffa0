package nstest

import (
	"fmt"
	"os"
	"os/exec"
	"testing"
)

func TestMain(m *testing.M) {
	code := m.Run()
	if s := SkipSummary(); s != "" {
		fmt.Println(s)
	}
	os.Exit(code)
}

// deadPID returns the ID of a process that has exited.
func deadPID(t *testing.T) int {
	t.Helper()
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatalf("true: %v", err)
	}
	pid := cmd.Process.Pid
	if _, err := os.Stat(fmt.Sprintf("/proc/%d", pid)); err == nil {
		t.Skipf("PID %d was reused at once", pid)
	}
	return pid
}

func TestStale(t *testing.T) {
	self := os.Getpid()
	start, err := startTime(self)
	if err != nil {
		t.Fatal(err)
	}
	dead := deadPID(t)
	for _, c := range []struct {
		name string
		want bool
	}{
		{fmt.Sprintf("nlkit-test-%d-%d-1", self, start), false},  // this process
		{fmt.Sprintf("nlkit-test-%d-%d-7", self, start+1), true}, // our PID, reused
		{fmt.Sprintf("nlkit-test-%d-%d-1", dead, start), true},   // dead process
		{fmt.Sprintf("nlkit-test-%d-1", self), false},            // old form, alive
		{fmt.Sprintf("nlkit-test-%d-1", dead), true},             // old form, dead
		{fmt.Sprintf("nlkit-test-%d", dead), false},              // not a name New makes
		{fmt.Sprintf("nlkit-test-%d-1-2-3", dead), false},
		{fmt.Sprintf("nlkit-test-%d-x", dead), false},
		{"nlkit-test-0-1", false},
		{"nlkit-test-99999999-1", false}, // beyond PID_MAX_LIMIT
		{fmt.Sprintf("other-%d-1", dead), false},
	} {
		if got := stale(c.name); got != c.want {
			t.Errorf("stale(%q) = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestStartTime(t *testing.T) {
	a, err := startTime(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	b, err := startTime(1)
	if err != nil {
		t.Fatal(err)
	}
	if a < b {
		t.Errorf("this process started at tick %d, before init (%d)", a, b)
	}
	if _, err := startTime(deadPID(t)); !os.IsNotExist(err) {
		t.Errorf("startTime of an exited process: %v, want a not-exist error", err)
	}
}

// TestRemoveStale leaves a namespace named after an exited process, as a
// killed test run would, and checks that removeStale deletes it and keeps
// this process's own.
func TestRemoveStale(t *testing.T) {
	own := New(t)
	start, err := startTime(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	left := fmt.Sprintf("nlkit-test-%d-%d-1", deadPID(t), start)
	if out, err := exec.Command("ip", "netns", "add", left).CombinedOutput(); err != nil {
		t.Fatalf("ip netns add %s: %v: %s", left, err, out)
	}
	t.Cleanup(func() { exec.Command("ip", "netns", "del", left).Run() })

	if err := removeStale(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(netnsDir + "/" + left); !os.IsNotExist(err) {
		t.Errorf("%s is still there (%v)", left, err)
	}
	if _, err := os.Lstat(netnsDir + "/" + own.Name); err != nil {
		t.Errorf("this process's namespace %s is gone: %v", own.Name, err)
	}
}
