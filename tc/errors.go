package tc

import (
	"errors"
	"fmt"
	"os"
	"syscall"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/uapi"
)

// Error is the error of a tc call: the operation, the object it was about
// (`qdisc htb 1: dev "v0"`) and the cause, as in
//
//	tc: add qdisc htb 1: dev "v0": file exists: Exclusivity flag on, cannot modify
//
// The cause is a *netlink.OpError: the kernel's errno and extended ACK
// for a refused request, or, for one refused before it was sent, Op
// "check" and a cause matching syscall.EINVAL and os.ErrInvalid.
// errors.Is and errors.As see through Error.
type Error struct {
	Op     string // "add", "change", "replace", "delete", "list", "get"
	Object string // what the request was about
	Err    error
}

func (e *Error) Error() string {
	msg := e.Err.Error()
	var oe *netlink.OpError
	if errors.As(e.Err, &oe) {
		// The OpError's own text repeats the request and the object.
		msg = oe.Err.Error()
		if oe.Message != "" {
			msg += ": " + oe.Message
		}
	}
	if e.Object == "" {
		return "tc: " + e.Op + ": " + msg
	}
	return "tc: " + e.Op + " " + e.Object + ": " + msg
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// errInvalid is the cause of a request refused before it was sent.
type errInvalid struct{ msg string }

func (e *errInvalid) Error() string { return "invalid argument: " + e.msg }

// Is reports whether target is syscall.EINVAL or os.ErrInvalid.
func (e *errInvalid) Is(target error) bool { return isInvalid(target) }

func isInvalid(target error) bool { return target == syscall.EINVAL || target == os.ErrInvalid }

// invalid is the *netlink.OpError of a request of type req refused before
// it was sent.
func invalid(req netlink.HeaderType, format string, args ...any) error {
	return &netlink.OpError{
		Op: "check", Protocol: uapi.NETLINK_ROUTE, Request: req,
		Err:    &errInvalid{fmt.Sprintf(format, args...)},
		ExtAck: netlink.ExtAck{Offset: -1, MissingNest: -1},
	}
}

// checkError is the cause a kind's encoder returns for a value the kernel
// would refuse; the caller makes it an invalid error of its request.
type checkError struct{ msg string }

func (e *checkError) Error() string { return e.msg }

// badf returns a *checkError.
func badf(format string, args ...any) error { return &checkError{fmt.Sprintf(format, args...)} }

// asInvalid turns an encoder's error into the error of a request of type
// req refused before it was sent.
func asInvalid(req netlink.HeaderType, err error) error {
	var ce *checkError
	if errors.As(err, &ce) {
		return invalid(req, "%s", ce.msg)
	}
	return invalid(req, "%v", err)
}
