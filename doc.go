// Package netlink talks to the Linux kernel over netlink sockets
// (AF_NETLINK). Most programs want its typed packages, which run on this
// package's Conn:
//
//   - rtnetlink: links, addresses, routes, neighbours, bridge FDB entries,
//     rules and nexthop objects over NETLINK_ROUTE, as Go values with
//     net/netip types; notifications as typed events, and mirrors of
//     tables kept up to date.
//   - genetlink: generic netlink families, their commands, multicast
//     groups and policies resolved by name; typed clients of the ethtool,
//     netdev and taskstats families in genetlink/ethtool, genetlink/netdev
//     and genetlink/taskstats; WireGuard in genetlink/wireguard; every
//     family the kernel's YNL specs describe, generated, under genetlink/ynl.
//   - tc: traffic control (qdiscs, classes, filters, actions).
//   - sockdiag: socket diagnostics (what ss shows), filtered in the kernel.
//   - xfrm: IPsec states and policies.
//   - netfilter/nftables, netfilter/conntrack, netfilter/nflog and
//     netfilter/nfqueue: firewall rulesets in atomic transactions,
//     connection tracking, logged and queued packets.
//   - nltest: a fake kernel in memory, for unit tests of code that uses
//     netlink, without root or Linux (and rtnetlink/rtnltest,
//     genetlink/genltest, tc/tctest, xfrm/xfrmtest, sockdiag/sockdiagtest, nftables/nftest and
//     conntrack/conntracktest on it, which speak objects).
//
// This package is what they are built on, for any netlink protocol
// (custom protocols of kernel modules included) and for the messages the
// typed packages do not cover.
//
// The package has three layers, each usable alone:
//
//   - Messages and attributes (Header, Message, Messages, Attrs,
//     AttrEncoder, AppendMessage): pure functions over byte slices the
//     caller owns, with no socket and no allocation. Parsed messages and
//     attributes are views into the buffer they came from.
//   - Conn (Dial, Send, Receive, ReceiveDatagram): a socket bound to a port,
//     with multicast groups, options, network namespaces, deadlines and
//     contexts, and typed errors (*OpError) that wrap the errno.
//   - Exchanges (Execute, Dump, DumpAll, Batch): a request and its replies,
//     matched by sequence number, with ACKs, multipart dumps, interrupted
//     dumps, extended ACK errors and receive queue overruns handled. Many
//     goroutines may run exchanges on one Conn at once, while multicast
//     notifications keep flowing to Receive.
//
// # The rules of the exchanges
//
// Many goroutines may use one Conn. One of them at a time reads the socket,
// and hands every datagram to its owner, whole: a datagram is one kernel
// skb, which holds the reply to one request (a dump chunk, an ACK, an echo)
// or one notification. Replies are told from notifications by their
// sequence number, and by coming unicast from the kernel; the kernel's echo
// of a request that asked for NLM_F_ECHO looks like a notification but
// goes to the Execute that asked. Everything else is for Receive.
//
// When the socket's receive queue overflows, the kernel reports ENOBUFS
// once and then drops every message silently until the queue is empty. So
// after ENOBUFS the Conn reads the queue empty, hands what it read to its
// owners, and then fails with ErrOverrun exactly the requests that had
// been sent and were not complete: their replies may be lost. Requests not
// sent yet are not touched, and Receive reports the loss once. User-space
// peers that keep the queue full make the kernel drop nothing of a dump,
// but make no more of it either: a dump held back that way fails with
// ErrOverrun too, once twice as many of their datagrams as the queue holds
// have come since its last part, and so do the dumps waiting for its turn.
//
// The kernel runs one dump per socket, and refuses another with EBUSY
// meanwhile, so the dumps of a Conn take turns. A dump's messages are never
// dropped, so the turn ends with the dump's NLMSG_DONE, read by whichever
// call reads the Conn, even when the dump's caller has gone; a refusal
// ends it too, and so does the end of the reading after an overrun, since
// the refusal may be what was lost. Should the kernel still run a dump,
// the next dump request's EBUSY says so, and that request is sent again
// once the kernel has ended it. A dump request is followed by a NOOP
// marker: when another goroutine reads while the request is sent, the
// kernel can queue the dump's DONE before its first part, so a dump is
// complete at its DONE and the marker's ACK.
//
// # How long views stay valid
//
// Messages yielded by Dump alias a buffer that the next iteration reuses;
// ReceiveDatagram's Datagram aliases a buffer of the Conn that its next call
// reuses. Copy what must live longer. Execute, Receive and DumpAll return
// memory the caller owns.
//
// # Debugging and testing
//
// Config.Trace writes a readable account of every datagram a Conn sends
// and receives (FormatMessages writes one for any buffer), and NLKIT_DEBUG=1
// in the environment traces every Conn to standard error. Config.Capture
// writes a pcap file that Wireshark and tshark decode. A Conn that does
// neither pays nothing for them. Traces name what they know: rtnetlink's
// message types, and, through SetMessageNamer, the commands, attributes,
// enum values and flags of every generic netlink family whose package
// genetlink/ynl generated (the package registers its names when loaded).
//
// NewConn runs a Conn on a Socket other than the kernel's; package nltest
// has one, a fake kernel in memory, for unit tests that need no root and
// no Linux.
//
// # Other platforms
//
// The package builds on every GOOS but plan9 (whose syscall package has no
// Errno); off Linux, Dial fails with an error wrapping ErrNotSupported
// (and so errors.ErrUnsupported), while messages, attributes and a Conn
// from NewConn work as on Linux. A reply carries Linux's errno numbers;
// off Linux they become the host's syscall.Errno of the same name
// (Linux's EOPNOTSUPP, 95, is macOS's 102), so errors.Is(err,
// syscall.ENODEV) holds for a fake kernel's reply there too. A number
// outside the common errnos stays as it is.
package netlink
