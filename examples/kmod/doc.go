// Package kmod holds no Go code of its own: its directory carries hello_nl, a
// small Linux kernel module that answers netlink "hello" messages (the kernel
// half of the examples/hello client), and TestE2E, which boots a real Debian
// kernel under QEMU with the module and the client in an initramfs and checks
// that they talk. See README.md in this directory.
package kmod
