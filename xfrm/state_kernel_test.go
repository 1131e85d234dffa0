//go:build linux

package xfrm_test

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"reflect"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/nstest"
	"github.com/nlkit/netlink/xfrm"
)

// The states' keys.
const (
	hexKey16 = "00112233445566778899aabbccddeeff"
	hexKey32 = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
	hexKey20 = "0011223344556677889900112233445566778899"
)

func key(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// testStates are SAs of the shapes ip xfrm makes, and the ip command
// that makes each.
var testStates = []struct {
	ip string
	s  xfrm.State
}{
	{"state add src 198.18.0.1 dst 198.18.0.2 proto esp spi 0x100 reqid 7 mode tunnel enc cbc(aes) 0x" + hexKey16 +
		" auth-trunc hmac(sha256) 0x" + hexKey32 + " 128",
		xfrm.State{Src: a1, Dst: a2, Proto: xfrm.ProtoESP, SPI: 0x100, ReqID: 7, Mode: xfrm.ModeTunnel, Lifetime: xfrm.NoLimits(),
			Crypt: &xfrm.Algorithm{Name: "cbc(aes)", Key: key(hexKey16)},
			Auth:  &xfrm.AuthAlgorithm{Name: "hmac(sha256)", Key: key(hexKey32), TruncLen: 128}}},
	{"state add src 2001:db8::1 dst 2001:db8::2 proto esp spi 0x200 mode transport aead rfc4106(gcm(aes)) 0x" + hexKey16 + "01020304 128" +
		" sel src 2001:db8::1/128 dst 2001:db8::2/128 proto tcp dport 443",
		xfrm.State{Src: b1, Dst: b2, Proto: xfrm.ProtoESP, SPI: 0x200, Lifetime: xfrm.NoLimits(),
			Selector: xfrm.Selector{Src: netip.PrefixFrom(b1, 128), Dst: netip.PrefixFrom(b2, 128), Proto: 6, DstPort: 443, DstPortMask: 0xffff},
			AEAD:     &xfrm.AEADAlgorithm{Name: "rfc4106(gcm(aes))", Key: key(hexKey16 + "01020304"), ICVLen: 128}}},
	{"state add src 198.18.0.1 dst 198.18.0.2 proto esp spi 0x300 mode tunnel enc cbc(aes) 0x" + hexKey16 + " auth hmac(sha1) 0x" + hexKey20 +
		" encap espinudp 4500 4500 0.0.0.0 mark 7 mask 0xff output-mark 9 mask 0xf if_id 42 replay-window 32 flag noecn",
		xfrm.State{Src: a1, Dst: a2, Proto: xfrm.ProtoESP, SPI: 0x300, Mode: xfrm.ModeTunnel, Lifetime: xfrm.NoLimits(),
			ReplayWindow: 32, Flags: xfrm.StateNoECN,
			Crypt: &xfrm.Algorithm{Name: "cbc(aes)", Key: key(hexKey16)},
			Auth:  &xfrm.AuthAlgorithm{Name: "hmac(sha1)", Key: key(hexKey20)},
			Encap: &xfrm.Encap{Type: xfrm.EncapESPInUDP, SrcPort: 4500, DstPort: 4500},
			Mark:  &xfrm.Mark{Value: 7, Mask: 0xff}, SetMark: &xfrm.Mark{Value: 9, Mask: 0xf}, IfID: 42}},
	{"state add src 198.18.0.1 dst 198.18.0.3 proto esp spi 0x400 enc cbc(aes) 0x" + hexKey16 + " auth hmac(sha256) 0x" + hexKey32 +
		" replay-window 128 flag esn",
		xfrm.State{Src: a1, Dst: netip.MustParseAddr("198.18.0.3"), Proto: xfrm.ProtoESP, SPI: 0x400, Lifetime: xfrm.NoLimits(), Flags: xfrm.StateESN,
			Crypt:     &xfrm.Algorithm{Name: "cbc(aes)", Key: key(hexKey16)},
			Auth:      &xfrm.AuthAlgorithm{Name: "hmac(sha256)", Key: key(hexKey32)},
			ReplayESN: &xfrm.ReplayESN{ReplayWindow: 128}}},
	{"state add src 198.18.0.1 dst 198.18.0.2 proto ah spi 0x600 auth hmac(sha256) 0x" + hexKey32 +
		" limit time-soft 100 limit time-hard 200 limit byte-soft 1000 limit packet-hard 50",
		xfrm.State{Src: a1, Dst: a2, Proto: xfrm.ProtoAH, SPI: 0x600,
			Lifetime: xfrm.LifetimeConfig{SoftByteLimit: 1000, HardByteLimit: xfrm.Inf, SoftPacketLimit: xfrm.Inf, HardPacketLimit: 50,
				SoftAddExpires: 100, HardAddExpires: 200},
			Auth: &xfrm.AuthAlgorithm{Name: "hmac(sha256)", Key: key(hexKey32)}}},
	{"state add src 198.18.0.1 dst 198.18.0.2 proto comp spi 0x500 comp deflate",
		xfrm.State{Src: a1, Dst: a2, Proto: xfrm.ProtoComp, SPI: 0x500, Lifetime: xfrm.NoLimits(), Comp: &xfrm.Algorithm{Name: "deflate"}}},
}

// needStates skips the test when the kernel has no ESP (this machine's
// kernel lacks it; the VMs' load esp4 and the algorithms' crypto modules
// on demand: go run ./internal/cmd/vmtest -kernel 6.1,6.12 -short ./xfrm).
func needStates(t *testing.T, c *xfrm.Conn) {
	t.Helper()
	s := testStates[0].s
	err := c.AddState(context.Background(), &s)
	if errors.Is(err, syscall.EPROTONOSUPPORT) {
		t.Skipf("the kernel has no ESP: %v", err)
	}
	if errors.Is(err, syscall.ENOENT) { // a kernel without the crypto modules of cbc(aes) or hmac(sha256)
		t.Skipf("the kernel lacks the algorithms' crypto modules: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteState(context.Background(), s.ID()); err != nil {
		t.Fatal(err)
	}
}

func listStates(t *testing.T, c *xfrm.Conn, f xfrm.StateFilter) []xfrm.State {
	t.Helper()
	var ss []xfrm.State
	for s, err := range c.States(context.Background(), f) {
		if err != nil {
			t.Fatal(err)
		}
		ss = append(ss, s)
	}
	return ss
}

// compareStates checks that ip -s xfrm state shows each state listed,
// in dump order, every line as ipState formats it.
func compareStates(t *testing.T, ns *nstest.NS, listed []xfrm.State) {
	t.Helper()
	blocks := ipBlocks(ns.Run(t, "-s", "xfrm", "state"))
	if len(blocks) != len(listed) {
		t.Fatalf("ip shows %d states, we list %d", len(blocks), len(listed))
	}
	for i, s := range listed {
		if want := ipState(s); !slices.Equal(blocks[i], want) {
			t.Errorf("state %d: ip shows\n%s\nwe format\n%s", i, strings.Join(blocks[i], "\n"), strings.Join(want, "\n"))
		}
	}
}

// stateAsAdded clears in listed what the kernel fills in or reports
// besides what was added.
func stateAsAdded(s xfrm.State) xfrm.State {
	s.Current, s.Stats, s.Replay, s.LastUsed = xfrm.LifetimeCurrent{}, xfrm.Stats{}, nil, 0
	if !s.Selector.Src.IsValid() && !s.Selector.Dst.IsValid() {
		s.Selector.Family = 0 // ip sent none; the kernel reports the state's
	}
	if r := s.ReplayESN; r != nil {
		r2 := xfrm.ReplayESN{ReplayWindow: r.ReplayWindow}
		s.ReplayESN = &r2
	}
	return s
}

func addedAs(s xfrm.State) xfrm.State {
	s.Family = xfrm.AFInet
	if s.Dst.Is6() {
		s.Family = xfrm.AFInet6
	}
	if s.Selector.Src.IsValid() && s.Selector.Family == 0 {
		s.Selector.Family = s.Family
	}
	return s
}

// TestStateFromIP: what ip xfrm adds, States lists as ip shows it; and
// re-added from the listing after a flush, ip shows it the same.
func TestStateFromIP(t *testing.T) {
	ns := nstest.New(t)
	c := dial(t, ns)
	needStates(t, c)
	for _, ts := range testStates {
		ns.Run(t, append([]string{"xfrm"}, strings.Fields(ts.ip)...)...)
	}
	listed := listStates(t, c, xfrm.StateFilter{})
	compareStates(t, ns, listed)
	for _, s := range listed {
		ok, diff := false, ""
		for _, ts := range testStates {
			want := addedAs(ts.s)
			got := stateAsAdded(s)
			if want.Auth != nil && want.Auth.TruncLen == 0 && got.Auth != nil {
				a := *want.Auth
				a.TruncLen = got.Auth.TruncLen // the kernel's default, listed
				want.Auth = &a
			}
			if reflect.DeepEqual(got, want) {
				ok = true
			}
			if ts.s.SPI == s.SPI {
				diff = fieldDiff(got, want)
			}
		}
		if !ok {
			t.Errorf("listed %s, not as ip added it: %s", s.String(), diff)
		}
	}

	before := ns.Run(t, "xfrm", "state")
	ctx := context.Background()
	if err := c.FlushStates(ctx, xfrm.ProtoAny); err != nil {
		t.Fatal(err)
	}
	if out := ns.Run(t, "xfrm", "state"); out != "" {
		t.Fatalf("after FlushStates, ip shows:\n%s", out)
	}
	for _, s := range slices.Backward(listed) {
		if err := c.AddState(ctx, &s); err != nil {
			t.Fatal(err)
		}
	}
	if after := ns.Run(t, "xfrm", "state"); after != before {
		t.Errorf("re-added from the listing, ip shows:\n%s\nwas:\n%s", after, before)
	}
}

// TestStateToIP: what AddState adds, ip shows as added; GetState,
// UpdateState, DeleteState, FlushStates and the filters of States do what
// ip then shows.
func TestStateToIP(t *testing.T) {
	ns := nstest.New(t)
	c := dial(t, ns)
	needStates(t, c)
	ctx := context.Background()
	for _, ts := range testStates {
		if err := c.AddState(ctx, &ts.s); err != nil {
			t.Fatal(err)
		}
	}
	listed := listStates(t, c, xfrm.StateFilter{})
	compareStates(t, ns, listed)
	for _, s := range listed {
		got, err := c.GetState(ctx, s.ID())
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(stateAsAdded(got), stateAsAdded(s)) {
			t.Errorf("GetState(%v) = %+v, listed %+v", s.ID(), got, s)
		}
	}
	if got := listStates(t, c, xfrm.StateFilter{Proto: xfrm.ProtoAH}); len(got) != 1 || got[0].Proto != xfrm.ProtoAH {
		t.Errorf("listing AH states: %v", got)
	}
	v6 := listStates(t, c, xfrm.StateFilter{Dst: netip.MustParsePrefix("2001:db8::/32")})
	if len(v6) != 1 || v6[0].Dst != b2 {
		t.Errorf("listing states to 2001:db8::/32: %v", v6)
	}

	up := testStates[0].s
	up.Lifetime.HardAddExpires = 3600
	if err := c.UpdateState(ctx, &up); err != nil {
		t.Fatal(err)
	}
	out := strings.Join(strings.Fields(ns.Run(t, "-s", "xfrm", "state", "get", "src", "198.18.0.1", "dst", "198.18.0.2", "proto", "esp", "spi", "0x100")), " ")
	if !strings.Contains(out, "expire add: soft 0(sec), hard 3600(sec)") {
		t.Errorf("after UpdateState, ip shows:\n%s", out)
	}

	if err := c.DeleteState(ctx, up.ID()); err != nil {
		t.Fatal(err)
	}
	err := c.DeleteState(ctx, up.ID())
	if !errors.Is(err, syscall.ESRCH) || !strings.Contains(err.Error(), "XFRM_MSG_DELSA state esp spi 0x100 198.18.0.1->198.18.0.2") {
		t.Errorf("deleting twice: %v", err)
	}
	if err := c.FlushStates(ctx, xfrm.ProtoESP); err != nil {
		t.Fatal(err)
	}
	left := listStates(t, c, xfrm.StateFilter{})
	for _, s := range left {
		if s.Proto == xfrm.ProtoESP {
			t.Errorf("ESP state %v left after flushing ESP", s.String())
		}
	}
	if len(left) != 2 {
		t.Errorf("%d states left after flushing ESP, want the AH and comp ones", len(left))
	}
}

// TestStateErrors: requests the kernel would refuse are refused before
// sending, naming the state; the kernel's refusals name it too.
func TestStateErrors(t *testing.T) {
	ns := nstest.New(t)
	c := dial(t, ns)
	ctx := context.Background()
	base := testStates[0].s
	for _, tt := range []struct {
		name   string
		modify func(s *xfrm.State)
		want   string
	}{
		{"short key", func(s *xfrm.State) { s.Crypt.Key = s.Crypt.Key[:15] }, "a 120-bit key, want 128, 192 or 256 bits"},
		{"no SPI", func(s *xfrm.State) { s.SPI = 0 }, "esp state without an SPI"},
		{"mixed families", func(s *xfrm.State) { s.Src = b1 }, "mismatched families"},
		{"truncation", func(s *xfrm.State) { s.Auth.TruncLen = 512 }, "longer than its 256-bit digest"},
		{"aead and crypt", func(s *xfrm.State) {
			s.AEAD = &xfrm.AEADAlgorithm{Name: "rfc4106(gcm(aes))", Key: make([]byte, 20), ICVLen: 128}
		}, "aead and another algorithm"},
		{"esn without replay state", func(s *xfrm.State) { s.Flags |= xfrm.StateESN }, "flag esn without"},
	} {
		s := base.Clone()
		tt.modify(&s)
		err := c.AddState(ctx, &s)
		var oe *netlink.OpError
		if !errors.Is(err, os.ErrInvalid) || !errors.As(err, &oe) || oe.Op != "check" || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want a check error saying %q", tt.name, err, tt.want)
		}
		if err != nil && !strings.Contains(err.Error(), "XFRM_MSG_NEWSA state esp spi") {
			t.Errorf("%s: %v does not name the request and the state", tt.name, err)
		}
	}
	_, err := c.GetState(ctx, xfrm.StateID{Dst: a2, Proto: xfrm.ProtoESP, SPI: 0x999})
	if !errors.Is(err, syscall.ESRCH) || !strings.Contains(err.Error(), "XFRM_MSG_GETSA state esp spi 0x999 any->198.18.0.2: no such process") {
		t.Errorf("GetState of a state that is not there: %v", err)
	}
}

// fieldDiff lists the fields in which the states differ.
func fieldDiff(a, b xfrm.State) string {
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	var d []string
	for i := range va.NumField() {
		if x, y := va.Field(i).Interface(), vb.Field(i).Interface(); !reflect.DeepEqual(x, y) {
			d = append(d, fmt.Sprintf("%s: %#v, want %#v", va.Type().Field(i).Name, x, y))
		}
	}
	return strings.Join(d, "; ")
}
