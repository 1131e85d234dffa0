// Package netlink talks to the Linux kernel over netlink sockets
// (AF_NETLINK): links, addresses and routes over NETLINK_ROUTE, generic
// netlink families, netfilter, sock_diag, and custom protocols of kernel
// modules.
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
// # How long views stay valid
//
// Messages yielded by Dump alias a buffer that the next iteration reuses;
// ReceiveDatagram's Datagram aliases a buffer of the Conn that its next call
// reuses. Copy what must live longer. Execute, Receive and DumpAll return
// memory the caller owns.
package netlink
