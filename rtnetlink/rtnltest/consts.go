package rtnltest

// The kernel's numbers this package needs, by their <linux/*.h> names, so
// that it builds without golang.org/x/sys/unix on every GOOS.
const (
	netlinkRoute = 0 // NETLINK_ROUTE

	rtmNewLink  = 16 // RTM_NEWLINK
	rtmDelLink  = 17 // RTM_DELLINK
	rtmGetLink  = 18 // RTM_GETLINK
	rtmSetLink  = 19 // RTM_SETLINK
	rtmNewAddr  = 20 // RTM_NEWADDR
	rtmDelAddr  = 21 // RTM_DELADDR
	rtmGetAddr  = 22 // RTM_GETADDR
	rtmNewRoute = 24 // RTM_NEWROUTE
	rtmDelRoute = 25 // RTM_DELROUTE
	rtmGetRoute = 26 // RTM_GETROUTE
	rtmNewNeigh = 28 // RTM_NEWNEIGH
	rtmDelNeigh = 29 // RTM_DELNEIGH
	rtmGetNeigh = 30 // RTM_GETNEIGH
	rtmNewRule  = 32 // RTM_NEWRULE
	rtmDelRule  = 33 // RTM_DELRULE
	rtmGetRule  = 34 // RTM_GETRULE

	afUnspec = 0  // AF_UNSPEC
	afInet   = 2  // AF_INET
	afBridge = 7  // AF_BRIDGE
	afInet6  = 10 // AF_INET6

	// Multicast groups (RTNLGRP_*).
	grpLink      = 1  // RTNLGRP_LINK
	grpNeigh     = 3  // RTNLGRP_NEIGH
	grpIPv4Addr  = 5  // RTNLGRP_IPV4_IFADDR
	grpIPv4Route = 7  // RTNLGRP_IPV4_ROUTE
	grpIPv4Rule  = 8  // RTNLGRP_IPV4_RULE
	grpIPv6Addr  = 9  // RTNLGRP_IPV6_IFADDR
	grpIPv6Route = 11 // RTNLGRP_IPV6_ROUTE
	grpIPv6Rule  = 19 // RTNLGRP_IPV6_RULE

	sizeofIfInfomsg = 16 // sizeof(struct ifinfomsg)
	sizeofIfAddrmsg = 8  // sizeof(struct ifaddrmsg)
	sizeofRtMsg     = 12 // sizeof(struct rtmsg)
	sizeofNdMsg     = 12 // sizeof(struct ndmsg)
	sizeofRuleHdr   = 12 // sizeof(struct fib_rule_hdr)
	sizeofRtNexthop = 8  // sizeof(struct rtnexthop)

	ifNameSize  = 16  // IFNAMSIZ
	ifAliasSize = 256 // IFALIASZ

	// Link attributes (IFLA_*).
	iflaAddress    = 1  // IFLA_ADDRESS
	iflaBroadcast  = 2  // IFLA_BROADCAST
	iflaIfname     = 3  // IFLA_IFNAME
	iflaMTU        = 4  // IFLA_MTU
	iflaLink       = 5  // IFLA_LINK
	iflaMaster     = 10 // IFLA_MASTER
	iflaTxQLen     = 13 // IFLA_TXQLEN
	iflaOperState  = 16 // IFLA_OPERSTATE
	iflaLinkInfo   = 18 // IFLA_LINKINFO
	iflaIfAlias    = 20 // IFLA_IFALIAS
	iflaVFInfoList = 22 // IFLA_VFINFO_LIST
	iflaStats64    = 23 // IFLA_STATS64
	iflaNetNSPID   = 19 // IFLA_NET_NS_PID
	iflaNetNSFD    = 28 // IFLA_NET_NS_FD
	iflaMinMTU     = 50 // IFLA_MIN_MTU
	iflaMaxMTU     = 51 // IFLA_MAX_MTU

	iflaInfoKind = 1 // IFLA_INFO_KIND
	iflaInfoData = 2 // IFLA_INFO_DATA

	vethInfoPeer = 1 // VETH_INFO_PEER

	iflaBrForwardDelay  = 1  // IFLA_BR_FORWARD_DELAY
	iflaBrHelloTime     = 2  // IFLA_BR_HELLO_TIME
	iflaBrMaxAge        = 3  // IFLA_BR_MAX_AGE
	iflaBrAgeingTime    = 4  // IFLA_BR_AGEING_TIME
	iflaBrSTPState      = 5  // IFLA_BR_STP_STATE
	iflaBrPriority      = 6  // IFLA_BR_PRIORITY
	iflaBrVLANFiltering = 7  // IFLA_BR_VLAN_FILTERING
	iflaMacvlanMode     = 1  // IFLA_MACVLAN_MODE
	iflaVxlanID         = 1  // IFLA_VXLAN_ID
	iflaVxlanGroup      = 2  // IFLA_VXLAN_GROUP
	iflaVxlanLink       = 3  // IFLA_VXLAN_LINK
	iflaVxlanLocal      = 4  // IFLA_VXLAN_LOCAL
	iflaVxlanPort       = 15 // IFLA_VXLAN_PORT
	iflaVxlanGroup6     = 16 // IFLA_VXLAN_GROUP6
	iflaVxlanLocal6     = 17 // IFLA_VXLAN_LOCAL6

	// Device flags (IFF_*).
	iffUp        = 0x1     // IFF_UP
	iffBroadcast = 0x2     // IFF_BROADCAST
	iffLoopback  = 0x8     // IFF_LOOPBACK
	iffRunning   = 0x40    // IFF_RUNNING
	iffNoARP     = 0x80    // IFF_NOARP
	iffMulticast = 0x1000  // IFF_MULTICAST
	iffLowerUp   = 0x10000 // IFF_LOWER_UP

	arphrdEther    = 1   // ARPHRD_ETHER
	arphrdLoopback = 772 // ARPHRD_LOOPBACK

	// Operational states (IF_OPER_*).
	operUnknown        = 0 // IF_OPER_UNKNOWN
	operDown           = 2 // IF_OPER_DOWN
	operLowerLayerDown = 3 // IF_OPER_LOWERLAYERDOWN
	operUp             = 6 // IF_OPER_UP

	// Address attributes (IFA_*) and flags (IFA_F_*).
	ifaAddress    = 1  // IFA_ADDRESS
	ifaLocal      = 2  // IFA_LOCAL
	ifaLabel      = 3  // IFA_LABEL
	ifaBroadcast  = 4  // IFA_BROADCAST
	ifaCacheInfo  = 6  // IFA_CACHEINFO
	ifaFlags      = 8  // IFA_FLAGS
	ifaRtPriority = 9  // IFA_RT_PRIORITY
	ifaProto      = 11 // IFA_PROTO

	ifaFPermanent     = 0x80  // IFA_F_PERMANENT
	ifaFNoPrefixRoute = 0x200 // IFA_F_NOPREFIXROUTE

	// Route attributes (RTA_*).
	rtaDst       = 1  // RTA_DST
	rtaSrc       = 2  // RTA_SRC
	rtaOIF       = 4  // RTA_OIF
	rtaGateway   = 5  // RTA_GATEWAY
	rtaPriority  = 6  // RTA_PRIORITY
	rtaPrefSrc   = 7  // RTA_PREFSRC
	rtaMetrics   = 8  // RTA_METRICS
	rtaMultipath = 9  // RTA_MULTIPATH
	rtaTable     = 15 // RTA_TABLE
	rtaFlow      = 11 // RTA_FLOW
	rtaEncapType = 21 // RTA_ENCAP_TYPE
	rtaEncap     = 22 // RTA_ENCAP
	rtaMaxKnown  = 31 // RTA_FLOWLABEL, the last the fake knows of
	rtaPref      = 20 // RTA_PREF

	rtTableUnspec  = 0   // RT_TABLE_UNSPEC
	rtTableMain    = 254 // RT_TABLE_MAIN
	rtTableLocal   = 255 // RT_TABLE_LOCAL
	rtTableDefault = 253 // RT_TABLE_DEFAULT

	rtnUnicast   = 1 // RTN_UNICAST
	rtnLocal     = 2 // RTN_LOCAL
	rtnBroadcast = 3 // RTN_BROADCAST

	rtprotKernel = 2 // RTPROT_KERNEL
	rtprotBoot   = 3 // RTPROT_BOOT

	// Neighbour attributes (NDA_*), states (NUD_*) and flags (NTF_*).
	ndaDst     = 1 // NDA_DST
	ndaLLAddr  = 2 // NDA_LLADDR
	ndaIfindex = 8 // NDA_IFINDEX
	ndaMaster  = 9 // NDA_MASTER

	nudIncomplete = 0x01   // NUD_INCOMPLETE
	nudFailed     = 0x20   // NUD_FAILED
	nudNoARP      = 0x40   // NUD_NOARP
	nudPermanent  = 0x80   // NUD_PERMANENT
	nudValid      = 0xde   // NUD_VALID: PERMANENT|NOARP|REACHABLE|PROBE|STALE|DELAY
	ntfProxy      = 0x08   // NTF_PROXY
	ntfExtLearned = 0x10   // NTF_EXT_LEARNED
	ntfExtManaged = 1 << 8 // NTF_EXT_MANAGED, as rtnetlink.NeighborFlags keeps it

	// Rule attributes (FRA_*), actions (FR_ACT_*) and flags.
	fraDst      = 1  // FRA_DST
	fraSrc      = 2  // FRA_SRC
	fraIIFName  = 3  // FRA_IIFNAME
	fraGoto     = 4  // FRA_GOTO
	fraPriority = 6  // FRA_PRIORITY
	fraFwMark   = 10 // FRA_FWMARK
	fraTable    = 15 // FRA_TABLE
	fraFwMask   = 16 // FRA_FWMASK
	fraOIFName  = 17 // FRA_OIFNAME
	fraProtocol = 21 // FRA_PROTOCOL

	fraFlow              = 11 // FRA_FLOW
	fraTunID             = 12 // FRA_TUN_ID
	fraSuppressIfGroup   = 13 // FRA_SUPPRESS_IFGROUP
	fraSuppressPrefixLen = 14 // FRA_SUPPRESS_PREFIXLEN
	fraL3MDev            = 19 // FRA_L3MDEV
	fraUIDRange          = 20 // FRA_UID_RANGE
	fraIPProto           = 22 // FRA_IP_PROTO
	fraSPortRange        = 23 // FRA_SPORT_RANGE
	fraDPortRange        = 24 // FRA_DPORT_RANGE
	fraDSCP              = 25 // FRA_DSCP
	fraFlowLabel         = 26 // FRA_FLOWLABEL
	fraFlowLabelMask     = 27 // FRA_FLOWLABEL_MASK
	fraSPortMask         = 28 // FRA_SPORT_MASK
	fraDPortMask         = 29 // FRA_DPORT_MASK
	fraDSCPMask          = 30 // FRA_DSCP_MASK

	frActToTbl = 1 // FR_ACT_TO_TBL
	frActGoto  = 2 // FR_ACT_GOTO

	fibRuleUnresolved  = 0x4  // FIB_RULE_UNRESOLVED
	fibRuleIIFDetached = 0x8  // FIB_RULE_IIF_DETACHED
	fibRuleOIFDetached = 0x10 // FIB_RULE_OIF_DETACHED
)
