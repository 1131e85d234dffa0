//go:build !freebsd

package genltest

import "syscall"

// errNoData is ENODATA, what nlctrl answers a policy request of a family
// without policies.
const errNoData = syscall.ENODATA
