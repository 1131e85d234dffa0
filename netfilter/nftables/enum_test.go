package nftables

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/nlkit/netlink"
)

// TestEnumString checks the String methods of the kernel's enums and flag
// sets: names for the known values, numbers for the others, never a panic.
func TestEnumString(t *testing.T) {
	for _, c := range []struct {
		v    fmt.Stringer
		want string
	}{
		{CmpEq, "eq"},
		{CmpGte, "gte"},
		{CmpOp(6), "6"},
		{CmpOp(1 << 31), "2147483648"},
		{RangeNeq, "neq"},
		{MetaKeyIIFName, "iifname"},
		{MetaKeyL4Proto, "l4proto"},
		{MetaKeyBriBroute, "broute"},
		{MetaKey(200), "200"},
		{PayloadBaseNetworkHeader, "network"},
		{PayloadBase(9), "9"},
		{CtKeyState, "state"},
		{CtDirReply, "reply"},
		{CtDirection(255), "255"},
		{BitwiseXor, "xor"},
		{DynsetOpDelete, "delete"},
		{RejectTCPReset, "tcp reset"},
		{ICMPxAdminProhibited, "admin-prohibited"},
		{NATTypeDestNAT, "dnat"},
		{NATRangeMapIPs | NATRangePersistent, "map-ips|persistent"},
		{NATRangeFlags(0), "0"},
		{NATRangeProtoRandom | 0x300, "random|0x300"},
		{NATRangeFlags(0x80), "0x80"},
		{FibResultOIFName, "oifname"},
		{FibFlagDaddr | FibFlagIIF, "daddr|iif"},
		{RtTCPMSS, "tcpmss"},
		{SocketKeyCgroupv2, "cgroupv2"},
		{OsfTTLNoCheck, "skip"},
		{SynproxyMSS | SynproxyECN, "mss|ecn"},
		{LogLevelWarning, "warn"},
		{LogLevel(9), "9"},
		{LogAll, "tcpseq|tcpopt|ipopt|uid|macdecode"},
		{QueueFlagBypass | QueueFlagFanout, "bypass|fanout"},
		{NumgenTypeRandom, "random"},
		{HashTypeSym, "symhash"},
		{ExthdrOpTCPOpt, "tcpopt"},
		{ExthdrPresent, "present"},
		{LimitTypePktBytes, "bytes"},
		{QuotaInvert | QuotaDepleted, "inv|depleted"},
		{TunnelModeTx, "tx"},
		{XfrmKeySPI, "spi"},
		{XfrmDirOut, "out"},
		{ObjCtHelper, "ct helper"},
		{ObjectType(0), "0"},
		{SetConstant | SetInterval, "constant|interval"},
		{SetPolicyMemory, "memory"},
		{ChainBase | ChainHWOffload, "base|hw-offload"},
		{TableDormant | TableOwner, "dormant|owner"},
		{FlowtableCounter, "counter"},
		{CsumTypeInet, "inet"},
		{CsumFlagL4Pseudohdr, "l4csum-pseudohdr"},
	} {
		if got := c.v.String(); got != c.want {
			t.Errorf("%T(%#x).String() = %q, want %q", c.v, c.v, got, c.want)
		}
	}
}

// TestEnumFields checks that a rule's typed fields go out as the kernel's
// numbers: the named types change the Go API, not the wire format.
func TestEnumFields(t *testing.T) {
	reply := CtDirReply
	for _, c := range []struct {
		x    Expr
		want Expr // the same with the numbers the kernel's header gives
	}{
		{&Cmp{Op: CmpGte, Sreg: Reg1, Data: []byte{1}}, &RawExpr{Name: "cmp", Data: []byte{8, 0, 1, 0, 0, 0, 0, 1, 8, 0, 2, 0, 0, 0, 0, 5, 12, 0, 3, 0x80, 5, 0, 1, 0, 1, 0, 0, 0}}},
		{&Meta{Key: MetaKeyIIFName, Dreg: Reg1}, &RawExpr{Name: "meta", Data: []byte{8, 0, 2, 0, 0, 0, 0, 6, 8, 0, 1, 0, 0, 0, 0, 1}}},
		{&Ct{Key: CtKeyMark, Direction: &reply, Dreg: Reg1}, &RawExpr{Name: "ct", Data: []byte{8, 0, 1, 0, 0, 0, 0, 1, 8, 0, 2, 0, 0, 0, 0, 3, 5, 0, 3, 0, 1, 0, 0, 0}}},
		{&Queue{Num: 1, Flags: QueueFlagBypass}, &RawExpr{Name: "queue", Data: []byte{6, 0, 1, 0, 0, 1, 0, 0, 6, 0, 3, 0, 0, 1, 0, 0}}},
	} {
		got, want := exprBytes(t, c.x), exprBytes(t, c.want)
		if string(got) != string(want) {
			t.Errorf("%s: encoded\n%x, want\n%x", c.x.Kind(), got, want)
		}
		back, err := parseExpr(got[4:])
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(back, c.x) {
			t.Errorf("%s: decoded %+v, want %+v", c.x.Kind(), back, c.x)
		}
	}
}

// exprBytes is x's expression nest, as a rule sends it.
func exprBytes(t *testing.T, x Expr) []byte {
	t.Helper()
	e := netlink.NewAttrEncoder(nil)
	putExpr(e, 1, x)
	b, err := e.Finish()
	if err != nil {
		t.Fatal(err)
	}
	return b
}
