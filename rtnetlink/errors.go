package rtnetlink

import (
	"fmt"
	"os"
	"syscall"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/uapi"
)

// The errors of this package follow two rules.
//
// A request refused before it was sent is an *netlink.OpError with Op
// "check", the request type, Object naming what the request was about (as
// for the kernel's refusals), and an *errInvalid cause, which matches both
// syscall.EINVAL (the errno the kernel would have returned) and os.ErrInvalid;
// its text says what is wrong with which field.
//
// A request the kernel refused is the root package's *netlink.OpError
// (the errno, the extended ACK), with Object naming what the request was
// about (`link "eth0"`, `route 198.18.1.0/24 table 100`), set by named.

// errInvalid is the cause of a request refused before it was sent.
type errInvalid struct{ msg string }

func (e *errInvalid) Error() string { return "invalid argument: " + e.msg }

// Is reports whether target is syscall.EINVAL or os.ErrInvalid.
func (e *errInvalid) Is(target error) bool {
	return target == syscall.EINVAL || target == os.ErrInvalid
}

// invalidf returns an *errInvalid, the cause for opError.
func invalidf(format string, args ...any) error {
	return &errInvalid{fmt.Sprintf(format, args...)}
}

// invalid is the *netlink.OpError for a request of type req refused before
// it was sent.
func invalid(req netlink.HeaderType, format string, args ...any) error {
	return opError("check", req, invalidf(format, args...))
}

// opError is the *netlink.OpError for a request that failed before it was
// sent.
func opError(op string, req netlink.HeaderType, err error) error {
	return &netlink.OpError{
		Op: op, Protocol: uapi.NETLINK_ROUTE, Request: req, Err: err,
		ExtAck: netlink.ExtAck{Offset: -1, MissingNest: -1},
	}
}

// named returns err, a kernel's refusal or a check's, naming the object the
// request was about (format and args make its name); nil stays nil. A
// request refused before it was sent names its object as the kernel's
// refusal would, so both read the same.
func named(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	return netlink.WithObject(err, fmt.Sprintf(format, args...))
}

// The objects named in the kernel's refusals of changes.

// The objects' names leave out a field that is not set (a check's refusal
// may be about that), rather than print netip's "invalid Prefix".

// object names a, as in "address 198.18.0.1/24 on link 3".
func (a *Address) object() string {
	if !a.Prefix.IsValid() {
		return fmt.Sprintf("address on link %d", a.Index)
	}
	return fmt.Sprintf("address %v on link %d", a.Prefix, a.Index)
}

// object names r, as in "route 198.18.1.0/24 table 100"; the table is left
// out when it is 0, which means main.
func (r *Route) object() string {
	s := "route"
	if r.Dst.IsValid() {
		s += " " + r.Dst.String()
	}
	if r.Table != 0 {
		s += fmt.Sprintf(" table %d", r.Table)
	}
	return s
}

// object names q, as in "route to 2001:db8::1".
func (q *RouteQuery) object() string {
	if !q.Dst.IsValid() {
		return "route lookup"
	}
	return fmt.Sprintf("route to %v", q.Dst)
}

// object names r, as in "MPLS route 100".
func (r *MPLSRoute) object() string {
	return fmt.Sprintf("MPLS route %d", r.Label)
}

// object names n, as in "neighbour 198.18.0.2 on link 3".
func (n *Neighbor) object() string {
	if !n.IP.IsValid() {
		return fmt.Sprintf("neighbour on link %d", n.Index)
	}
	return fmt.Sprintf("neighbour %v on link %d", n.IP, n.Index)
}

// object names e, as in "FDB entry 02:00:00:00:00:01 on link 3".
func (e *FDBEntry) object() string {
	if len(e.HardwareAddr) == 0 {
		return fmt.Sprintf("FDB entry on link %d", e.Index)
	}
	return fmt.Sprintf("FDB entry %v on link %d", e.HardwareAddr, e.Index)
}

// object names r by its priority and table, as ip rule shows them: "rule
// priority 100 table 200", or "rule" when neither is set.
func (r *Rule) object() string {
	s := "rule"
	if r.Priority != 0 {
		s += fmt.Sprintf(" priority %d", r.Priority)
	}
	if r.Table != 0 {
		s += fmt.Sprintf(" table %d", r.Table)
	}
	return s
}

// linkObject names a link by its name when it has one, else by its index:
// `link "eth0"`, "link 3".
func linkObject(index int, name string) string {
	if name != "" {
		return fmt.Sprintf("link %q", name)
	}
	return fmt.Sprintf("link %d", index)
}

// object names nh by its id, "nexthop 5", or "new nexthop" when the kernel
// is to choose one.
func (nh *NextHopObject) object() string {
	if nh.ID == 0 {
		return "new nexthop"
	}
	return fmt.Sprintf("nexthop %d", nh.ID)
}

// dumpError returns err, the error of a dump filtered by the link index
// (0 for none), the kernel's or a check's, naming that link: the kernel's
// ENODEV for a link that does not exist says no more.
func dumpError(err error, index int) error {
	if index == 0 {
		return err
	}
	return named(err, "link %d", index)
}
