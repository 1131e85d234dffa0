package netlink

// Alignment and length helpers, the Go forms of the C macros in
// <linux/netlink.h>. Netlink pads every message and every attribute to a
// multiple of four bytes.

// AlignTo is NLMSG_ALIGNTO and NLA_ALIGNTO: messages and attributes start on
// multiples of this many bytes.
const AlignTo = 4

// HeaderLen is NLMSG_HDRLEN, the size of struct nlmsghdr (16 bytes).
const HeaderLen = 16

// AttrHeaderLen is NLA_HDRLEN, the size of struct nlattr (4 bytes).
const AttrHeaderLen = 4

// Align rounds n up to a multiple of AlignTo. It is NLMSG_ALIGN(n) and
// NLA_ALIGN(n), which are the same computation.
func Align(n int) int {
	return (n + AlignTo - 1) &^ (AlignTo - 1)
}

// MessageLen is NLMSG_LENGTH(n): the nlmsg_len of a message carrying n bytes
// of payload, without trailing padding.
func MessageLen(n int) int {
	return n + HeaderLen
}

// MessageSpace is NLMSG_SPACE(n): the bytes a message with n bytes of payload
// occupies in a buffer, trailing padding included.
func MessageSpace(n int) int {
	return Align(MessageLen(n))
}

// AttrLen is nla_attr_size(n): the nla_len of an attribute carrying n bytes
// of payload, without trailing padding.
func AttrLen(n int) int {
	return n + AttrHeaderLen
}

// AttrSpace is nla_total_size(n): the bytes an attribute with n bytes of
// payload occupies, trailing padding included.
func AttrSpace(n int) int {
	return Align(AttrLen(n))
}
