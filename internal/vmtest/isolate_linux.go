//go:build linux

package vmtest

import (
	"errors"
	"os"
	"os/exec"
	"syscall"
)

// isolate makes cmd run in a mount namespace of its own, so that what it
// mounts (debootstrap's /proc and /sys in its target, the /proc of
// rootCommand) goes away with it, even when it is killed; and, when root
// is not empty, with root as its root directory (chroot). cmd inherits
// the cache's lock (holdingLock). It returns cmd.
func isolate(cmd *exec.Cmd, root string) *exec.Cmd {
	cmd.SysProcAttr = &syscall.SysProcAttr{Chroot: root, Unshareflags: syscall.CLONE_NEWNS}
	return holdingLock(cmd)
}

// lockFile waits for an exclusive lock on f (flock), which ends when f
// is closed or its process exits. When another holds it, it calls
// waiting before it waits, and reports that it waited.
func lockFile(f *os.File, waiting func()) (waited bool, err error) {
	err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if !errors.Is(err, syscall.EWOULDBLOCK) {
		return false, err
	}
	waiting()
	for {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX)
		if !errors.Is(err, syscall.EINTR) {
			return true, err
		}
	}
}
