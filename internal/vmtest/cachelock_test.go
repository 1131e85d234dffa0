package vmtest

import (
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
)

// TestLockCacheRemovesLeftovers: taking the cache's lock removes the
// temporary directories of downloads, builds and debootstraps that a
// killed run left, in the cache and in a suite's chroot (all of its
// /tmp), and nothing else.
func TestLockCacheRemovesLeftovers(t *testing.T) {
	cache := t.TempDir()
	t.Setenv("NLKIT_VM_CACHE", cache)
	for _, d := range []string{
		"download-1/root/lib", "build-2/root/usr/src", "debootstrap-3/usr/bin",
		"root-sid/tmp/build-4/src/netdevsim", "root-sid/usr/bin",
		"linux-image-7.2.13+deb14-amd64_7.2.13-1/lib/modules/7.2.13+deb14-amd64/extra",
		"debian-index",
	} {
		if err := os.MkdirAll(filepath.Join(cache, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	var logged []string
	// A compiler's temporary file in the chroot's /tmp.
	if err := os.WriteFile(filepath.Join(cache, "root-sid/tmp/ccy3O4zi.s"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	unlock, err := lockCache(func(f string, a ...any) { logged = append(logged, f) })
	if err != nil {
		t.Fatal(err)
	}
	unlock()
	var left []string
	err = filepath.WalkDir(cache, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if rel, _ := filepath.Rel(cache, p); d.IsDir() && rel != "." {
			left = append(left, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"debian-index",
		"linux-image-7.2.13+deb14-amd64_7.2.13-1",
		"linux-image-7.2.13+deb14-amd64_7.2.13-1/lib",
		"linux-image-7.2.13+deb14-amd64_7.2.13-1/lib/modules",
		"linux-image-7.2.13+deb14-amd64_7.2.13-1/lib/modules/7.2.13+deb14-amd64",
		"linux-image-7.2.13+deb14-amd64_7.2.13-1/lib/modules/7.2.13+deb14-amd64/extra",
		"root-sid", "root-sid/tmp", "root-sid/usr", "root-sid/usr/bin",
	}
	if !slices.Equal(left, want) {
		t.Errorf("left after lockCache: %q, want %q", left, want)
	}
	if len(logged) != 5 {
		t.Errorf("logged %d removals, want 5", len(logged))
	}
}

// TestInRoot: a build's paths as its commands see them, in its chroot
// or on the host.
func TestInRoot(t *testing.T) {
	b := &moduleBuild{root: "/cache/root-sid"}
	if got := b.inRoot("/cache/root-sid/tmp/build-1/src"); got != "/tmp/build-1/src" {
		t.Errorf("in the chroot: %q", got)
	}
	b.root = ""
	if got := b.inRoot("/cache/build-1/src"); got != "/cache/build-1/src" {
		t.Errorf("on the host: %q", got)
	}
}

// TestLockCacheSaysItWaits: a run that finds the cache locked says so
// before it waits, not only once it has the lock.
func TestLockCacheSaysItWaits(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the cache's lock is flock, on Linux")
	}
	t.Setenv("NLKIT_VM_CACHE", t.TempDir())
	nolog := func(string, ...any) {}
	unlock, err := lockCache(nolog)
	if err != nil {
		t.Fatal(err)
	}
	waiting := make(chan struct{})
	done := make(chan error)
	go func() {
		once := sync.OnceFunc(func() { close(waiting) })
		unlock2, err := lockCache(func(f string, a ...any) {
			if strings.Contains(f, "waiting for") {
				once()
			}
		})
		if err == nil {
			unlock2()
		}
		done <- err
	}()
	<-waiting // the second lockCache said so while the first holds the lock
	unlock()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// TestSaveCacheConcurrent: runs of one kernel that save its modinfo at
// the same time all succeed, and leave the cache whole and no temporary
// file.
func TestSaveCacheConcurrent(t *testing.T) {
	k := &kernel{Dir: t.TempDir()}
	m := &modules{info: map[string]*modInfo{"netdevsim": {}}}
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Go(func() { errs[i] = m.saveCache(k) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("saveCache %d: %v", i, err)
		}
	}
	entries, err := os.ReadDir(k.Dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != infoCache {
		t.Errorf("left in the kernel's directory: %v, want only %s", entries, infoCache)
	}
}
