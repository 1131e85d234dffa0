package vmtest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLocalKernelRefuses checks that LocalKernel needs NLKIT_VM_VMLINUX
// to name a vmlinux with a PVH entry point, and says so.
func TestLocalKernelRefuses(t *testing.T) {
	t.Setenv("NLKIT_VM_CACHE", t.TempDir())
	t.Setenv(localVmlinuxEnv, "")
	if _, err := resolveKernel(LocalKernel, t.Logf); err == nil || !strings.Contains(err.Error(), localVmlinuxEnv) {
		t.Errorf("without %s: %v, want an error naming it", localVmlinuxEnv, err)
	}
	p := filepath.Join(t.TempDir(), "vmlinux")
	if err := os.WriteFile(p, []byte("Linux version 7.2.13 (not an ELF file)"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv(localVmlinuxEnv, p)
	if _, err := resolveKernel(LocalKernel, t.Logf); err == nil || !strings.Contains(err.Error(), "PVH") {
		t.Errorf("a file without a PVH entry: %v, want an error saying so", err)
	}
}
