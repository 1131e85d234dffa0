package sockdiagtest_test

import (
	"context"
	"errors"
	"net/netip"
	"slices"
	"syscall"
	"testing"

	"github.com/nlkit/netlink/sockdiag"
	"github.com/nlkit/netlink/sockdiag/sockdiagtest"
)

func dial(t *testing.T, k *sockdiagtest.Kernel) *sockdiag.Conn {
	t.Helper()
	c, err := k.Dial(nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func ap(s string) netip.AddrPort { return netip.MustParseAddrPort(s) }

// TestAttributes lists a socket with every extension and checks that
// sockdiag decodes what was added.
func TestAttributes(t *testing.T) {
	k := sockdiagtest.New()
	added := k.AddInet(sockdiagtest.InetSocket{
		Protocol: sockdiag.ProtoTCP, Family: sockdiag.IPv6, State: sockdiag.StateEstablished,
		Src: ap("[2001:db8::1]:443"), Dst: ap("[2001:db8::2]:40000"), Interface: 3, UID: 1000,
		Mark: 0x15, CgroupID: 77, ClassID: 9, TOS: 0x20, TClass: 0x40, Shutdown: 1,
		MemInfo:   sockdiag.MemInfo{RMem: 1, WMem: 2, FMem: 3, TMem: 4},
		SkMemInfo: sockdiag.SkMemInfo{RcvBuf: 131072, Drops: 5},
		TCPInfo:   &sockdiag.TCPInfo{State: 1, RTT: 1500, SndCwnd: 10, SndWScale: 7, RcvWScale: 9, BytesAcked: 1 << 40, TotalRTOTime: 3},
		Cong:      "bbr", ULP: "tls", CCInfo: make([]byte, 20), CCInfoAttr: sockdiag.AttrBBRInfo,
	})
	if added.Cookie == 0 || added.Inode == 0 {
		t.Fatalf("added without cookie or inode: %+v", added)
	}
	c := dial(t, k)
	var got []sockdiag.InetSocket
	for s, err := range c.InetSockets(context.Background(), sockdiag.InetRequest{Family: sockdiag.IPv6, Protocol: sockdiag.ProtoTCP, Extensions: sockdiag.AllExtensions}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, s.Clone())
	}
	if len(got) != 1 {
		t.Fatalf("listed %d sockets", len(got))
	}
	s := got[0]
	if s.ID.Src != added.Src || s.ID.Dst != added.Dst || s.ID.Cookie != added.Cookie || s.ID.Interface != 3 || s.Inode != added.Inode || s.UID != 1000 {
		t.Errorf("header: %+v", s)
	}
	if s.Mark != 0x15 || s.CgroupID != 77 || s.ClassID != 9 || s.TOS != 0x20 || s.TClass != 0x40 || s.Shutdown != 1 || s.CongName() != "bbr" || string(s.ULP) != "tls" {
		t.Errorf("attributes: %+v", s)
	}
	if s.MemInfo != added.MemInfo || s.SkMemInfo.RcvBuf != 131072 || s.SkMemInfo.Drops != 5 || s.SkMemInfo.N != 9 {
		t.Errorf("memory: %+v %+v", s.MemInfo, s.SkMemInfo)
	}
	ti := s.TCPInfo
	if ti.RTT != 1500 || ti.SndCwnd != 10 || ti.SndWScale != 7 || ti.RcvWScale != 9 || ti.BytesAcked != 1<<40 || ti.TotalRTOTime != 3 || ti.Len != 248 {
		t.Errorf("tcp_info: %+v", ti)
	}
	if _, ok := s.BBR(); !ok {
		t.Error("no BBR info")
	}

	// Without CAP_NET_ADMIN: no mark, no ULP, no mark filters, no destroy.
	k.SetNetAdmin(false)
	for s, err := range c.InetSockets(context.Background(), sockdiag.InetRequest{Family: sockdiag.IPv6, Protocol: sockdiag.ProtoTCP, Extensions: sockdiag.AllExtensions}) {
		if err != nil {
			t.Fatal(err)
		}
		if s.Has(sockdiag.AttrMark) || s.ULP != nil {
			t.Errorf("unprivileged: mark %v, ULP %q", s.Has(sockdiag.AttrMark), s.ULP)
		}
	}
	f := sockdiag.MustCompile("fwmark = 0x15")
	for _, err := range c.InetSockets(context.Background(), sockdiag.InetRequest{Family: sockdiag.IPv6, Protocol: sockdiag.ProtoTCP, Filter: f}) {
		if !errors.Is(err, syscall.EPERM) {
			t.Errorf("mark filter unprivileged: %v, want EPERM", err)
		}
	}
	if err := c.Destroy(context.Background(), sockdiag.ProtoTCP, &got[0]); !errors.Is(err, syscall.EPERM) {
		t.Errorf("destroy unprivileged: %v, want EPERM", err)
	}
}

// TestGetAndDestroy finds sockets one by one and destroys them.
func TestGetAndDestroy(t *testing.T) {
	k := sockdiagtest.New()
	conn := k.AddInet(sockdiagtest.InetSocket{Protocol: sockdiag.ProtoTCP, Family: sockdiag.IPv4, State: sockdiag.StateEstablished,
		Src: ap("198.18.0.2:40000"), Dst: ap("198.18.0.1:443"), Autobound: true})
	lis := k.AddInet(sockdiagtest.InetSocket{Protocol: sockdiag.ProtoTCP, Family: sockdiag.IPv4, State: sockdiag.StateListen,
		Src: ap("0.0.0.0:443"), Dst: ap("0.0.0.0:0")})
	udp := k.AddInet(sockdiagtest.InetSocket{Protocol: sockdiag.ProtoUDP, Family: sockdiag.IPv4, State: sockdiag.StateEstablished,
		Src: ap("198.18.0.1:53"), Dst: ap("198.18.0.9:5353")})
	mptcp := k.AddInet(sockdiagtest.InetSocket{Protocol: sockdiag.ProtoMPTCP, Family: sockdiag.IPv4, State: sockdiag.StateEstablished,
		Src: ap("198.18.0.1:80"), Dst: ap("198.18.0.9:5000"), Token: 0xabcd})
	c := dial(t, k)
	ctx := context.Background()
	get := func(p int, id sockdiag.SockID) (uint64, error) {
		s, err := c.InetSocket(ctx, sockdiag.InetRequest{Family: sockdiag.IPv4, Protocol: p, ID: id})
		return s.ID.Cookie, err
	}
	if ck, err := get(sockdiag.ProtoTCP, sockdiag.SockID{Src: conn.Src, Dst: conn.Dst}); err != nil || ck != conn.Cookie {
		t.Errorf("get connection: %#x %v", ck, err)
	}
	if ck, err := get(sockdiag.ProtoTCP, sockdiag.SockID{Src: ap("198.18.0.1:443"), Dst: ap("198.18.0.7:1")}); err != nil || ck != lis.Cookie {
		t.Errorf("get listener: %#x %v", ck, err)
	}
	if _, err := get(sockdiag.ProtoTCP, sockdiag.SockID{Src: conn.Src, Dst: conn.Dst, Cookie: 1}); !errors.Is(err, syscall.ENOENT) {
		t.Errorf("get with another cookie: %v", err)
	}
	if ck, err := get(sockdiag.ProtoUDP, sockdiag.SockID{Src: udp.Dst, Dst: udp.Src}); err != nil || ck != udp.Cookie {
		t.Errorf("get UDP, swapped: %#x %v", ck, err)
	}
	if _, err := get(sockdiag.ProtoUDP, sockdiag.SockID{Src: udp.Dst, Dst: udp.Src, Cookie: 1}); !errors.Is(err, syscall.ESTALE) {
		t.Errorf("get UDP with another cookie: %v", err)
	}
	if ck, err := get(sockdiag.ProtoMPTCP, sockdiag.SockID{Cookie: 0xabcd}); err != nil || ck != mptcp.Cookie {
		t.Errorf("get MPTCP: %#x %v", ck, err)
	}
	if _, err := get(99, sockdiag.SockID{}); !errors.Is(err, syscall.ENOENT) {
		t.Errorf("get of protocol 99: %v", err)
	}

	destroy := func(p int, s sockdiagtest.InetSocket) error {
		return c.Destroy(ctx, p, &sockdiag.InetSocket{Family: s.Family, ID: sockdiag.SockID{Src: s.Src, Dst: s.Dst, Cookie: s.Cookie}})
	}
	for _, d := range []struct {
		p    int
		s    sockdiagtest.InetSocket
		want []error
	}{
		{sockdiag.ProtoTCP, conn, []error{nil, syscall.ENOENT}},
		{sockdiag.ProtoTCP, lis, []error{nil, syscall.ENOENT}},
		{sockdiag.ProtoUDP, udp, []error{nil, nil}}, // still bound, now to any peer
		{sockdiag.ProtoMPTCP, mptcp, []error{syscall.EOPNOTSUPP}},
	} {
		for _, want := range d.want {
			if err := destroy(d.p, d.s); want == nil && err != nil || want != nil && !errors.Is(err, want) {
				t.Errorf("destroy %v: %v, want %v", d.s.Src, err, want)
			}
		}
	}
	var left []string
	for _, s := range k.InetSockets() {
		left = append(left, s.Src.String()+" "+s.Dst.String()+" "+s.State.String())
	}
	want := []string{"0.0.0.0:443 0.0.0.0:0 closed", "198.18.0.1:53 0.0.0.0:0 closed", "198.18.0.1:80 198.18.0.9:5000 established"}
	if !slices.Equal(left, want) {
		t.Errorf("left %q, want %q", left, want)
	}
	// The closed listener is listed as bound-inactive only.
	n := 0
	for _, err := range c.InetSockets(ctx, sockdiag.InetRequest{Family: sockdiag.IPv4, Protocol: sockdiag.ProtoTCP, States: sockdiag.StatesOf(sockdiag.StateClose)}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 0 {
		t.Errorf("%d closed TCP sockets listed without bound-inactive", n)
	}
	if !k.RemoveInet(lis.Cookie) || k.RemoveInet(lis.Cookie) {
		t.Error("RemoveInet")
	}
}

// TestUnix lists and gets unix sockets.
func TestUnix(t *testing.T) {
	k := sockdiagtest.New()
	l := k.AddUnix(sockdiagtest.UnixSocket{Type: sockdiag.UnixStream, State: sockdiag.StateListen, Name: "/run/app.sock",
		VFSInode: 5, VFSDev: 6, Pending: []uint32{77, 78}, WQueue: 128, UID: 1000})
	k.AddUnix(sockdiagtest.UnixSocket{Type: sockdiag.UnixDgram, State: sockdiag.StateClose, Name: "\x00abstract"})
	c := dial(t, k)
	var got []sockdiag.UnixSocket
	for s, err := range c.UnixSockets(context.Background(), sockdiag.UnixRequest{Show: sockdiag.UnixShowAll}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, s.Clone())
	}
	if len(got) != 2 {
		t.Fatalf("listed %d", len(got))
	}
	s := got[0]
	if string(s.Name) != "/run/app.sock" || s.VFSInode != 5 || s.RQueue != 2 || s.WQueue != 128 || s.UID != 1000 ||
		!slices.Equal(s.IconsInodes(nil), []uint32{77, 78}) || s.Inode != l.Inode || s.Cookie != l.Cookie {
		t.Errorf("listener: %+v", s)
	}
	if string(got[1].Name) != "\x00abstract" || got[1].HasPeer() {
		t.Errorf("datagram: %+v", got[1])
	}
	n := 0
	for _, err := range c.UnixSockets(context.Background(), sockdiag.UnixRequest{States: sockdiag.StatesOf(sockdiag.StateListen)}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 1 {
		t.Errorf("%d listeners", n)
	}
}

// TestBadRequests checks the errnos of requests the kernel refuses.
func TestBadRequests(t *testing.T) {
	k := sockdiagtest.New()
	c := dial(t, k)
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		bc   []byte
		want error
	}{
		{"short", []byte{1, 2, 3}, syscall.EINVAL},
		{"unknown op", []byte{99, 4, 8, 0}, syscall.EINVAL},
		{"jump into an op", []byte{1, 4, 6, 0}, syscall.EINVAL},
		{"accept all", []byte{0, 4, 0, 0}, nil},
	} {
		for _, err := range c.InetSockets(ctx, sockdiag.InetRequest{Family: sockdiag.IPv4, Protocol: sockdiag.ProtoTCP, Filter: &sockdiag.Filter{Bytecode: tc.bc}}) {
			if tc.want == nil || !errors.Is(err, tc.want) {
				t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
			}
		}
	}
	for _, err := range c.InetSockets(ctx, sockdiag.InetRequest{Family: sockdiag.IPv4, Protocol: 99}) {
		if !errors.Is(err, syscall.ENOENT) {
			t.Errorf("protocol 99: %v", err)
		}
	}
}
