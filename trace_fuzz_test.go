package netlink_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/nlkit/netlink"
)

// FuzzFormatMessages: FormatMessages writes an account of any bytes, of
// any protocol, without panicking, ending each line with a newline, and in
// a size proportional to the input (nests are walked to MaxNestDepth at
// most). Seeds: the kernel's route and link dumps (NETLINK_ROUTE), its
// family and policy dumps (NETLINK_GENERIC, from genetlink/testdata), and
// its ACKs (testdata/fuzz/FuzzParseAck) as NLMSG_ERROR messages.
func FuzzFormatMessages(f *testing.F) {
	for _, s := range []struct {
		file  string
		proto uint8
	}{
		{"testdata/rtm_newlink_dump.bin", 0},
		{"testdata/rtm_newroute_dump.bin", 0},
		{"genetlink/testdata/getfamily_dump.bin", 16},
		{"genetlink/testdata/getpolicy_netdev.bin", 16},
	} {
		b, err := os.ReadFile(s.file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(s.proto, b)
	}
	acks, err := filepath.Glob("testdata/fuzz/FuzzParseAck/kernel-*")
	if err != nil || len(acks) == 0 {
		f.Fatalf("no ACK seeds: %v", err)
	}
	for _, file := range acks {
		flags, data := readAckSeed(f, file)
		f.Add(uint8(0), netlink.AppendMessage(nil, netlink.Header{Type: netlink.TypeError, Flags: netlink.HeaderFlags(flags)}, data))
	}
	f.Fuzz(func(t *testing.T, proto uint8, b []byte) {
		var out bytes.Buffer
		if err := netlink.FormatMessages(&out, int(proto%32), b); err != nil {
			t.Fatal(err)
		}
		if out.Len() > 0 && out.Bytes()[out.Len()-1] != '\n' {
			t.Fatalf("the account does not end its last line:\n%s", out.Bytes())
		}
		if out.Len() > 1000*len(b)+1000 {
			t.Fatalf("%d bytes of account for %d bytes", out.Len(), len(b))
		}
	})
}
