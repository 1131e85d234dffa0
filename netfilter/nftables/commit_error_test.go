package nftables

import (
	"errors"
	"strings"
	"syscall"
	"testing"

	"github.com/nlkit/netlink"
)

// TestCommitErrorNamesCommit checks that an error of the exchange, rather
// than a message the kernel refused, names the commit and its size and
// still wraps its cause.
func TestCommitErrorNamesCommit(t *testing.T) {
	var tx Tx
	tx.Add(&Table{Family: FamilyINet, Name: "t"})
	tx.Add(&Chain{Family: FamilyINet, Table: "t", Name: "c"})
	cause := &netlink.OpError{Op: "transact", Protocol: 12, Err: syscall.EMSGSIZE}
	err := tx.txError(cause)
	if !errors.Is(err, syscall.EMSGSIZE) {
		t.Errorf("%v does not wrap EMSGSIZE", err)
	}
	if want := "nftables: commit of 2 messages: netlink netfilter transact: "; !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error %q, want it to start %q", err, want)
	}
}
