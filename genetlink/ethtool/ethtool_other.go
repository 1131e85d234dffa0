//go:build !linux

// Netlink exists on Linux alone. This file keeps the package, empty, on
// other systems, so that `go vet ./...` and `go build ./...` pass there.

package ethtool
