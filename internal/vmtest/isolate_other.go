//go:build !linux

package vmtest

import (
	"errors"
	"os"
	"os/exec"
)

// isolate makes cmd fail: mount namespaces and chroot builds need Linux.
func isolate(cmd *exec.Cmd, root string) *exec.Cmd {
	cmd.Err = errors.New("vmtest: running a command in a mount namespace or chroot needs Linux")
	return cmd
}

// lockFile does nothing: the harness runs on Linux only.
func lockFile(f *os.File, waiting func()) (waited bool, err error) { return false, nil }
