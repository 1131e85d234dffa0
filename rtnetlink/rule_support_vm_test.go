//go:build linux

package rtnetlink_test

import (
	"testing"

	"github.com/nlkit/netlink/internal/vmtest"
)

// TestRuleAttrsVM runs TestRuleAttrsKernel and TestRuleAttrsWithoutExtAck
// in a VM of Debian's 6.1 (with NLKIT_VM=1; see internal/vmtest), the
// oldest kernel of the matrix, which knows no rule attribute above
// FRA_DPORT_RANGE and would add a rule without such a selector: there
// every rule with one is refused, and ip lists no broader rule.
func TestRuleAttrsVM(t *testing.T) {
	vmtest.Run(t, vmtest.Config{Kernel: "6.1"}, func(t *testing.T) {
		t.Run("Kernel", TestRuleAttrsKernel)
		t.Run("WithoutExtAck", TestRuleAttrsWithoutExtAck)
	})
}
