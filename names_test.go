package netlink

import (
	"syscall"
	"testing"

	"github.com/nlkit/netlink/internal/uapi"
)

func TestRequestName(t *testing.T) {
	for _, tt := range []struct {
		proto int
		typ   HeaderType
		want  string
	}{
		{0, 2, "ERROR"},
		{0, 16, "RTM_NEWLINK"},
		{0, 18, "RTM_GETLINK"},
		{0, 104, "RTM_NEWNEXTHOP"},
		{4, 20, "SOCK_DIAG_BY_FAMILY"},
		{4, 21, "SOCK_DESTROY"},
		{4, 22, "type 22"},
		{16, 20, "type 20"},
		{6, 16, "XFRM_MSG_NEWSA"},
		{6, 26, "XFRM_MSG_UPDSA"},
		{6, 40, "XFRM_MSG_GETDEFAULT"},
		{6, 41, "type 41"},
		{12, 0x10, "NFNL_MSG_BATCH_BEGIN"},
		{12, 0x11, "NFNL_MSG_BATCH_END"},
		{12, 0x12, "type 18"},
		{12, 0x0a00, "NFT_MSG_NEWTABLE"},
		{12, 0x0a08, "NFT_MSG_DELRULE"},
		{12, 0x0a0f, "NFT_MSG_NEWGEN"},
		{12, 0x0a1a, "NFT_MSG_DESTROYTABLE"},
		{12, 0x0a21, "NFT_MSG_GETSETELEM_RESET"},
		{12, 0x0a22, "type 2594"},
		{12, 0x0100, "IPCTNL_MSG_CT_NEW"},
		{12, 0x0102, "IPCTNL_MSG_CT_DELETE"},
		{12, 0x0201, "IPCTNL_MSG_EXP_GET"},
		{12, 0x0301, "NFQNL_MSG_VERDICT"},
		{12, 0x0303, "NFQNL_MSG_VERDICT_BATCH"},
		{12, 0x0401, "NFULNL_MSG_CONFIG"},
		{12, 0x0b00, "NFNL_MSG_COMPAT_GET"},
		{12, 0x0d00, "type 3328"},
		{0, 0x0a00, "type 2560"},
	} {
		if got := RequestName(tt.proto, tt.typ); got != tt.want {
			t.Errorf("RequestName(%d, %d) = %q, want %q", tt.proto, tt.typ, got, tt.want)
		}
	}
}

// TestNetfilterNamesMatchUAPI checks the names of nf_tables' messages
// against x/sys's numbers for them.
func TestNetfilterNamesMatchUAPI(t *testing.T) {
	for name, msg := range map[string]int{
		"NFT_MSG_NEWTABLE": uapi.NFT_MSG_NEWTABLE, "NFT_MSG_DELCHAIN": uapi.NFT_MSG_DELCHAIN,
		"NFT_MSG_NEWRULE": uapi.NFT_MSG_NEWRULE, "NFT_MSG_DELSETELEM": uapi.NFT_MSG_DELSETELEM,
		"NFT_MSG_GETGEN": uapi.NFT_MSG_GETGEN, "NFT_MSG_TRACE": uapi.NFT_MSG_TRACE,
		"NFT_MSG_GETOBJ_RESET": uapi.NFT_MSG_GETOBJ_RESET, "NFT_MSG_DELFLOWTABLE": uapi.NFT_MSG_DELFLOWTABLE,
		"NFT_MSG_GETRULE_RESET": uapi.NFT_MSG_GETRULE_RESET,
	} {
		typ := HeaderType(uapi.NFNL_SUBSYS_NFTABLES<<8 | msg)
		if got := RequestName(uapi.NETLINK_NETFILTER, typ); got != name {
			t.Errorf("RequestName(netfilter, %#x) = %q, want %q", typ, got, name)
		}
	}
	// NFT_MSG_MAX is one past the last message.
	if got := RequestName(uapi.NETLINK_NETFILTER, HeaderType(uapi.NFNL_SUBSYS_NFTABLES<<8|(uapi.NFT_MSG_MAX-1))); got != "NFT_MSG_GETSETELEM_RESET" {
		t.Errorf("the last nf_tables message is %q", got)
	}
}

// TestNetfilterErrorNamesMessage checks that an error of a netfilter
// request names its message.
func TestNetfilterErrorNamesMessage(t *testing.T) {
	err := &OpError{Op: "transact", Protocol: uapi.NETLINK_NETFILTER, Request: 0x0a06, Err: syscall.ENOENT, ExtAck: noExtAck}
	if want := "netlink netfilter NFT_MSG_NEWRULE: no such file or directory"; err.Error() != want {
		t.Errorf("%q, want %q", err, want)
	}
}
