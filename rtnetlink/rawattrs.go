package rtnetlink

import "github.com/nlkit/netlink"

// RawAttrs are attributes kept as the kernel sent them, in order (see
// netlink.RawAttrs). The typed objects (Rule, Route, Address, Neighbor,
// FDBEntry, NextHopObject, the link kinds) keep in a RawAttrs field the
// attributes their other fields do not model, such as those of kernels
// newer than the package, and send them back in the requests that name
// the object, so that deleting an object as it was listed deletes that
// object and not another that differs only by what this package does not
// decode.
type RawAttrs = netlink.RawAttrs
