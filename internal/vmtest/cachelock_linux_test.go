//go:build linux

package vmtest

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
)

// TestLockHeldByCommands: a command started while the cache is locked
// holds the lock until it ends, even after the run lets go of it (as a
// killed run does), so that the next run waits for it.
func TestLockHeldByCommands(t *testing.T) {
	t.Setenv("NLKIT_VM_CACHE", t.TempDir())
	nolog := func(string, ...any) {}
	unlock, err := lockCache(nolog)
	if err != nil {
		t.Fatal(err)
	}
	cmd := holdingLock(exec.Command("cat"))
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	unlock()
	f, err := os.Open(filepath.Join(CacheDir(), "lock"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); !errors.Is(err, syscall.EWOULDBLOCK) {
		t.Errorf("lock while the command runs, after unlock: %v; want EWOULDBLOCK", err)
	}
	stdin.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		t.Errorf("lock once the command ended: %v", err)
	}
	// Commands started without the lock held inherit nothing.
	if cmd := holdingLock(exec.Command("true")); len(cmd.ExtraFiles) != 0 {
		t.Errorf("a command started after unlock inherits %d files", len(cmd.ExtraFiles))
	}
}
