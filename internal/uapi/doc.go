// Package uapi holds the Linux kernel's netlink constants and types that
// the module's packages use, with Linux's values on every GOOS:
// golang.org/x/sys/unix has them only when building for Linux (and does
// not exist on Windows), but a netlink message carries Linux's numbers
// wherever it is built or parsed, such as in a test with nltest's fake
// kernel on macOS.
//
// zconst.go and ztypes.go are generated from x/sys/unix's own source, for
// exactly the names the module uses: after using a new uapi.NAME, run
// go generate ./internal/uapi. The errno table (errno.go) is written by
// hand.
package uapi

//go:generate go run ../cmd/genuapi
