//go:build linux

package nstest

import (
	"os"
	"runtime"

	"golang.org/x/sys/unix"
)

// Do runs fn on an OS thread that has joined ns, and returns fn's error,
// or the error of joining ns. The thread is never given back to the
// runtime: it exits with the goroutine Do starts, so nothing else runs in
// ns by accident, and what fn changes of the thread (its credentials, say)
// ends with it. Sockets fn opens belong to ns for their whole life.
func (ns *NS) Do(fn func() error) error {
	done := make(chan error)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread exits with the goroutine
		f, err := os.Open(ns.Path)
		if err == nil {
			err = unix.Setns(int(f.Fd()), unix.CLONE_NEWNET)
			f.Close()
		}
		if err == nil {
			err = fn()
		}
		done <- err
	}()
	return <-done
}
