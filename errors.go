package netlink

import "errors"

// ErrMalformed is wrapped by the errors for bytes that do not parse: a
// truncated header, a length smaller than its header or past the end of the
// buffer, an attribute of the wrong size for its type.
var ErrMalformed = errors.New("malformed netlink data")

// ErrAttrTooLarge is wrapped by the error for an attribute or nest whose
// length does not fit in the 16-bit nla_len.
var ErrAttrTooLarge = errors.New("netlink attribute too large")
