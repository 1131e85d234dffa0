package nftables

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	ynl "github.com/nlkit/netlink/internal/ynlconst/nftables"
)

// TestConstSources checks the constants const.go defines by hand: that
// golang.org/x/sys/unix has none of them (the package takes those from
// internal/uapi), and that each the YNL spec names has the spec's value.
func TestConstSources(t *testing.T) {
	src, err := os.ReadFile("const.go")
	if err != nil {
		t.Fatal(err)
	}
	ours := map[string]string{}
	for _, m := range regexp.MustCompile(`(?m)^\s+\w+\s+=\s+(\S+)\s+// (\w+)`).FindAllSubmatch(src, -1) {
		ours[string(m[2])] = string(m[1])
	}
	if len(ours) == 0 {
		t.Fatal("no constants found in const.go")
	}

	t.Run("ynl", func(t *testing.T) {
		for _, c := range []struct {
			name      string
			ours, ynl int
		}{
			{"NFTA_HOOK_DEVS", nftaHookDevs, ynl.AttrNftHookAttrsDevs},
			{"NFTA_TABLE_HANDLE", nftaTableHandle, ynl.AttrTableAttrsHandle},
			{"NFTA_SET_DESC_CONCAT", nftaSetDescConcat, ynl.AttrSetDescAttrsConcat},
			{"NFTA_SET_FIELD_LEN", nftaSetFieldLen, ynl.AttrSetFieldAttrsLen},
			{"NFTA_SET_HANDLE", nftaSetHandle, ynl.AttrSetAttrsHandle},
			{"NFTA_SET_EXPR", nftaSetExpr, ynl.AttrSetAttrsExpr},
			{"NFTA_SET_EXPRESSIONS", nftaSetExpressions, ynl.AttrSetAttrsExpressions},
			{"NFTA_VERDICT_CHAIN_ID", nftaVerdictChainId, ynl.AttrVerdictAttrsChainID},
			{"NFTA_BITWISE_OP", nftaBitwiseOp, ynl.AttrExprBitwiseAttrsOp},
			{"NFTA_BITWISE_DATA", nftaBitwiseData, ynl.AttrExprBitwiseAttrsData},
			{"NFTA_TPROXY_FAMILY", nftaTproxyFamily, ynl.AttrExprTproxyAttrsFamily},
			{"NFTA_TPROXY_REG_ADDR", nftaTproxyRegAddr, ynl.AttrExprTproxyAttrsRegAddr},
			{"NFTA_TPROXY_REG_PORT", nftaTproxyRegPort, ynl.AttrExprTproxyAttrsRegPort},
			{"NFTA_OBJ_HANDLE", nftaObjHandle, ynl.AttrObjAttrsHandle},
			{"NFTA_OBJ_PAD", nftaObjPad, ynl.AttrObjAttrsPad},
			{"NFTA_OBJ_USERDATA", nftaObjUserdata, ynl.AttrObjAttrsUserdata},
			{"NFTA_FLOWTABLE_TABLE", nftaFlowtableTable, ynl.AttrFlowtableAttrsTable},
			{"NFTA_FLOWTABLE_NAME", nftaFlowtableName, ynl.AttrFlowtableAttrsName},
			{"NFTA_FLOWTABLE_HOOK", nftaFlowtableHook, ynl.AttrFlowtableAttrsHook},
			{"NFTA_FLOWTABLE_USE", nftaFlowtableUse, ynl.AttrFlowtableAttrsUse},
			{"NFTA_FLOWTABLE_HANDLE", nftaFlowtableHandle, ynl.AttrFlowtableAttrsHandle},
			{"NFTA_FLOWTABLE_PAD", nftaFlowtablePad, ynl.AttrFlowtableAttrsPad},
			{"NFTA_FLOWTABLE_FLAGS", nftaFlowtableFlags, ynl.AttrFlowtableAttrsFlags},
			{"NFTA_FLOWTABLE_HOOK_NUM", nftaFlowtableHookNum, ynl.AttrFlowtableHookAttrsNum},
			{"NFTA_FLOWTABLE_HOOK_PRIORITY", nftaFlowtableHookPriority, ynl.AttrFlowtableHookAttrsPriority},
			{"NFTA_FLOWTABLE_HOOK_DEVS", nftaFlowtableHookDevs, ynl.AttrFlowtableHookAttrsDevs},
		} {
			if _, ok := ours[c.name]; !ok {
				t.Errorf("%s is not in const.go", c.name)
			}
			if c.ours != c.ynl {
				t.Errorf("%s = %d, the YNL spec says %d", c.name, c.ours, c.ynl)
			}
		}
		// The spec leaves out the pad attributes the kernel numbers
		// (NFTA_TABLE_PAD, NFTA_CHAIN_PAD, NFTA_RULE_PAD,
		// NFTA_SET_ELEM_PAD), so its numbers of the attributes after them
		// are one short of the kernel's: these are the kernel's, as
		// nf_tables.h and the kernel's replies have them. When the spec is
		// fixed, this fails, and the names move to the table above.
		for _, c := range []struct {
			name      string
			ours, ynl int
		}{
			{"NFTA_TABLE_USERDATA", nftaTableUserdata, ynl.AttrTableAttrsUserdata},
			{"NFTA_CHAIN_FLAGS", nftaChainFlags, ynl.AttrChainAttrsFlags},
			{"NFTA_CHAIN_ID", nftaChainId, ynl.AttrChainAttrsID},
			{"NFTA_CHAIN_USERDATA", nftaChainUserdata, ynl.AttrChainAttrsUserdata},
			{"NFTA_RULE_POSITION_ID", nftaRulePositionId, ynl.AttrRuleAttrsPositionID},
			{"NFTA_RULE_CHAIN_ID", nftaRuleChainId, ynl.AttrRuleAttrsChainID},
			{"NFTA_SET_ELEM_KEY_END", nftaSetElemKeyEnd, ynl.AttrSetelemAttrsKeyEnd},
			{"NFTA_SET_ELEM_EXPRESSIONS", nftaSetElemExpressions, ynl.AttrSetelemAttrsExpressions},
		} {
			if c.ours != c.ynl+1 {
				t.Errorf("%s = %d, the YNL spec says %d: no longer the spec's known off-by-one", c.name, c.ours, c.ynl)
			}
		}
	})

	t.Run("x/sys", func(t *testing.T) {
		out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "golang.org/x/sys").Output()
		dir := strings.TrimSpace(string(out))
		if err != nil || dir == "" {
			t.Skipf("cannot find golang.org/x/sys's source: %v", err)
		}
		def := regexp.MustCompile(`(?m)^\s+([A-Z][A-Z0-9_]+)\s+=\s+(\S+)\s*$`)
		for _, f := range []string{"zerrors_linux.go", "ztypes_linux.go"} {
			b, err := os.ReadFile(filepath.Join(dir, "unix", f))
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range def.FindAllSubmatch(b, -1) {
				if v, ok := ours[string(m[1])]; ok {
					t.Errorf("%s (%s here, %s in x/sys) is in x/sys/unix: use uapi.%[1]s", m[1], v, m[2])
				}
			}
		}
	})
}
