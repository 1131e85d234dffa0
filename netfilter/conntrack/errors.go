package conntrack

import (
	"fmt"
	"os"
	"syscall"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/netfilter"
)

// The errors of this package follow the rules of package rtnetlink: a
// request refused before it was sent is a *netlink.OpError with Op "check"
// and a cause matching both syscall.EINVAL and os.ErrInvalid; a request
// the kernel refused is the root package's *netlink.OpError with Object
// naming the entry or the filter it was about.

// errInvalid is the cause of a request refused before it was sent.
type errInvalid struct{ msg string }

// Error says what was invalid.
func (e *errInvalid) Error() string { return "invalid argument: " + e.msg }

// Is reports whether target is syscall.EINVAL or os.ErrInvalid.
func (e *errInvalid) Is(target error) bool {
	return target == syscall.EINVAL || target == os.ErrInvalid
}

// invalid is the *netlink.OpError for a request refused before it was
// sent.
func invalid(req netlink.HeaderType, format string, args ...any) error {
	return &netlink.OpError{
		Op: "check", Protocol: netfilter.Protocol, Request: req,
		Err:    &errInvalid{fmt.Sprintf(format, args...)},
		ExtAck: netlink.ExtAck{Offset: -1, MissingNest: -1},
	}
}
