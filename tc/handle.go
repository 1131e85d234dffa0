package tc

import (
	"fmt"
	"strconv"
	"strings"
)

// Handle is a traffic control handle or parent: a 16-bit major number
// (a qdisc) and a 16-bit minor number (a class of it), major:minor in
// hexadecimal as tc writes them ("1:", "1:10", "ffff:fff1").
type Handle uint32

// Well-known handles (TC_H_*, linux/pkt_sched.h).
const (
	// HandleUnspec is no handle: the kernel picks one ("none").
	HandleUnspec Handle = 0
	// HandleRoot is the parent of a link's root qdisc ("root").
	HandleRoot Handle = 0xFFFFFFFF
	// HandleIngress is the parent of an ingress or clsact qdisc (TC_H_INGRESS,
	// TC_H_CLSACT: "ffff:fff1"; tc also takes "ingress" and "clsact").
	HandleIngress Handle = 0xFFFFFFF1
	// HandleIngressQdisc is the handle the kernel gives an ingress or clsact
	// qdisc ("ffff:").
	HandleIngressQdisc Handle = 0xFFFF0000
	// HandleClsactIngress and HandleClsactEgress are the parents of the filters on a
	// clsact qdisc's ingress and egress hooks (TC_H_MIN_INGRESS,
	// TC_H_MIN_EGRESS; tc's "ingress" and "egress" in filter commands).
	HandleClsactIngress Handle = 0xFFFFFFF2
	HandleClsactEgress  Handle = 0xFFFFFFF3
)

// MakeHandle returns the handle major:minor.
func MakeHandle(major, minor uint16) Handle { return Handle(uint32(major)<<16 | uint32(minor)) }

// Major returns h's major number, the qdisc's.
func (h Handle) Major() uint16 { return uint16(h >> 16) }

// Minor returns h's minor number, the class's.
func (h Handle) Minor() uint16 { return uint16(h) }

// String returns h as tc prints it: "root", "none", "1:", ":10", "1:10",
// "ffff:fff1".
func (h Handle) String() string {
	return string(h.AppendText(nil))
}

// AppendText appends h's text form, as String returns it.
func (h Handle) AppendText(b []byte) []byte {
	switch {
	case h == HandleRoot:
		return append(b, "root"...)
	case h == HandleUnspec:
		return append(b, "none"...)
	case h.Major() == 0:
		b = append(b, ':')
		return strconv.AppendUint(b, uint64(h.Minor()), 16)
	}
	b = strconv.AppendUint(b, uint64(h.Major()), 16)
	b = append(b, ':')
	if h.Minor() != 0 {
		b = strconv.AppendUint(b, uint64(h.Minor()), 16)
	}
	return b
}

// MarshalText returns h's text form, as String.
func (h Handle) MarshalText() ([]byte, error) { return h.AppendText(nil), nil }

// UnmarshalText sets h from its text form, as ParseHandle reads it.
func (h *Handle) UnmarshalText(b []byte) error {
	v, err := ParseHandle(string(b))
	if err != nil {
		return err
	}
	*h = v
	return nil
}

// ParseHandle reads a handle as tc writes it: "root", "none", "ingress"
// and "clsact" (both ffff:fff1), or major:minor in hexadecimal, either
// part empty for 0 ("1:", ":10", "1:10", "ffff:fff1"). Each part must fit
// 16 bits.
func ParseHandle(s string) (Handle, error) {
	switch s {
	case "root":
		return HandleRoot, nil
	case "none":
		return HandleUnspec, nil
	case "ingress", "clsact":
		return HandleIngress, nil
	}
	maj, min, ok := strings.Cut(s, ":")
	if !ok {
		return 0, &HandleError{Text: s, Reason: "want major:minor in hexadecimal, \"root\", \"ingress\" or \"clsact\""}
	}
	if maj == "" && min == "" {
		return 0, &HandleError{Text: s, Reason: "no major or minor number"}
	}
	major, err := handlePart(s, maj, "major")
	if err != nil {
		return 0, err
	}
	minor, err := handlePart(s, min, "minor")
	if err != nil {
		return 0, err
	}
	return MakeHandle(major, minor), nil
}

// handlePart reads part, the major or minor number of the handle s, in
// hexadecimal; an empty part is 0.
func handlePart(s, part, which string) (uint16, error) {
	if part == "" {
		return 0, nil
	}
	v, err := strconv.ParseUint(part, 16, 64)
	if err != nil {
		return 0, &HandleError{Text: s, Reason: fmt.Sprintf("%s number %q is not hexadecimal", which, part)}
	}
	if v > 0xFFFF {
		return 0, &HandleError{Text: s, Reason: fmt.Sprintf("%s number %#x is out of range (at most ffff)", which, v)}
	}
	return uint16(v), nil
}

// HandleError is the error of a handle ParseHandle cannot read.
type HandleError struct {
	Text   string // the input
	Reason string // what is wrong with it
}

func (e *HandleError) Error() string {
	return fmt.Sprintf("tc: invalid handle %q: %s", e.Text, e.Reason)
}

// Is reports whether target is os.ErrInvalid or syscall.EINVAL, as for the
// package's other checks of input.
func (e *HandleError) Is(target error) bool { return isInvalid(target) }
