package netlink

import (
	"encoding/binary"
	"fmt"
	"syscall"

	"github.com/nlkit/netlink/internal/uapi"
)

// Extended ACK attributes (enum nlmsgerr_attrs).
const (
	errAttrMsg      = 1
	errAttrOffs     = 2
	errAttrCookie   = 3
	errAttrPolicy   = 4
	errAttrMissType = 5
	errAttrMissNest = 6
)

// ExtAck is what the kernel said about a request through extended ACK.
type ExtAck struct {
	Message     string // NLMSGERR_ATTR_MSG: the kernel's explanation or warning
	Offset      int    // NLMSGERR_ATTR_OFFS: offset of the bad attribute in the request, -1 if none
	AttrType    uint16 // the type of the request's attribute at Offset, 0 if unknown
	Cookie      []byte // NLMSGERR_ATTR_COOKIE
	MissingType uint16 // NLMSGERR_ATTR_MISS_TYPE: the attribute that was missing
	MissingNest int    // NLMSGERR_ATTR_MISS_NEST: offset of the nest it was missing from, -1 if none
	Policy      []byte // NLMSGERR_ATTR_POLICY: the policy that failed, as nested attributes
}

// noExtAck is the ExtAck of an error the kernel said nothing more about.
var noExtAck = ExtAck{Offset: -1, MissingNest: -1}

// Ack is an NLMSG_ERROR message: the kernel's acknowledgement of a request
// (Errno 0, perhaps with a warning in Message) or its refusal.
type Ack struct {
	Errno   syscall.Errno // 0 for an acknowledgement
	Request Header        // the header of the request it answers
	ExtAck                // what extended ACK added, if anything
}

// ParseAck reads an NLMSG_ERROR message. It works with and without
// NETLINK_CAP_ACK (whether or not the request's payload is echoed).
func ParseAck(m Message) (Ack, error) {
	ack := Ack{ExtAck: noExtAck}
	if m.Header.Type != TypeError {
		return ack, fmt.Errorf("netlink: message type %v is not an ACK or error: %w", m.Header.Type, ErrMalformed)
	}
	if len(m.Data) < 4+HeaderLen {
		return ack, fmt.Errorf("netlink: %d-byte error message is shorter than an error code and header: %w", len(m.Data), ErrMalformed)
	}
	ack.Errno = errnoOf(m.Data)
	ack.Request, _ = ParseHeader(m.Data[4:])
	rest := uint64(4 + HeaderLen)
	if m.Header.Flags&Capped == 0 {
		// The request is echoed whole. Its length is the request's, which
		// may be anything: compare in 64 bits, so that no platform wraps.
		rest = 4 + (uint64(ack.Request.Length)+AlignTo-1)&^(AlignTo-1)
	}
	if m.Header.Flags&AckTLVs == 0 || rest > uint64(len(m.Data)) {
		return ack, nil
	}
	var err error
	ack.ExtAck, err = parseExtAck(m.Data[rest:])
	return ack, err
}

// errnoOf reads the error code that starts the payload of NLMSG_ERROR and
// NLMSG_DONE: a negative errno, or 0. The number is Linux's; on other
// platforms (a fake kernel's reply) it becomes the host's Errno of the
// same name (see uapi.ErrnoFromLinux).
func errnoOf(b []byte) syscall.Errno {
	code := int32(binary.NativeEndian.Uint32(b))
	if code < 0 {
		code = -code
	}
	return uapi.ErrnoFromLinux(uint32(code))
}

// parseExtAck reads extended ACK attributes (NLMSGERR_ATTR_*).
func parseExtAck(b []byte) (ExtAck, error) {
	ext := noExtAck
	for a, err := range Attrs(b) {
		if err != nil {
			return ext, err
		}
		switch a.Type {
		case errAttrMsg:
			ext.Message = a.Str()
		case errAttrOffs:
			if v, err := a.Uint32(); err == nil {
				ext.Offset = int(v)
			}
		case errAttrCookie:
			ext.Cookie = append([]byte(nil), a.Data...)
		case errAttrPolicy:
			ext.Policy = append([]byte(nil), a.Data...)
		case errAttrMissType:
			if v, err := a.Uint32(); err == nil {
				ext.MissingType = uint16(v)
			}
		case errAttrMissNest:
			if v, err := a.Uint32(); err == nil {
				ext.MissingNest = int(v)
			}
		}
	}
	return ext, nil
}

// requestError is the *OpError for the request req with sequence number
// seq. The extended ACK offset is mapped to the type of the request's
// attribute it points at.
func (c *Conn) requestError(op string, err error, seq uint32, req Message, ext ExtAck) error {
	if off := ext.Offset - HeaderLen; ext.Offset >= HeaderLen && off+AttrHeaderLen <= len(req.Data) {
		ext.AttrType = binary.NativeEndian.Uint16(req.Data[off+2:]) & AttrTypeMask
	}
	return &OpError{Op: op, Protocol: c.proto, Request: req.Header.Type, Err: err, Sequence: seq, ExtAck: ext}
}

// ackError turns an NLMSG_ERROR reply to req into an *OpError, or nil for
// an ACK.
func (c *Conn) ackError(op string, m Message, req Message) error {
	ack, err := ParseAck(m)
	if err != nil {
		return err
	}
	if ack.Errno == 0 {
		return nil
	}
	return c.requestError(op, ack.Errno, m.Header.Sequence, req, ack.ExtAck)
}

// doneError reads the error code some dumps put in NLMSG_DONE, with its
// extended ACK.
func (c *Conn) doneError(op string, m Message, req Message) error {
	if len(m.Data) < 4 || errnoOf(m.Data) == 0 {
		return nil
	}
	ext := noExtAck
	if m.Header.Flags&AckTLVs != 0 {
		ext, _ = parseExtAck(m.Data[4:]) // what parsed before an error still helps
	}
	return c.requestError(op, errnoOf(m.Data), m.Header.Sequence, req, ext)
}
