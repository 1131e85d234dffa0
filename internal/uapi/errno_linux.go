package uapi

import "syscall"

// ErrnoFromLinux returns the syscall.Errno for the errno number n that a
// netlink reply carries. On Linux that is n itself.
func ErrnoFromLinux(n uint32) syscall.Errno { return syscall.Errno(n) }

// ErrnoToLinux returns the number a netlink reply carries for e. On Linux
// that is e itself.
func ErrnoToLinux(e syscall.Errno) uint32 { return uint32(e) }
