//go:build linux

package conntrack_test

import (
	"os"
	"testing"

	"github.com/nlkit/netlink"
)

// TestCaptureDump writes testdata/dump.bin, the messages of a real
// listing (entries from conntrack -I and from traffic, TCP, UDP, ICMP,
// ICMPv6, SCTP, NAT, zones, marks, counters and timestamps), which the
// allocation test and the fuzz seeds read. It runs with
// NLKIT_CAPTURE=1.
func TestCaptureDump(t *testing.T) {
	if os.Getenv("NLKIT_CAPTURE") == "" {
		t.Skip("set NLKIT_CAPTURE=1 to rewrite testdata/dump.bin")
	}
	p := newPair(t)
	for _, args := range [][]string{
		{"-p", "tcp", "-s", "198.18.1.1", "-d", "198.18.1.2", "--sport", "1000", "--dport", "80", "--state", "ESTABLISHED", "-t", "300", "-u", "ASSURED,SEEN_REPLY", "-m", "7"},
		{"-p", "udp", "-s", "198.18.1.1", "-d", "198.18.1.2", "--sport", "1000", "--dport", "53", "-t", "300", "-w", "5"},
		{"-p", "udp", "-s", "198.18.1.1", "-d", "198.18.1.2", "--sport", "7", "--dport", "8", "-t", "300", "--orig-zone", "3"},
		{"-p", "sctp", "-s", "198.18.1.1", "-d", "198.18.1.2", "--sport", "9", "--dport", "10", "--state", "ESTABLISHED", "--orig-vtag", "11", "--reply-vtag", "12", "-t", "300"},
	} {
		inNSRun(t, p.a, append([]string{"conntrack", "-I"}, args...)...)
	}
	p.traffic(t)
	c := dialCT(t, p.a)
	var b []byte
	req := netlink.Message{Header: netlink.Header{Type: 0x101, Flags: netlink.Dump}, Data: []byte{0, 0, 0, 0}} // IPCTNL_MSG_CT_GET, all families
	for m, err := range c.NL.Dump(testCtx(t), req) {
		if err != nil {
			t.Fatal(err)
		}
		b = netlink.AppendMessage(b, m.Header, m.Data)
	}
	if err := os.WriteFile("testdata/dump.bin", b, 0o644); err != nil {
		t.Fatal(err)
	}
}
