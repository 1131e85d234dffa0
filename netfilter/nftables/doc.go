// Package nftables reads and changes the Linux kernel's nf_tables rulesets
// over nfnetlink (NETLINK_NETFILTER, subsystem NFNL_SUBSYS_NFTABLES), with
// typed tables, chains, rules, sets and maps with their elements, named
// objects and flowtables, and every expression of the kernel both ways.
//
// Changes go in transactions (Tx): one nfnetlink batch, sent in one
// datagram, that the kernel applies whole or not at all. A transaction of
// any size is split into messages as the 16-bit attribute lengths require
// (the elements of a set), and the socket's buffers are grown to take it;
// a refused transaction reports the message that failed, with the kernel's
// extended ACK, as in
//
//	nftables: batch message 3 (add rule inet t c): no such file or directory
//
// What the package does not model is kept: an object's unknown attributes
// (RawAttrs) and an expression of a kind it does not know (RawExpr) are
// re-sent as they were read, so a rule read back and written again is the
// same rule, expression by expression.
//
// Types, encoders and parsers build on every GOOS; Dial needs Linux.
package nftables
