// Package conntrack is the typed layer for the kernel's connection
// tracking table over nfnetlink (NETLINK_NETFILTER, subsystems
// NFNL_SUBSYS_CTNETLINK and NFNL_SUBSYS_CTNETLINK_EXP): list, get, create,
// update and delete entries, delete or flush them by a filter the kernel
// runs, read the table's statistics, manage expectations, and follow the
// table's events, alone (Events) or as a copy kept in step (Mirror).
//
// It runs on the root package's *netlink.Conn. Listings and events are
// iterators whose values alias the receive buffer and are reused from one
// iteration to the next, so a table of any size is listed in constant
// memory, without an allocation per entry; Flow.Clone keeps one.
//
// # Other platforms
//
// The package builds on every GOOS: the types, parsers and encoders work
// everywhere, and Dial fails off Linux with an error wrapping
// errors.ErrUnsupported.
package conntrack
