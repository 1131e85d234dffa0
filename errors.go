package netlink

import (
	"errors"
	"fmt"
	"strings"
)

// ErrMalformed is wrapped by the errors for bytes that do not parse: a
// truncated header, a length smaller than its header or past the end of the
// buffer, an attribute of the wrong size for its type.
var ErrMalformed = errors.New("malformed netlink data")

// ErrAttrTooLarge is wrapped by the error for an attribute or nest whose
// length does not fit in the 16-bit nla_len.
var ErrAttrTooLarge = errors.New("netlink attribute too large")

// ErrOverrun is wrapped by the error for lost messages: the kernel dropped
// messages because the socket's receive queue was full (ENOBUFS, which the
// error also wraps), or notifications outgrew Config.QueueLimit while
// requests ran. The Conn stays usable; a program that mirrors kernel state
// should dump the state again.
var ErrOverrun = errors.New("netlink receive queue overrun: messages were lost")

// ErrDumpInterrupted is wrapped by the error at the end of a dump whose
// messages carried NLM_F_DUMP_INTR: the table changed during the dump, so
// what was read may be inconsistent. Dump it again (see DumpAll).
var ErrDumpInterrupted = errors.New("netlink dump interrupted: the table changed during the dump")

// ErrTruncated is wrapped by the error for a datagram larger than every
// buffer the Conn offered the kernel, which the kernel cut short.
var ErrTruncated = errors.New("netlink datagram truncated")

// ErrNotSupported is wrapped by Dial on platforms without netlink. It
// wraps errors.ErrUnsupported, so errors.Is(err, errors.ErrUnsupported)
// holds for it too.
var ErrNotSupported = fmt.Errorf("netlink: no netlink sockets on this platform: %w", errors.ErrUnsupported)

// ErrClosed is wrapped by the errors of calls on a closed Conn.
var ErrClosed = errors.New("use of closed netlink connection")

// OpError is the error of a netlink operation: which operation failed, and
// why. Err is the cause (an errno such as unix.ENOENT, a context error, or
// one of this package's sentinels); errors.Is and errors.As see through it.
// For errors the kernel reported in an NLMSG_ERROR message, the remaining
// fields carry what extended ACK said.
type OpError struct {
	Op       string     // "dial", "send", "receive", "execute", "dump", ...
	Protocol int        // the netlink protocol of the Conn, or -1
	Request  HeaderType // the type of the failed request, 0 if none
	Object   string     // what the request was about, as `link "eth0"`, if a typed layer said
	Err      error      // the cause

	Sequence uint32 // the sequence number of the failed request, if any

	// ExtAck holds what the kernel said through extended ACK when the error
	// came in an NLMSG_ERROR or NLMSG_DONE message.
	ExtAck
}

// Error says which protocol and request failed, the cause and the kernel's
// message, as in
//
//	netlink route RTM_NEWADDR: file exists: ipv4: Address already assigned
//
// or the operation when there was no request ("netlink route receive: ...").
// The object follows the request when a typed layer named it:
//
//	netlink route RTM_GETLINK link "nosuch0": no such device
func (e *OpError) Error() string {
	var b strings.Builder
	b.WriteString("netlink ")
	if e.Protocol >= 0 {
		b.WriteString(ProtocolName(e.Protocol))
		b.WriteByte(' ')
	}
	if e.Request != 0 {
		b.WriteString(RequestName(e.Protocol, e.Request))
	} else {
		b.WriteString(e.Op)
	}
	if e.Object != "" {
		b.WriteByte(' ')
		b.WriteString(e.Object)
	}
	b.WriteString(": ")
	if e.Err != nil {
		b.WriteString(e.Err.Error())
	} else {
		b.WriteString("<nil>")
	}
	if e.Message != "" {
		fmt.Fprintf(&b, ": %s", e.Message)
	}
	if e.Offset >= 0 && e.AttrType != 0 {
		fmt.Fprintf(&b, " (attribute %d at offset %d)", e.AttrType, e.Offset)
	} else if e.Offset >= 0 {
		fmt.Fprintf(&b, " (at offset %d)", e.Offset)
	}
	if e.MissingType != 0 {
		fmt.Fprintf(&b, " (missing attribute %d)", e.MissingType)
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *OpError) Unwrap() error { return e.Err }

// Timeout reports whether the cause is a deadline, as net.Error does.
func (e *OpError) Timeout() bool {
	t, ok := e.Err.(interface{ Timeout() bool })
	return ok && t.Timeout()
}

// WithObject returns err naming object, when err is an *OpError that
// names none yet: a copy with Object set. Other errors, and nil, come back
// as they are. Typed layers use it to say what a failed request was about,
// as `link "eth0"` or `address 198.18.0.1/24 on link 3`.
func WithObject(err error, object string) error {
	oe, ok := err.(*OpError)
	if !ok || oe.Object != "" {
		return err
	}
	named := *oe
	named.Object = object
	return &named
}

func (c *Conn) opError(op string, err error) error {
	if err == nil {
		return nil
	}
	var oe *OpError
	if errors.As(err, &oe) {
		return err
	}
	return &OpError{Op: op, Protocol: c.proto, Err: err, ExtAck: noExtAck}
}

// errWouldBlock is what a non-blocking read or send returns when it would
// have to wait.
var errWouldBlock = errors.New("netlink socket would block")
