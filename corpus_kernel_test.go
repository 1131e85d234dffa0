//go:build linux

package netlink_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/nstest"
	"golang.org/x/sys/unix"
)

var writeCorpus = flag.Bool("corpus", false, "write the kernel's ACKs to testdata/fuzz as seeds of FuzzParseAck")

// TestWriteFuzzCorpus seeds FuzzParseAck with real ACKs: with -corpus, it
// sends requests that succeed, fail, fail with an extended ACK, and fail
// with the request capped, in a throwaway namespace, and writes each ACK
// (its flags and payload) to testdata/fuzz/FuzzParseAck/. Without
// -corpus it checks that the seeds are there.
//
//	go test . -run TestWriteFuzzCorpus -args -corpus
func TestWriteFuzzCorpus(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzParseAck")
	if !*writeCorpus {
		if m, _ := filepath.Glob(filepath.Join(dir, "kernel-*")); len(m) == 0 {
			t.Errorf("no kernel seeds for FuzzParseAck: run go test . -run TestWriteFuzzCorpus -args -corpus")
		}
		return
	}
	ns := nstest.New(t)
	up := skIfinfo(1)
	binary.NativeEndian.PutUint32(up[8:], unix.IFF_UP)
	binary.NativeEndian.PutUint32(up[12:], unix.IFF_UP)
	kind := netlink.NewAttrEncoder(skIfinfo(0))
	kind.String(unix.IFLA_IFNAME, "x0")
	li := kind.Nest(unix.IFLA_LINKINFO)
	kind.String(unix.IFLA_INFO_KIND, "nlkit-nosuch")
	kind.End(li)
	unknownKind, _ := kind.Finish()
	bad := netlink.NewAttrEncoder(skIfinfo(1))
	bad.Uint8(unix.IFLA_MTU, 1) // wrong size: the offset points at it
	badMTU, _ := bad.Finish()
	addr := xcAddr(unix.RTM_NEWADDR, netlink.Acknowledge|netlink.Create|netlink.Excl, netip.MustParsePrefix("10.0.0.1/8"), 1)

	reqs := []netlink.Message{
		{Header: netlink.Header{Type: unix.RTM_NEWLINK, Flags: netlink.Request | netlink.Acknowledge}, Data: up},
		{Header: netlink.Header{Type: unix.RTM_GETLINK, Flags: netlink.Request | netlink.Acknowledge}, Data: skIfinfo(999)},
		{Header: netlink.Header{Type: unix.RTM_NEWLINK, Flags: netlink.Request | netlink.Acknowledge | netlink.Create}, Data: unknownKind},
		{Header: netlink.Header{Type: unix.RTM_NEWLINK, Flags: netlink.Request | netlink.Acknowledge}, Data: badMTU},
		{Header: netlink.Header{Type: addr.Header.Type, Flags: netlink.Request | addr.Header.Flags}, Data: addr.Data},
		{Header: netlink.Header{Type: addr.Header.Type, Flags: netlink.Request | addr.Header.Flags}, Data: addr.Data}, // EEXIST
		{Header: netlink.Header{Type: 0x7ff, Flags: netlink.Request | netlink.Acknowledge}, Data: []byte{1, 2, 3, 4}},
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	n := 0
	for _, capAck := range []bool{false, true} {
		cfg := &netlink.Config{NetNS: ns.Path}
		if capAck {
			cfg.Options = []netlink.Option{netlink.CapAck}
		}
		c := skDial(t, unix.NETLINK_ROUTE, cfg)
		for i, req := range reqs {
			if capAck && i == 4 {
				continue // the address exists already
			}
			if _, err := c.Send(ctx, req); err != nil {
				t.Fatal(err)
			}
			msgs, err := c.Receive(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range msgs {
				if m.Header.Type != netlink.TypeError {
					continue
				}
				if _, err := netlink.ParseAck(m); err != nil && !errors.Is(err, netlink.ErrMalformed) {
					t.Fatal(err)
				}
				seed := fmt.Appendf(nil, "go test fuzz v1\nuint16(%d)\n[]byte(%q)\n", uint16(m.Header.Flags), m.Data)
				file := filepath.Join(dir, fmt.Sprintf("kernel-%x", sha256.Sum256(seed))[:len("kernel-")+16])
				if err := os.WriteFile(file, seed, 0o644); err != nil {
					t.Fatal(err)
				}
				n++
			}
		}
	}
	t.Logf("%d ACKs written", n)
}

// FuzzParseHeader: any bytes parse as a header or give ErrMalformed, and a
// header that parses appends as the bytes it came from. Seeds: the
// headers of the kernel's dumps in testdata/.
func FuzzParseHeader(f *testing.F) {
	for _, file := range []string{"rtm_newlink_dump.bin", "rtm_newroute_dump.bin"} {
		b, err := os.ReadFile(filepath.Join("testdata", file))
		if err != nil {
			f.Fatal(err)
		}
		for len(b) >= netlink.HeaderLen {
			f.Add(b[:netlink.HeaderLen])
			l := netlink.Align(int(binary.NativeEndian.Uint32(b)))
			if l < netlink.HeaderLen || l > len(b) {
				break
			}
			b = b[l:]
		}
	}
	f.Add([]byte{1, 2, 3})
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := netlink.ParseHeader(b)
		if err != nil {
			if !errors.Is(err, netlink.ErrMalformed) || len(b) >= netlink.HeaderLen {
				t.Fatalf("%d bytes: %v", len(b), err)
			}
			return
		}
		if got := netlink.AppendHeader(nil, h); !bytes.Equal(got, b[:netlink.HeaderLen]) {
			t.Fatalf("%v appends as % x, parsed from % x", h, got, b[:netlink.HeaderLen])
		}
	})
}
