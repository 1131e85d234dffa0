//go:build linux

package vmtest

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeQEMU puts a qemu-system-x86_64 first in PATH that prints the
// lines (no single quotes) on its console and exits 0, as a guest that
// powers off does.
func fakeQEMU(t *testing.T, lines ...string) {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("#!/bin/sh\n")
	for _, l := range lines {
		fmt.Fprintf(&b, "echo '%s'\n", l)
	}
	if err := os.WriteFile(filepath.Join(dir, "qemu-system-x86_64"), []byte(b.String()), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
}

// TestBootEarlyStop: a guest that stops before init starts the tests is
// an error that keeps the console's last lines, and says the tests did
// not start; one that ran them reports its exit and keeps none.
func TestBootEarlyStop(t *testing.T) {
	var early []string
	for i := range earlyLines + 5 {
		early = append(early, fmt.Sprintf("boot line %d", i))
	}
	fakeQEMU(t, append(early, "Kernel panic - not syncing: IO-APIC + timer does not work")...)
	b, err := boot(context.Background(), &Config{}, "vmlinuz", "initrd", io.Discard)
	if err == nil || b.started || b.reported {
		t.Fatalf("boot of a guest that panicked: %+v, %v", b, err)
	}
	if len(b.early) != earlyLines || !strings.Contains(b.early[len(b.early)-1], "Kernel panic") || b.early[0] != "boot line 6" {
		t.Errorf("console kept: %q", b.early)
	}

	fakeQEMU(t, "boot line", "@@vmtest start", "PASS", "@@vmtest exit 0")
	b, err = boot(context.Background(), &Config{}, "vmlinuz", "initrd", io.Discard)
	if err != nil || !b.started || !b.reported || b.exit != 0 || b.early != nil {
		t.Errorf("boot of a guest that ran its tests: %+v, %v", b, err)
	}
}
