package genltest

// Numbers from <linux/netlink.h> and <linux/genetlink.h>, spelled out here
// so that the package needs no system package for them.
const (
	netlinkGeneric = 16 // NETLINK_GENERIC

	genlIDCtrl     = 0x10 // GENL_ID_CTRL: nlctrl's family ID and its "notify" group
	genlStartAlloc = 0x13 // GENL_START_ALLOC: the first family ID given out (after GENL_ID_VFS_DQUOT, GENL_ID_PMCRAID)
	genlMaxID      = 1023 // GENL_MAX_ID
	genlNameSize   = 16   // GENL_NAMSIZ: names are shorter, with their NUL
	genlHeaderLen  = 4    // GENL_HDRLEN: struct genlmsghdr

	ctrlVersion = 2 // nlctrl's version

	ctrlCmdNewFamily   = 1  // CTRL_CMD_NEWFAMILY
	ctrlCmdDelFamily   = 2  // CTRL_CMD_DELFAMILY
	ctrlCmdGetFamily   = 3  // CTRL_CMD_GETFAMILY
	ctrlCmdNewMcastGrp = 7  // CTRL_CMD_NEWMCAST_GRP
	ctrlCmdDelMcastGrp = 8  // CTRL_CMD_DELMCAST_GRP
	ctrlCmdGetPolicy   = 10 // CTRL_CMD_GETPOLICY

	ctrlAttrFamilyID    = 1 // CTRL_ATTR_FAMILY_ID
	ctrlAttrFamilyName  = 2 // CTRL_ATTR_FAMILY_NAME
	ctrlAttrVersion     = 3 // CTRL_ATTR_VERSION
	ctrlAttrHdrSize     = 4 // CTRL_ATTR_HDRSIZE
	ctrlAttrMaxAttr     = 5 // CTRL_ATTR_MAXATTR
	ctrlAttrOps         = 6 // CTRL_ATTR_OPS
	ctrlAttrMcastGroups = 7 // CTRL_ATTR_MCAST_GROUPS

	ctrlAttrOpID    = 1 // CTRL_ATTR_OP_ID
	ctrlAttrOpFlags = 2 // CTRL_ATTR_OP_FLAGS

	ctrlAttrMcastGrpName = 1 // CTRL_ATTR_MCAST_GRP_NAME
	ctrlAttrMcastGrpID   = 2 // CTRL_ATTR_MCAST_GRP_ID
)

// reservedGroups are the multicast group IDs the kernel never gives out:
// 0 (no group), 1 (NET_DM's), 16 (nlctrl's "notify", GENL_ID_CTRL), 17 and
// 18 (VFS_DQUOT's and pmcraid's, GENL_ID_VFS_DQUOT and GENL_ID_PMCRAID).
var reservedGroups = []uint32{0, 1, genlIDCtrl, 0x11, 0x12}
