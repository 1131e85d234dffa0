package netlink

import "testing"

// dumpBits are the four flags that NEW and GET requests read differently:
// Root/Replace, Match/Excl, Atomic/Create and Append.
var dumpBits = []HeaderFlags{Root, Match, Atomic, Append}

// dumpBitSets returns every combination of dumpBits, the empty one first.
func dumpBitSets() []HeaderFlags {
	var out []HeaderFlags
	for i := range 1 << len(dumpBits) {
		var f HeaderFlags
		for j, b := range dumpBits {
			if i&(1<<j) != 0 {
				f |= b
			}
		}
		out = append(out, f)
	}
	return out
}

// isDump answers for every combination of the four bits as the kernel code
// of each protocol decides (rtnetlink_rcv_msg, genl_family_rcv_msg,
// netlink_rcv_skb for control messages); TestIsDumpAsKernel checks the same
// against the kernel itself.
func TestIsDumpEveryFlagCombination(t *testing.T) {
	const (
		route    = 0  // NETLINK_ROUTE
		sockDiag = 4  // NETLINK_SOCK_DIAG
		generic  = 16 // NETLINK_GENERIC
	)
	types := []struct {
		name  string
		proto int
		typ   HeaderType
		// dumps says whether the kernel dumps with these dump bits set.
		dumps func(root, match bool) bool
	}{
		{"RTM_GETLINK", route, 18, func(r, m bool) bool { return r || m }},
		{"RTM_GETADDR", route, 22, func(r, m bool) bool { return r || m }},
		{"RTM_GETROUTE", route, 26, func(r, m bool) bool { return r || m }},
		{"RTM_GETNEXTHOP", route, 106, func(r, m bool) bool { return r || m }},
		{"RTM_NEWLINK", route, 16, func(r, m bool) bool { return false }},
		{"RTM_DELLINK", route, 17, func(r, m bool) bool { return false }},
		{"RTM_SETLINK", route, 19, func(r, m bool) bool { return false }},
		{"RTM_NEWROUTE", route, 24, func(r, m bool) bool { return false }},
		{"RTM_DELADDR", route, 21, func(r, m bool) bool { return false }},
		{"NLMSG_NOOP on rtnetlink", route, TypeNoop, func(r, m bool) bool { return false }},
		{"NLMSG_DONE on generic", generic, TypeDone, func(r, m bool) bool { return false }},
		{"CTRL_CMD_GETFAMILY", generic, 16, func(r, m bool) bool { return r && m }},
		{"a family's command", generic, 0x20, func(r, m bool) bool { return r && m }},
		{"SOCK_DIAG_BY_FAMILY", sockDiag, 20, func(r, m bool) bool { return r || m }},
	}
	for _, tt := range types {
		for _, f := range dumpBitSets() {
			extra := f &^ Dump
			for _, acks := range []HeaderFlags{0, Request | Acknowledge, Request | Acknowledge | Echo} {
				flags := f | acks
				want := tt.dumps(f&Root != 0, f&Match != 0)
				if got := isDump(tt.proto, tt.typ, flags); got != want {
					t.Errorf("%s, flags %v (other bits %v): isDump %v, want %v", tt.name, flags, extra, got, want)
				}
			}
		}
	}
	// The cases reviews found wrong: a GET with Atomic or Append beside a
	// dump bit is a dump; Create|Replace and Create|Excl on NEW are not.
	for _, c := range []struct {
		proto int
		typ   HeaderType
		flags HeaderFlags
		want  bool
	}{
		{route, 18, Root | Atomic, true},
		{route, 18, Match | Append, true},
		{route, 18, Root | Create, true}, // Create is Atomic's bit
		{route, 18, Dump | Atomic | Append, true},
		{route, 24, Create | Replace, false},
		{route, 24, Create | Excl, false},
		{route, 24, Dump, false},
		{generic, 16, Root | Atomic, false},
		{generic, 16, Dump | Append, true},
	} {
		if got := isDump(c.proto, c.typ, c.flags); got != c.want {
			t.Errorf("protocol %d, type %d, flags %v: isDump %v, want %v", c.proto, c.typ, c.flags, got, c.want)
		}
	}
	if n := len(dumpBitSets()); n != 16 {
		t.Fatalf("%d combinations, want 16", n)
	}
}
