//go:build linux

package sockdiag

import (
	"maps"
	"net"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
)

// TestProcessesIn reads a /proc built in a directory: a process holding
// a socket through two descriptors and another socket, one that exited
// between the listing of its descriptors and the reading of its name
// (no comm), one without a descriptor directory, one whose descriptors
// are no sockets, and entries that are no processes.
func TestProcessesIn(t *testing.T) {
	proc := t.TempDir()
	mk := func(pid, comm string, links map[string]string) {
		t.Helper()
		dir := filepath.Join(proc, pid)
		if links != nil {
			if err := os.MkdirAll(filepath.Join(dir, "fd"), 0o755); err != nil {
				t.Fatal(err)
			}
		} else if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for fd, target := range links {
			if err := os.Symlink(target, filepath.Join(dir, "fd", fd)); err != nil {
				t.Fatal(err)
			}
		}
		if comm != "" {
			if err := os.WriteFile(filepath.Join(dir, "comm"), []byte(comm+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	mk("12", "nginx: worker", map[string]string{"0": "/dev/null", "3": "socket:[4000]", "7": "socket:[4000]", "9": "socket:[4294967295]", "10": "pipe:[5]", "11": "socket:[01]"})
	mk("34", "gone", nil)
	mk("56", "", map[string]string{"3": "socket:[4000]"}) // exited: no comm
	mk("78", "cat", map[string]string{"1": "/tmp/x"})
	mk("90", "sshd", map[string]string{"4": "socket:[4000]", "x": "socket:[6]"})
	mk("self", "self", map[string]string{"3": "socket:[8]"})
	mk("0", "zero", map[string]string{"3": "socket:[9]"})
	if err := os.WriteFile(filepath.Join(proc, "uptime"), nil, 0o644); err != nil {
		t.Fatal(err)
	}

	got, err := processesIn(proc)
	if err != nil {
		t.Fatal(err)
	}
	for _, ps := range got {
		slices.SortFunc(ps, func(a, b Process) int { return a.PID*1000 + a.FD - b.PID*1000 - b.FD })
	}
	want := map[uint32][]Process{
		4000:       {{"nginx: worker", 12, 3}, {"nginx: worker", 12, 7}, {"sshd", 90, 4}},
		4294967295: {{"nginx: worker", 12, 9}},
	}
	if !maps.EqualFunc(got, want, slices.Equal) {
		t.Errorf("processesIn = %v, want %v", got, want)
	}
	if u, w := Users(want[4000]), `(("nginx: worker",pid=12,fd=3),("nginx: worker",pid=12,fd=7),("sshd",pid=90,fd=4))`; u != w {
		t.Errorf("Users = %s, want %s", u, w)
	}
	if u := Users(nil); u != "" {
		t.Errorf("Users(nil) = %q, want empty", u)
	}
	if _, err := processesIn(filepath.Join(proc, "missing")); err == nil {
		t.Error("processesIn of a missing directory: no error")
	}
}

// TestProcessesFindsOwnSocket: the real /proc has this process's socket,
// by the inode fstat reports, with its descriptor and name.
func TestProcessesFindsOwnSocket(t *testing.T) {
	l, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	f, err := l.(*net.UDPConn).File() // a second descriptor of the socket
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var st syscall.Stat_t
	if err := syscall.Fstat(int(f.Fd()), &st); err != nil {
		t.Fatal(err)
	}
	comm, err := os.ReadFile("/proc/self/comm")
	if err != nil {
		t.Fatal(err)
	}
	procs, err := Processes()
	if err != nil {
		t.Fatal(err)
	}
	var fds []int
	for _, p := range procs[uint32(st.Ino)] {
		if p.PID == os.Getpid() {
			fds = append(fds, p.FD)
			if p.Name+"\n" != string(comm) {
				t.Errorf("process %v: name %q, /proc/self/comm %q", p, p.Name, comm)
			}
		}
	}
	if !slices.Contains(fds, int(f.Fd())) || len(fds) != 2 {
		t.Errorf("socket inode %d: this process's descriptors %v, want 2 with %d", st.Ino, fds, f.Fd())
	}
}

// BenchmarkProcesses scans this machine's /proc.
func BenchmarkProcesses(b *testing.B) {
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		procs, err := Processes()
		if err != nil {
			b.Fatal(err)
		}
		n = len(procs)
	}
	b.ReportMetric(float64(n), "sockets")
}
