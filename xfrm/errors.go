package xfrm

import (
	"fmt"
	"os"
	"syscall"

	"github.com/nlkit/netlink"
)

// The errors of this package follow the rules of packages rtnetlink and
// sockdiag: a request refused before it was sent is a *netlink.OpError
// with Op "check", the request it would have sent and the object it names,
// and a cause matching both syscall.EINVAL and os.ErrInvalid; a request
// the kernel refused is the root package's *netlink.OpError with Object
// naming the state or policy, wrapping the errno (errors.Is(err,
// syscall.ESRCH) for a state that is not there) and carrying the kernel's
// extended ACK message. Bytes that do not parse give errors wrapping
// netlink.ErrMalformed.

// errInvalid is the cause of a request refused before it was sent.
type errInvalid struct{ msg string }

func (e *errInvalid) Error() string { return "invalid argument: " + e.msg }

// Is reports whether target is syscall.EINVAL or os.ErrInvalid.
func (e *errInvalid) Is(target error) bool {
	return target == syscall.EINVAL || target == os.ErrInvalid
}

// invalid is the *netlink.OpError for request typ about object, refused
// before it was sent.
func invalid(typ netlink.HeaderType, object string, format string, args ...any) error {
	return &netlink.OpError{
		Op: "check", Protocol: netlinkXFRM, Request: typ, Object: object,
		Err:    &errInvalid{fmt.Sprintf(format, args...)},
		ExtAck: netlink.ExtAck{Offset: -1, MissingNest: -1},
	}
}

// malformed is the error for bytes that do not parse.
func malformed(format string, args ...any) error {
	return fmt.Errorf("xfrm: %w: %s", netlink.ErrMalformed, fmt.Sprintf(format, args...))
}
