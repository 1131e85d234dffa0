package netlink

import "testing"

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
	} {
		if got := RequestName(tt.proto, tt.typ); got != tt.want {
			t.Errorf("RequestName(%d, %d) = %q, want %q", tt.proto, tt.typ, got, tt.want)
		}
	}
}
