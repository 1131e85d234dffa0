package main

import (
	"runtime"

	"golang.org/x/sys/unix"
)

// newNetNS moves the calling goroutine, locked to its thread for good, to
// a new network namespace.
func newNetNS() error {
	runtime.LockOSThread()
	return unix.Unshare(unix.CLONE_NEWNET)
}
