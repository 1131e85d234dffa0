//go:build !linux

package main

import (
	"errors"
	"fmt"
)

// newNetNS fails: network namespaces, and netlink, are Linux's alone.
func newNetNS() error {
	return fmt.Errorf("new network namespace: %w", errors.ErrUnsupported)
}
