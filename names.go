package netlink

import (
	"strconv"

	"github.com/nlkit/netlink/internal/uapi"
)

// protocolNames are the kernel's netlink protocols, as errors name them.
var protocolNames = [MaxProtocol]string{
	0: "route", 2: "usersock", 3: "firewall", 4: "sock_diag", 5: "nflog",
	6: "xfrm", 7: "selinux", 8: "iscsi", 9: "audit", 10: "fib_lookup",
	11: "connector", 12: "netfilter", 13: "ip6_fw", 14: "dnrtmsg",
	15: "kobject_uevent", 16: "generic", 18: "scsitransport", 19: "ecryptfs",
	20: "rdma", 21: "crypto", 22: "smc",
}

// ProtocolName names a netlink protocol as <linux/netlink.h> does, in
// lower case without the NETLINK_ prefix ("route", "generic"), or gives
// its number when it has no name.
func ProtocolName(proto int) string {
	if proto >= 0 && proto < MaxProtocol && protocolNames[proto] != "" {
		return protocolNames[proto]
	}
	return "protocol " + strconv.Itoa(proto)
}

// minType is NLMSG_MIN_TYPE: types below it are control messages.
const minType HeaderType = 0x10

// routeObjects are the objects of rtnetlink's message types, from RTM_BASE
// (16) in steps of four: NEW, DEL, GET and SET each.
var routeObjects = [...]string{
	"LINK", "ADDR", "ROUTE", "NEIGH", "RULE", "QDISC", "TCLASS", "TFILTER",
	"ACTION", "PREFIX", "MULTICAST", "ANYCAST", "NEIGHTBL", "NDUSEROPT",
	"ADDRLABEL", "DCB", "NETCONF", "MDB", "NSID", "STATS", "CACHEREPORT",
	"CHAIN", "NEXTHOP", "LINKPROP", "VLAN", "NEXTHOPBUCKET", "TUNNEL",
}

// RequestName names the message type t of protocol proto where this package
// knows it (the control messages, rtnetlink's RTM_* types, sock_diag's
// SOCK_DIAG_BY_FAMILY and SOCK_DESTROY, xfrm's XFRM_MSG_* types, and
// netfilter's: nfnetlink's batch begin and end and every subsystem's
// messages, NFT_MSG_*, IPCTNL_MSG_CT_*, NFQNL_MSG_*, NFULNL_MSG_*), and gives
// "type N" otherwise: generic netlink and other families number their
// types per family.
func RequestName(proto int, t HeaderType) string {
	if t < minType {
		return t.String()
	}
	if i := int(t-minType) / 4; proto == 0 && i < len(routeObjects) {
		return "RTM_" + [...]string{"NEW", "DEL", "GET", "SET"}[(t-minType)%4] + routeObjects[i]
	}
	if proto == 4 { // NETLINK_SOCK_DIAG, <linux/sock_diag.h>
		switch t {
		case 20:
			return "SOCK_DIAG_BY_FAMILY"
		case 21:
			return "SOCK_DESTROY"
		}
	}
	if i := int(t - minType); proto == 6 && i < len(xfrmTypes) { // NETLINK_XFRM, <linux/xfrm.h>
		return "XFRM_MSG_" + xfrmTypes[i]
	}
	if proto == uapi.NETLINK_NETFILTER {
		if n := netfilterName(t); n != "" {
			return n
		}
	}
	return "type " + strconv.Itoa(int(t))
}

// netfilterName names a NETLINK_NETFILTER message type: the subsystem
// (NFNL_SUBSYS_*) in its high byte, the subsystem's message in its low
// byte; nfnetlink's own batch messages have subsystem 0.
func netfilterName(t HeaderType) string {
	switch t {
	case uapi.NFNL_MSG_BATCH_BEGIN:
		return "NFNL_MSG_BATCH_BEGIN"
	case uapi.NFNL_MSG_BATCH_END:
		return "NFNL_MSG_BATCH_END"
	}
	sub, msg := int(t>>8), int(t&0xff)
	if sub >= len(netfilterTypes) || msg >= len(netfilterTypes[sub].names) {
		return ""
	}
	return netfilterTypes[sub].prefix + netfilterTypes[sub].names[msg]
}

// netfilterTypes are the message names of each nfnetlink subsystem, by
// message number, after the prefix its header gives them
// (<linux/netfilter/nf_tables.h>, nfnetlink_conntrack.h, _queue.h, _log.h,
// _acct.h, _cttimeout.h, _cthelper.h, _compat.h, _hook.h, ipset/ip_set.h,
// nfnetlink_osf.h).
var netfilterTypes = [...]struct {
	prefix string
	names  []string
}{
	uapi.NFNL_SUBSYS_CTNETLINK: {"IPCTNL_MSG_CT_", []string{"NEW", "GET", "DELETE", "GET_CTRZERO",
		"GET_STATS_CPU", "GET_STATS", "GET_DYING", "GET_UNCONFIRMED"}},
	uapi.NFNL_SUBSYS_CTNETLINK_EXP: {"IPCTNL_MSG_EXP_", []string{"NEW", "GET", "DELETE", "GET_STATS_CPU"}},
	uapi.NFNL_SUBSYS_QUEUE:         {"NFQNL_MSG_", []string{"PACKET", "VERDICT", "CONFIG", "VERDICT_BATCH"}},
	uapi.NFNL_SUBSYS_ULOG:          {"NFULNL_MSG_", []string{"PACKET", "CONFIG"}},
	uapi.NFNL_SUBSYS_OSF:           {"OSF_MSG_", []string{"ADD", "REMOVE"}},
	uapi.NFNL_SUBSYS_IPSET: {"IPSET_CMD_", []string{"NONE", "PROTOCOL", "CREATE", "DESTROY", "FLUSH",
		"RENAME", "SWAP", "LIST", "SAVE", "ADD", "DEL", "TEST", "HEADER", "TYPE", "GET_BYNAME", "GET_BYINDEX"}},
	uapi.NFNL_SUBSYS_ACCT:              {"NFNL_MSG_ACCT_", []string{"NEW", "GET", "GET_CTRZERO", "DEL", "OVERQUOTA"}},
	uapi.NFNL_SUBSYS_CTNETLINK_TIMEOUT: {"IPCTNL_MSG_TIMEOUT_", []string{"NEW", "GET", "DELETE", "DEFAULT_SET", "DEFAULT_GET"}},
	uapi.NFNL_SUBSYS_CTHELPER:          {"NFNL_MSG_CTHELPER_", []string{"NEW", "GET", "DEL"}},
	uapi.NFNL_SUBSYS_NFTABLES: {"NFT_MSG_", []string{
		"NEWTABLE", "GETTABLE", "DELTABLE", "NEWCHAIN", "GETCHAIN", "DELCHAIN",
		"NEWRULE", "GETRULE", "DELRULE", "NEWSET", "GETSET", "DELSET",
		"NEWSETELEM", "GETSETELEM", "DELSETELEM", "NEWGEN", "GETGEN", "TRACE",
		"NEWOBJ", "GETOBJ", "DELOBJ", "GETOBJ_RESET", "NEWFLOWTABLE", "GETFLOWTABLE",
		"DELFLOWTABLE", "GETRULE_RESET", "DESTROYTABLE", "DESTROYCHAIN", "DESTROYRULE", "DESTROYSET",
		"DESTROYSETELEM", "DESTROYOBJ", "DESTROYFLOWTABLE", "GETSETELEM_RESET"}},
	uapi.NFNL_SUBSYS_NFT_COMPAT: {"NFNL_MSG_COMPAT_", []string{"GET"}},
	uapi.NFNL_SUBSYS_HOOK:       {"NFNL_MSG_HOOK_", []string{"GET"}},
}

// xfrmTypes are the names of NETLINK_XFRM's message types, from
// XFRM_MSG_BASE (16).
var xfrmTypes = [...]string{
	"NEWSA", "DELSA", "GETSA", "NEWPOLICY", "DELPOLICY", "GETPOLICY",
	"ALLOCSPI", "ACQUIRE", "EXPIRE", "UPDPOLICY", "UPDSA", "POLEXPIRE",
	"FLUSHSA", "FLUSHPOLICY", "NEWAE", "GETAE", "REPORT", "MIGRATE",
	"NEWSADINFO", "GETSADINFO", "NEWSPDINFO", "GETSPDINFO", "MAPPING",
	"SETDEFAULT", "GETDEFAULT",
}
