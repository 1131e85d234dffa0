package xfrm

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"net/netip"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/nlkit/netlink"
)

// ipRequests reads testdata/ip-requests.txt: the payloads (after the
// netlink header) of the requests ip xfrm sent, captured with strace -xx
// on amd64 (iproute2 6.1), one "name hex" a line.
func ipRequests(t *testing.T) map[string][]byte {
	t.Helper()
	f, err := os.Open("testdata/ip-requests.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m := make(map[string][]byte)
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		name, h, _ := strings.Cut(sc.Text(), " ")
		b, err := hex.DecodeString(h)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		m[name] = b
	}
	return m
}

// splitRequest splits a request's payload into its fixed header and its
// attributes, sorted by type (ip and this package order them differently;
// the kernel does not care).
func splitRequest(t *testing.T, b []byte, fixed int) ([]byte, [][]byte) {
	t.Helper()
	var attrs [][]byte
	for a, err := range netlink.Attrs(b[fixed:]) {
		if err != nil {
			t.Fatal(err)
		}
		attrs = append(attrs, a.Append(nil))
	}
	slices.SortStableFunc(attrs, func(x, y []byte) int { return int(x[2]) - int(y[2]) })
	return b[:fixed], attrs
}

func compareRequest(t *testing.T, name string, got, want []byte, fixed int) {
	t.Helper()
	gf, ga := splitRequest(t, got, fixed)
	wf, wa := splitRequest(t, want, fixed)
	if !bytes.Equal(gf, wf) {
		t.Errorf("%s: fixed header\n got %x\nwant %x", name, gf, wf)
	}
	if len(ga) != len(wa) {
		t.Errorf("%s: %d attributes, ip sent %d", name, len(ga), len(wa))
	}
	for i := range min(len(ga), len(wa)) {
		if !bytes.Equal(ga[i], wa[i]) {
			t.Errorf("%s: attribute %d\n got %x\nwant %x", name, i, ga[i], wa[i])
		}
	}
}

var (
	key16 = mustHex("00112233445566778899aabbccddeeff")
	key32 = mustHex("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff")
	key20 = mustHex("0011223344556677889900112233445566778899")
	v4a   = netip.MustParseAddr("198.18.0.1")
	v4b   = netip.MustParseAddr("198.18.0.2")
	v6a   = netip.MustParseAddr("2001:db8::1")
	v6b   = netip.MustParseAddr("2001:db8::2")
)

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// ipStates are the states whose XFRM_MSG_NEWSA ip sent for the commands
// in testdata/ip-requests.txt (see the test for the commands).
var ipStates = map[string]State{
	// ip xfrm state add src 198.18.0.1 dst 198.18.0.2 proto esp spi 0x100 reqid 7 mode tunnel
	//   enc 'cbc(aes)' KEY16 auth-trunc 'hmac(sha256)' KEY32 128
	"esp-cbc-hmac": {Src: v4a, Dst: v4b, Proto: ProtoESP, SPI: 0x100, ReqID: 7, Mode: ModeTunnel,
		Lifetime: NoLimits(),
		Crypt:    &Algorithm{Name: "cbc(aes)", Key: key16},
		Auth:     &AuthAlgorithm{Name: "hmac(sha256)", Key: key32, TruncLen: 128}},
	// ip xfrm state add src 2001:db8::1 dst 2001:db8::2 proto esp spi 0x200 mode transport
	//   aead 'rfc4106(gcm(aes))' KEY16+SALT 128 sel src 2001:db8::1/128 dst 2001:db8::2/128 proto tcp dport 443
	"esp-aead-v6": {Src: v6a, Dst: v6b, Proto: ProtoESP, SPI: 0x200,
		Lifetime: NoLimits(),
		Selector: Selector{Src: netip.PrefixFrom(v6a, 128), Dst: netip.PrefixFrom(v6b, 128), Proto: 6, DstPort: 443, DstPortMask: 0xffff},
		AEAD:     &AEADAlgorithm{Name: "rfc4106(gcm(aes))", Key: mustHex("00112233445566778899aabbccddeeff01020304"), ICVLen: 128}},
	// ip xfrm state add ... proto esp spi 0x300 mode tunnel enc 'cbc(aes)' KEY16 auth 'hmac(sha1)' KEY20
	//   encap espinudp 4500 4500 0.0.0.0 mark 7 mask 0xff output-mark 9 mask 0xf if_id 42 replay-window 32 flag noecn
	"esp-encap-mark": {Src: v4a, Dst: v4b, Proto: ProtoESP, SPI: 0x300, Mode: ModeTunnel,
		Lifetime: NoLimits(), ReplayWindow: 32, Flags: StateNoECN,
		Crypt: &Algorithm{Name: "cbc(aes)", Key: key16},
		Auth:  &AuthAlgorithm{Name: "hmac(sha1)", Key: key20},
		Encap: &Encap{Type: EncapESPInUDP, SrcPort: 4500, DstPort: 4500, OrigAddr: netip.IPv4Unspecified()},
		Mark:  &Mark{7, 0xff}, SetMark: &Mark{9, 0xf}, IfID: 42},
	// ip xfrm state add ... proto esp spi 0x400 enc 'cbc(aes)' KEY16 auth 'hmac(sha256)' KEY32 replay-window 128 flag esn
	"esp-esn": {Src: v4a, Dst: v4b, Proto: ProtoESP, SPI: 0x400, Lifetime: NoLimits(), Flags: StateESN,
		Crypt:     &Algorithm{Name: "cbc(aes)", Key: key16},
		Auth:      &AuthAlgorithm{Name: "hmac(sha256)", Key: key32},
		ReplayESN: &ReplayESN{ReplayWindow: 128}},
	// ip xfrm state add src 198.18.0.1 dst 198.18.0.2 proto comp spi 0x500 comp deflate
	"comp": {Src: v4a, Dst: v4b, Proto: ProtoComp, SPI: 0x500, Lifetime: NoLimits(),
		Comp: &Algorithm{Name: "deflate"}},
	// ip xfrm state add ... proto ah spi 0x600 auth 'hmac(sha256)' KEY32
	//   limit time-soft 100 limit time-hard 200 limit byte-soft 1000 limit packet-hard 50
	"ah-lifetime": {Src: v4a, Dst: v4b, Proto: ProtoAH, SPI: 0x600,
		Lifetime: LifetimeConfig{SoftByteLimit: 1000, HardByteLimit: Inf, SoftPacketLimit: Inf, HardPacketLimit: 50,
			SoftAddExpires: 100, HardAddExpires: 200},
		Auth: &AuthAlgorithm{Name: "hmac(sha256)", Key: key32}},
}

var ipPolicies = map[string]Policy{
	// ip xfrm policy add src 198.18.0.0/24 dst 198.18.1.0/24 dir out priority 10
	//   tmpl src 198.18.0.1 dst 198.18.0.2 proto esp reqid 5 mode tunnel
	"policy-v4": {Selector: Selector{Src: netip.MustParsePrefix("198.18.0.0/24"), Dst: netip.MustParsePrefix("198.18.1.0/24")},
		Dir: DirOut, Priority: 10, Lifetime: NoLimits(),
		Templates: []Template{{Src: v4a, Dst: v4b, Proto: ProtoESP, ReqID: 5, Mode: ModeTunnel,
			AuthAlgos: AllAlgorithms, CryptAlgos: AllAlgorithms, CompAlgos: AllAlgorithms}}},
	// ip xfrm policy add src 2001:db8:1::/64 dst 2001:db8:2::/64 proto udp sport 500 dir in ptype sub
	//   action block priority 3 mark 5 mask 0xf if_id 9 flag localok
	//   tmpl src 198.18.0.1 dst 198.18.0.2 proto esp mode tunnel level use tmpl proto comp mode transport
	"policy-v6-sub": {Selector: Selector{Src: netip.MustParsePrefix("2001:db8:1::/64"), Dst: netip.MustParsePrefix("2001:db8:2::/64"),
		Proto: 17, SrcPort: 500, SrcPortMask: 0xffff},
		Dir: DirIn, Type: PolicySub, Action: ActionBlock, Priority: 3, Mark: &Mark{5, 0xf}, IfID: 9, Flags: PolicyLocalOK,
		Lifetime: NoLimits(),
		Templates: []Template{
			{Src: v4a, Dst: v4b, Proto: ProtoESP, Mode: ModeTunnel, Optional: true,
				AuthAlgos: AllAlgorithms, CryptAlgos: AllAlgorithms, CompAlgos: AllAlgorithms},
			{Family: AFInet, Proto: ProtoComp, Mode: ModeTransport,
				AuthAlgos: AllAlgorithms, CryptAlgos: AllAlgorithms, CompAlgos: AllAlgorithms},
		}},
}

// TestIPRequests compares the requests this package makes with those ip
// xfrm made for the same objects: the fixed structures byte for byte
// (offsets, padding, byte order), the attributes as a set.
func TestIPRequests(t *testing.T) {
	if usersaInfoLen != 224 {
		t.Skip("the captures are of amd64's layout")
	}
	ip := ipRequests(t)
	for name, s := range ipStates {
		p := s.prepared()
		if err := p.check(); err != nil {
			t.Errorf("%s: check: %v", name, err)
		}
		b, err := p.appendAttrs(p.appendInfo(nil))
		if err != nil {
			t.Fatal(err)
		}
		compareRequest(t, name, b, ip[name], usersaInfoLen)
	}
	for name, pol := range ipPolicies {
		p := pol.prepared()
		if err := p.check(); err != nil {
			t.Errorf("%s: check: %v", name, err)
		}
		b, err := p.appendAttrs(p.appendInfo(nil))
		if err != nil {
			t.Fatal(err)
		}
		compareRequest(t, name, b, ip[name], userpolicyLen)
	}
	ids := map[string]StateID{
		// ip xfrm state get src 198.18.0.1 dst 198.18.0.2 proto esp spi 0x100
		"state-get": {Src: v4a, Dst: v4b, Proto: ProtoESP, SPI: 0x100},
		// ip xfrm state delete src 198.18.0.1 dst 198.18.0.2 proto esp spi 0x100 mark 7 mask 0xff
		"state-del": {Src: v4a, Dst: v4b, Proto: ProtoESP, SPI: 0x100, Mark: &Mark{7, 0xff}},
	}
	for name, id := range ids {
		compareRequest(t, name, id.append(nil), ip[name], usersaIDLen)
	}
	pids := map[string]PolicyID{
		// ip xfrm policy delete src 198.18.0.0/24 dst 198.18.1.0/24 dir out
		"policy-del": {Dir: DirOut, Selector: Selector{Src: netip.MustParsePrefix("198.18.0.0/24"), Dst: netip.MustParsePrefix("198.18.1.0/24")}},
		// ip xfrm policy delete index 8 dir fwd (ip sets the selector's family to its default, inet)
		"policy-del-index": {Dir: DirFwd, Index: 8, Selector: Selector{Family: AFInet}},
		// ip xfrm policy get src 2001:db8:1::/64 dst 2001:db8:2::/64 dir in ptype sub mark 5 mask 0xf
		"policy-get-sub": {Dir: DirIn, Type: PolicySub, Mark: &Mark{5, 0xf},
			Selector: Selector{Src: netip.MustParsePrefix("2001:db8:1::/64"), Dst: netip.MustParsePrefix("2001:db8:2::/64")}},
	}
	for name, id := range pids {
		b, err := id.append(nil)
		if err != nil {
			t.Fatal(err)
		}
		compareRequest(t, name, b, ip[name], userpolicyIDLen)
	}
}
