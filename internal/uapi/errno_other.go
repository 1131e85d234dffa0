//go:build !linux

package uapi

import "syscall"

// ErrnoFromLinux returns the host's syscall.Errno for Linux's errno number
// n, so that errors.Is(err, syscall.ENODEV) holds for a fake kernel's
// reply; a number the table lacks stays as it is.
func ErrnoFromLinux(n uint32) syscall.Errno { return errnoFromTable(n) }

// ErrnoToLinux returns Linux's number for the host's errno e, as a fake
// kernel's reply carries it; an errno the table lacks keeps its number.
func ErrnoToLinux(e syscall.Errno) uint32 { return errnoToTable(e) }
