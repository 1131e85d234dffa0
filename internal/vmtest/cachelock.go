package vmtest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"time"
)

// leftoverPatterns match, in CacheDir, the temporary directories a run
// makes while it holds the cache's lock (lockCache) and removes when it
// is done: kernel downloads, module builds (in the cache, or in a suite's
// chroot, whose /tmp holds nothing else) and debootstraps. A run that was
// killed leaves them behind, hundreds of MB each.
var leftoverPatterns = []string{"download-*", "build-*", "debootstrap-*", suiteRootPrefix + "*/tmp/*"}

// lockCache takes the lock of CacheDir that every run holds while it
// downloads or builds there, waiting for another run that holds it, and
// then removes what runs that were killed left (leftoverPatterns): with
// the lock held, no other run is making them. The lock is released by
// unlock, or by the process's exit, however it ends.
//
// The commands a run starts while it holds the lock (holdingLock) inherit
// it: when the run is killed, the debootstrap, apt or make it started
// goes on, and the next run waits for it to end before it removes what it
// was writing.
func lockCache(logf func(string, ...any)) (unlock func(), err error) {
	cache := CacheDir()
	if err := os.MkdirAll(cache, 0o755); err != nil {
		return nil, err
	}
	p := filepath.Join(cache, "lock")
	f, err := os.OpenFile(p, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	waited, err := lockFile(f, func() {
		logf("vmtest: waiting for another run's download or build in %s (it holds %s)", cache, p)
	})
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("locking %s: %w", p, err)
	}
	if waited {
		logf("vmtest: waited %v for another run's download or build in %s", time.Since(start).Round(time.Second), cache)
	}
	for _, pat := range leftoverPatterns {
		dirs, _ := filepath.Glob(filepath.Join(cache, pat))
		for _, d := range dirs {
			logf("vmtest: removing %s, left by a run that was stopped", d)
			if err := os.RemoveAll(d); err != nil {
				f.Close()
				return nil, err
			}
		}
	}
	lockMu.Lock()
	lockHeld = f
	lockMu.Unlock()
	return func() {
		lockMu.Lock()
		if lockHeld == f {
			lockHeld = nil
		}
		lockMu.Unlock()
		f.Close()
	}, nil
}

// lockHeld is the cache's lock file while this process holds it.
var (
	lockMu   sync.Mutex
	lockHeld *os.File
)

// holdingLock makes cmd inherit the cache's lock, when this process holds
// it, so that the lock is held until cmd and what it starts have ended,
// even if this process is killed first (see lockCache). It returns cmd.
func holdingLock(cmd *exec.Cmd) *exec.Cmd {
	lockMu.Lock()
	defer lockMu.Unlock()
	if lockHeld != nil {
		cmd.ExtraFiles = append(cmd.ExtraFiles, lockHeld)
	}
	return cmd
}
