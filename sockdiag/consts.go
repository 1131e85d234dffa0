package sockdiag

// Constants of <linux/sock_diag.h>, <linux/inet_diag.h> and
// <linux/unix_diag.h>, kept here with their kernel names so that the
// package builds on every GOOS.

// NetlinkSockDiag is the netlink protocol of socket diagnostics
// (NETLINK_SOCK_DIAG, also known as NETLINK_INET_DIAG).
const NetlinkSockDiag = 4

// Message types.
const (
	msgSockDiagByFamily = 20 // SOCK_DIAG_BY_FAMILY
	msgSockDestroy      = 21 // SOCK_DESTROY
)

// Address families and protocols used in requests.
const (
	afUnix  = 1  // AF_UNIX
	afInet  = 2  // AF_INET
	afInet6 = 10 // AF_INET6
)

// Protocols of the inet families.
const (
	ProtoTCP   = 6   // IPPROTO_TCP
	ProtoUDP   = 17  // IPPROTO_UDP
	ProtoRaw   = 255 // IPPROTO_RAW: the raw sockets, with RawProtocol choosing which
	ProtoMPTCP = 262 // IPPROTO_MPTCP, sent as INET_DIAG_REQ_PROTOCOL
)

// Request attributes (INET_DIAG_REQ_*).
const (
	reqBytecode = 1 // INET_DIAG_REQ_BYTECODE
	reqProtocol = 3 // INET_DIAG_REQ_PROTOCOL
)

// Attr is the type of an inet socket's attribute (INET_DIAG_*). Each of
// MemInfo to Shutdown is also an extension a request asks for with
// Extensions.
type Attr uint16

// Inet socket attributes.
const (
	AttrMemInfo    Attr = 1  // INET_DIAG_MEMINFO: struct inet_diag_meminfo
	AttrInfo       Attr = 2  // INET_DIAG_INFO: struct tcp_info (TCP), or the protocol's info
	AttrVegasInfo  Attr = 3  // INET_DIAG_VEGASINFO: struct tcpvegas_info
	AttrCong       Attr = 4  // INET_DIAG_CONG: the congestion control algorithm's name
	AttrTOS        Attr = 5  // INET_DIAG_TOS: IPv4 type of service
	AttrTClass     Attr = 6  // INET_DIAG_TCLASS: IPv6 traffic class
	AttrSkMemInfo  Attr = 7  // INET_DIAG_SKMEMINFO: the socket's sk_meminfo counters
	AttrShutdown   Attr = 8  // INET_DIAG_SHUTDOWN: which directions are shut down
	AttrDCTCPInfo  Attr = 9  // INET_DIAG_DCTCPINFO: struct tcp_dctcp_info
	AttrProtocol   Attr = 10 // INET_DIAG_PROTOCOL: the socket's protocol
	AttrSkV6Only   Attr = 11 // INET_DIAG_SKV6ONLY: IPV6_V6ONLY
	AttrLocals     Attr = 12 // INET_DIAG_LOCALS: SCTP local addresses
	AttrPeers      Attr = 13 // INET_DIAG_PEERS: SCTP peer addresses
	AttrPad        Attr = 14 // INET_DIAG_PAD
	AttrMark       Attr = 15 // INET_DIAG_MARK: the socket's fwmark (CAP_NET_ADMIN)
	AttrBBRInfo    Attr = 16 // INET_DIAG_BBRINFO: struct tcp_bbr_info
	AttrClassID    Attr = 17 // INET_DIAG_CLASS_ID: net_cls class id or priority
	AttrMD5Sig     Attr = 18 // INET_DIAG_MD5SIG: TCP-MD5 keys
	AttrULPInfo    Attr = 19 // INET_DIAG_ULP_INFO: nested, the upper layer protocol
	AttrBPFStorage Attr = 20 // INET_DIAG_SK_BPF_STORAGES
	AttrCgroupID   Attr = 21 // INET_DIAG_CGROUP_ID: the cgroup v2 id
	AttrSockOpt    Attr = 22 // INET_DIAG_SOCKOPT: struct inet_diag_sockopt
)

// ULP info attributes (INET_ULP_INFO_*).
const (
	ulpInfoName = 1 // INET_ULP_INFO_NAME
)

// Extensions is the request's bit mask of the extensions to report
// (idiag_ext): bit n-1 asks for attribute n, from AttrMemInfo to
// AttrShutdown. The kernel adds AttrMark, AttrCgroupID, AttrClassID and
// others by itself.
type Extensions uint8

// Ext returns the extension bit of attribute a (AttrMemInfo ...
// AttrShutdown), or 0 for one that is not an extension.
func Ext(a Attr) Extensions {
	if a < AttrMemInfo || a > AttrShutdown {
		return 0
	}
	return 1 << (a - 1)
}

// AllExtensions asks for every extension.
const AllExtensions Extensions = 0xff

// Bytecode operations (INET_DIAG_BC_*).
const (
	bcNop        = 0  // INET_DIAG_BC_NOP
	bcJmp        = 1  // INET_DIAG_BC_JMP
	bcSrcGE      = 2  // INET_DIAG_BC_S_GE
	bcSrcLE      = 3  // INET_DIAG_BC_S_LE
	bcDstGE      = 4  // INET_DIAG_BC_D_GE
	bcDstLE      = 5  // INET_DIAG_BC_D_LE
	bcAuto       = 6  // INET_DIAG_BC_AUTO
	bcSrcCond    = 7  // INET_DIAG_BC_S_COND
	bcDstCond    = 8  // INET_DIAG_BC_D_COND
	bcDevCond    = 9  // INET_DIAG_BC_DEV_COND
	bcMarkCond   = 10 // INET_DIAG_BC_MARK_COND
	bcSrcEQ      = 11 // INET_DIAG_BC_S_EQ
	bcDstEQ      = 12 // INET_DIAG_BC_D_EQ
	bcCgroupCond = 13 // INET_DIAG_BC_CGROUP_COND
)

// Unix socket request flags (UDIAG_SHOW_*).
const (
	UnixShowName    = 0x01 // UDIAG_SHOW_NAME: the bound name
	UnixShowVFS     = 0x02 // UDIAG_SHOW_VFS: the socket file's inode and device
	UnixShowPeer    = 0x04 // UDIAG_SHOW_PEER: the peer's inode
	UnixShowIcons   = 0x08 // UDIAG_SHOW_ICONS: the inodes of pending connections
	UnixShowRQLen   = 0x10 // UDIAG_SHOW_RQLEN: queue lengths
	UnixShowMemInfo = 0x20 // UDIAG_SHOW_MEMINFO: sk_meminfo counters
	UnixShowUID     = 0x40 // UDIAG_SHOW_UID: the owner's uid

	UnixShowAll = 0x7f // every UDIAG_SHOW_* flag
)

// Unix socket attributes (UNIX_DIAG_*).
const (
	unixDiagName     = 0 // UNIX_DIAG_NAME
	unixDiagVFS      = 1 // UNIX_DIAG_VFS
	unixDiagPeer     = 2 // UNIX_DIAG_PEER
	unixDiagIcons    = 3 // UNIX_DIAG_ICONS
	unixDiagRQLen    = 4 // UNIX_DIAG_RQLEN
	unixDiagMemInfo  = 5 // UNIX_DIAG_MEMINFO
	unixDiagShutdown = 6 // UNIX_DIAG_SHUTDOWN
	unixDiagUID      = 7 // UNIX_DIAG_UID
)
