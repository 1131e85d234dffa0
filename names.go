package netlink

import "strconv"

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
// SOCK_DIAG_BY_FAMILY and SOCK_DESTROY, and xfrm's XFRM_MSG_* types), and gives
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
	return "type " + strconv.Itoa(int(t))
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
