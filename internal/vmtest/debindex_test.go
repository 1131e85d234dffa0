package vmtest

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestReleaseSum reads the SHA256 list of a Release file, not its MD5
// list, from lines of sid's Release.
func TestReleaseSum(t *testing.T) {
	release := "Codename: sid\nMD5Sum:\n d70654e4ff73403c5076a564041f1484 10824484 main/binary-amd64/Packages.xz\n" +
		"SHA256:\n 28476c952cd0732e0ba28e3c14fbb9a8beb412eb2b3cb96bf9d067d54caacf1b 10824484 main/binary-amd64/Packages.xz\n"
	sum, size, err := releaseSum([]byte(release), indexPath)
	if err != nil || sum != "28476c952cd0732e0ba28e3c14fbb9a8beb412eb2b3cb96bf9d067d54caacf1b" || size != 10824484 {
		t.Errorf("releaseSum = %s, %d, %v", sum, size, err)
	}
	if _, _, err := releaseSum([]byte(release), "main/binary-i386/Packages.xz"); err == nil {
		t.Error("releaseSum found a path the file lacks")
	}
}

// TestIndexClosure picks sid's newest image, of all or of a series, and
// the packages that hold it (records cut from sid's Packages index of
// 7.2.13-1, and a 7.10 made up).
func TestIndexClosure(t *testing.T) {
	idx, err := parseIndex([]byte(`Package: linux-image-7.2.13+deb14-amd64
Version: 7.2.13-1
Depends: dracut | initramfs-tools (>= 0.120+deb8u2) | linux-initramfs-tool, linux-base-7.2.13+deb14-amd64 (= 7.2.13-1), linux-binary-7.2.13+deb14-amd64 (= 7.2.13-1), linux-modules-7.2.13+deb14-amd64 (= 7.2.13-1)
Filename: pool/main/l/linux-signed-amd64/linux-image-7.2.13+deb14-amd64_7.2.13-1_amd64.deb
Size: 1892
SHA256: 28dc3dd3c1446246ced2f9e4bf4e93475aae3815d03eaedebe20b168cb944b10

Package: linux-image-7.2.13+deb14-cloud-amd64
Version: 7.2.13-1

Package: linux-image-7.1.9+deb14-amd64
Version: 7.1.9-1

Package: linux-image-7.10.1+deb14-amd64
Version: 7.10.1-1

Package: linux-base-7.2.13+deb14-amd64
Version: 7.2.13-1

Package: linux-binary-7.2.13+deb14-amd64
Version: 7.2.13-1
Depends: linux-base-7.2.13+deb14-amd64 (= 7.2.13-1)

Package: linux-modules-7.2.13+deb14-amd64
Version: 7.2.13-1
Depends: kmod, linux-base-7.2.13+deb14-amd64 (= 7.2.13-1)
`))
	if err != nil {
		t.Fatal(err)
	}
	if img, _, err := idx.newestImage(""); err != nil || img.Name != "linux-image-7.10.1+deb14-amd64" {
		t.Errorf("newestImage() = %+v, %v", img, err)
	}
	img, rel, err := idx.newestImage("7.2")
	if err != nil || img.Name != "linux-image-7.2.13+deb14-amd64" || rel != "7.2.13+deb14-amd64" || img.Size != 1892 {
		t.Fatalf("newestImage = %+v, %q, %v", img, rel, err)
	}
	// A series narrows it; 7.1 is not 7.10, and a series the suite lacks
	// is an error.
	if img, rel, err := idx.newestImage("7.1"); err != nil || img.Name != "linux-image-7.1.9+deb14-amd64" || rel != "7.1.9+deb14-amd64" {
		t.Errorf("newestImage(7.1) = %+v, %q, %v", img, rel, err)
	}
	if _, _, err := idx.newestImage("7.3"); err == nil {
		t.Error("newestImage(7.3) found an image the index lacks")
	}
	debs, err := idx.closure(img, rel)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, d := range debs {
		names = append(names, d.Name)
	}
	want := []string{"linux-image-7.2.13+deb14-amd64", "linux-base-7.2.13+deb14-amd64", "linux-binary-7.2.13+deb14-amd64", "linux-modules-7.2.13+deb14-amd64"}
	if !slices.Equal(names, want) {
		t.Errorf("closure = %v, want %v", names, want)
	}
	delete(idx.pkgs, "linux-modules-7.2.13+deb14-amd64")
	if _, err := idx.closure(img, rel); err == nil {
		t.Error("closure took an index without the modules package")
	}
}

// TestMergedUsr moves sid's usr/lib/modules layout into the cache's.
func TestMergedUsr(t *testing.T) {
	root := t.TempDir()
	rel := "7.2.13+deb14-amd64"
	dir := filepath.Join(root, "usr", "lib", "modules", rel)
	if err := os.MkdirAll(filepath.Join(dir, "kernel"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "vmlinuz"), []byte("image"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := mergedUsr(root, rel); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"boot/vmlinuz-" + rel, "lib/modules/" + rel + "/kernel"} {
		if _, err := os.Stat(filepath.Join(root, p)); err != nil {
			t.Error(err)
		}
	}
}

// TestKernelCompiler reads the compiler of sid's .kernelvariables.
func TestKernelCompiler(t *testing.T) {
	dir := t.TempDir()
	text := "ARCH = x86\nCC = $(if $(DEBIAN_KERNEL_USE_CCACHE),$(CCACHE)) $(CROSS_COMPILE)gcc-16\n"
	if err := os.WriteFile(filepath.Join(dir, ".kernelvariables"), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	if cc, ok := kernelCompiler(dir); !ok || cc != "gcc-16" {
		t.Errorf("kernelCompiler = %q, %v", cc, ok)
	}
}
