package genetlink

import (
	"fmt"

	"github.com/nlkit/netlink"
)

// HeaderLen is the size of the generic netlink header, struct genlmsghdr
// (GENL_HDRLEN). A family's own fixed header, if it has one (Family.HeaderSize),
// follows it.
const HeaderLen = 4

// Header is struct genlmsghdr: the command and the version of the family's
// interface the message speaks. It starts the payload of every generic
// netlink message.
type Header struct {
	Command uint8
	Version uint8
}

// AppendHeader appends h to b as a genlmsghdr (its reserved field zero).
func AppendHeader(b []byte, h Header) []byte {
	return append(b, h.Command, h.Version, 0, 0)
}

// ParseHeader reads the genlmsghdr that starts b, the payload of a generic
// netlink message.
func ParseHeader(b []byte) (Header, error) {
	if len(b) < HeaderLen {
		return Header{}, fmt.Errorf("genetlink: %d-byte payload is shorter than genlmsghdr: %w", len(b), netlink.ErrMalformed)
	}
	return Header{Command: b[0], Version: b[1]}, nil
}
