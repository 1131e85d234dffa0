package vmtest

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
)

// LocalKernel is the Config.Kernel (and internal/cmd/vmtest -kernel) that
// names a kernel built outside the harness: the vmlinux that
// $NLKIT_VM_VMLINUX points at, in its build tree. It is opt-in and for a
// kernel with options Debian leaves off (CONFIG_INET_PSP): the vmlinux
// must have a PVH entry point (CONFIG_PVH) and have built in whatever the
// tests need (netdevsim, veth …), since the harness does not build or
// copy modules for it. The build tree's .config becomes the guest's
// configuration (KernelConfig) and its modules.builtin tells the guest's
// modprobe what is built in, when they are beside the vmlinux.
// testdata/local-psp.config is a config fragment for x86_64's defconfig
// of such a kernel for the psp family; BuiltKernels' "psp" is a smaller
// one the harness builds itself.
const LocalKernel = "local"

// localVmlinuxEnv names the environment variable of LocalKernel.
const localVmlinuxEnv = "NLKIT_VM_VMLINUX"

// bannerRE matches the kernel's banner in a vmlinux: its release.
var bannerRE = regexp.MustCompile(`Linux version ([^ \x00]+) \(`)

// resolveLocalKernel returns LocalKernel: a directory in CacheDir laid
// out as an unpacked kernel package (vmlinux, lib/modules/RELEASE with
// modules.builtin and config, and no modules), made the first time for
// this vmlinux (its path, size and time of change).
func resolveLocalKernel() (*kernel, error) {
	p := os.Getenv(localVmlinuxEnv)
	if p == "" {
		return nil, fmt.Errorf("kernel %q: set %s to a vmlinux (with CONFIG_PVH) to boot", LocalKernel, localVmlinuxEnv)
	}
	p, err := filepath.Abs(p)
	if err != nil {
		return nil, err
	}
	fi, err := os.Stat(p)
	if err != nil {
		return nil, fmt.Errorf("kernel %q: %w", LocalKernel, err)
	}
	img, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("kernel %q: %w", LocalKernel, err)
	}
	if !hasPVH(img) {
		return nil, fmt.Errorf("kernel %q: %s is not a vmlinux with a PVH entry point (CONFIG_PVH)", LocalKernel, p)
	}
	m := bannerRE.FindSubmatch(img)
	if m == nil {
		return nil, fmt.Errorf("kernel %q: no Linux banner in %s", LocalKernel, p)
	}
	k := &kernel{Label: LocalKernel, Release: string(m[1]), Package: "local"}
	sum := sha256.Sum256([]byte(p + "\x00" + strconv.FormatInt(fi.Size(), 10) + "\x00" + fi.ModTime().String()))
	k.Version = hex.EncodeToString(sum[:6])
	k.Dir = filepath.Join(CacheDir(), "local-"+k.Release+"_"+k.Version)
	if _, err := os.Stat(k.Dir); err == nil {
		return k, nil
	}
	if err := os.MkdirAll(CacheDir(), 0o755); err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp(CacheDir(), "local-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp) // after the rename, nothing
	if err := os.Chmod(tmp, 0o755); err != nil {
		return nil, err
	}
	mods := filepath.Join(tmp, "lib", "modules", k.Release)
	if err := os.MkdirAll(filepath.Join(mods, "kernel"), 0o755); err != nil {
		return nil, err
	}
	if err := os.Symlink(p, filepath.Join(tmp, "vmlinux")); err != nil {
		return nil, err
	}
	for from, to := range map[string]string{".config": "config", "modules.builtin": "modules.builtin"} {
		b, err := os.ReadFile(filepath.Join(filepath.Dir(p), from))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(mods, to), b, 0o644); err != nil {
			return nil, err
		}
	}
	if err := os.Rename(tmp, k.Dir); err != nil {
		if _, serr := os.Stat(k.Dir); serr == nil {
			return k, nil // another run made it
		}
		return nil, err
	}
	return k, nil
}

// isLocal reports whether k is LocalKernel, which fetch leaves alone.
func (k *kernel) isLocal() bool { return k.Label == LocalKernel }
