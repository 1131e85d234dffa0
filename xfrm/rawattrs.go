package xfrm

import "github.com/nlkit/netlink"

// RawAttrs are XFRMA_* attributes kept as the kernel sent them, in order
// (see netlink.RawAttrs). State, Policy, AEvent and Migrate keep in a
// RawAttrs field the attributes their other fields do not model (those of
// kernels newer than the package, for one) and send them back in the
// requests that add or update the object, so that re-adding what was
// listed re-adds it whole.
type RawAttrs = netlink.RawAttrs
