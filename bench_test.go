//go:build linux

package netlink

import (
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// benchRoutes is the number of messages in the decode benchmark's buffer.
const benchRoutes = 200

// buildRouteDump returns n RTM_NEWROUTE messages like those of a route dump:
// a struct rtmsg and six attributes each.
func buildRouteDump(n int) []byte {
	var b []byte
	var e AttrEncoder
	for i := range n {
		start := len(b)
		b = AppendHeader(b, Header{Type: unix.RTM_NEWROUTE, Flags: Multi, Sequence: 1, PortID: 4242})
		b = append(b, unix.AF_INET, 24, 0, 0, // rtm_family, rtm_dst_len, rtm_src_len, rtm_tos
			unix.RT_TABLE_MAIN, unix.RTPROT_BOOT, unix.RT_SCOPE_UNIVERSE, unix.RTN_UNICAST,
			0, 0, 0, 0) // rtm_flags
		e.Reset(b)
		e.Uint32(unix.RTA_TABLE, unix.RT_TABLE_MAIN)
		e.Addr(unix.RTA_DST, netip.AddrFrom4([4]byte{10, byte(i >> 8), byte(i), 0}))
		e.Addr(unix.RTA_GATEWAY, netip.AddrFrom4([4]byte{192, 0, 2, byte(i)}))
		e.Uint32(unix.RTA_OIF, uint32(i%7+1))
		e.Uint32(unix.RTA_PRIORITY, uint32(i))
		e.Addr(unix.RTA_PREFSRC, netip.AddrFrom4([4]byte{192, 0, 2, 1}))
		var err error
		if b, err = e.Finish(); err != nil {
			panic(err)
		}
		b = SetLength(b, start)
	}
	return b
}

// decodeRoutes walks every message of b and every attribute, reading each
// value with its typed getter, and returns a checksum of them all.
func decodeRoutes(b []byte) (sum uint64, msgs int, err error) {
	for m, err := range Messages(b) {
		if err != nil {
			return 0, 0, err
		}
		msgs++
		sum += uint64(m.Header.Type) + uint64(m.Data[0])
		for a, err := range m.Attrs(unix.SizeofRtMsg) {
			if err != nil {
				return 0, 0, err
			}
			switch a.Type {
			case unix.RTA_TABLE, unix.RTA_OIF, unix.RTA_PRIORITY:
				v, err := a.Uint32()
				if err != nil {
					return 0, 0, err
				}
				sum = sum*31 + uint64(v)
			case unix.RTA_DST, unix.RTA_GATEWAY, unix.RTA_PREFSRC:
				ip, err := a.Addr()
				if err != nil {
					return 0, 0, err
				}
				v := ip.As4()
				sum = sum*31 ^ uint64(binary.BigEndian.Uint32(v[:]))
			default:
				return 0, 0, fmt.Errorf("unexpected attribute %d", a.Type)
			}
		}
	}
	return sum, msgs, nil
}

var (
	benchDst = netip.MustParsePrefix("10.1.2.0/24")
	benchGw  = netip.MustParseAddr("192.0.2.1")
	benchSrc = netip.MustParseAddr("192.0.2.10")
)

// encodeRoute builds, into b[:0], an RTM_NEWROUTE request with five
// attributes and one nest of route metrics.
func encodeRoute(b []byte, e *AttrEncoder, seq uint32) ([]byte, error) {
	b = AppendHeader(b[:0], Header{Type: unix.RTM_NEWROUTE, Flags: Request | Acknowledge | Create | Excl, Sequence: seq})
	b = append(b, unix.AF_INET, uint8(benchDst.Bits()), 0, 0,
		unix.RT_TABLE_MAIN, unix.RTPROT_STATIC, unix.RT_SCOPE_UNIVERSE, unix.RTN_UNICAST,
		0, 0, 0, 0)
	e.Reset(b)
	e.Uint32(unix.RTA_TABLE, unix.RT_TABLE_MAIN)
	e.Addr(unix.RTA_DST, benchDst.Addr())
	e.Addr(unix.RTA_GATEWAY, benchGw)
	e.Uint32(unix.RTA_OIF, 2)
	n := e.Nest(unix.RTA_METRICS)
	e.Uint32(unix.RTAX_MTU, 1400)
	e.Uint32(unix.RTAX_HOPLIMIT, 64)
	e.End(n)
	e.Addr(unix.RTA_PREFSRC, benchSrc)
	b, err := e.Finish()
	if err != nil {
		return nil, err
	}
	return SetLength(b, 0), nil
}

var benchSink uint64

func BenchmarkDecode(b *testing.B) {
	buf := buildRouteDump(benchRoutes)
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		sum, n, err := decodeRoutes(buf)
		if err != nil || n != benchRoutes {
			b.Fatalf("decoded %d messages: %v", n, err)
		}
		benchSink ^= sum
	}
}

func BenchmarkEncode(b *testing.B) {
	var e AttrEncoder
	buf := make([]byte, 0, 256)
	out, err := encodeRoute(buf, &e, 0)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(out)))
	b.ReportAllocs()
	seq := uint32(0)
	for b.Loop() {
		seq++
		out, err = encodeRoute(out, &e, seq)
		if err != nil {
			b.Fatal(err)
		}
	}
	benchSink ^= uint64(out[8])
}

// TestCodecAllocs runs the benchmarks' code and fails if decoding or
// encoding into a reused buffer allocates.
func TestCodecAllocs(t *testing.T) {
	if testing.CoverMode() != "" {
		t.Skip("coverage instrumentation changes inlining")
	}
	buf := buildRouteDump(benchRoutes)
	want, n, err := decodeRoutes(buf)
	if err != nil || n != benchRoutes {
		t.Fatalf("decoded %d messages: %v", n, err)
	}
	allocs := testing.AllocsPerRun(50, func() {
		sum, _, err := decodeRoutes(buf)
		if err != nil || sum != want {
			t.Fatalf("decode: %#x, %v", sum, err)
		}
	})
	if allocs != 0 {
		t.Errorf("decoding %d messages allocates %v times", benchRoutes, allocs)
	}

	var e AttrEncoder
	out, err := encodeRoute(make([]byte, 0, 256), &e, 1)
	if err != nil {
		t.Fatal(err)
	}
	first := string(out)
	allocs = testing.AllocsPerRun(50, func() {
		out, err = encodeRoute(out, &e, 1)
		if err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("encoding into a reused buffer allocates %v times", allocs)
	}
	if string(out) != first {
		t.Errorf("re-encoding changed the message")
	}

	// The encoded message reads back.
	for m, err := range Messages(out) {
		if err != nil {
			t.Fatal(err)
		}
		count := 0
		for a, err := range m.Attrs(unix.SizeofRtMsg) {
			if err != nil {
				t.Fatal(err)
			}
			count++
			if a.Type == unix.RTA_METRICS {
				if !a.Nested {
					t.Error("RTA_METRICS without NLA_F_NESTED")
				}
				for c, err := range a.Attrs() {
					if err != nil {
						t.Fatal(err)
					}
					if v, err := c.Uint32(); err != nil || (c.Type == unix.RTAX_MTU && v != 1400) {
						t.Errorf("metric %d: %d, %v", c.Type, v, err)
					}
				}
			}
		}
		if count != 6 {
			t.Errorf("encoded %d attributes, want 6", count)
		}
	}
}

// The route dump benchmarks decode a captured dump of 100,015 routes
// (testdata/rtm_newroute_100k.bin.gz, made with internal/capture) to a
// prefix, an output interface and a table per route (RTA_TABLE, else
// rtm_table), five ways: by hand with encoding/binary (the baseline), with
// Messages and Message.AttrDecoder, with AttrDecoder alone (the messages
// walked by hand), with MessageDecoder and its AttrDecoder, and with the
// Messages and Attrs iterators.
//
// The namespace held 80,000 IPv4 /24 routes in the main table, four in five
// with a metric, and 20,000 IPv6 /64 routes in table 100 (the 15 others are
// the kernel's local and link routes):
//
//	ip netns add nlbench
//	ip -n nlbench link add v0 type veth peer name v1
//	ip -n nlbench link set v0 up
//	ip -n nlbench link set v1 up
//	ip -n nlbench addr add 10.0.0.1/24 dev v0
//	ip -n nlbench -6 addr add fd00::1/64 dev v0 nodad
//	python3 -c 'for i in range(80000): a = (20 << 24) + i * 256; print(f"route add {a >> 24}.{a >> 16 & 255}.{a >> 8 & 255}.0/24 via 10.0.0.2" + (f" metric {i % 5 * 10}" if i % 5 else ""))' |
//		ip -n nlbench -batch -
//	python3 -c 'for i in range(20000): print(f"route add fd00:1:{i >> 8:x}:{i & 255:x}::/64 via fd00::2 table 100")' |
//		ip -n nlbench -6 -batch -
//	go run ./internal/capture -netns nlbench -dump route -bufsize 32768 -gzip \
//		-out testdata -name rtm_newroute_100k.bin.gz
//	ip netns del nlbench
//
// The capture is the datagrams back to back; routeDatagrams splits it again
// at message boundaries into datagrams of at most 32 KiB, as the kernel packs
// a dump for a reader that offers a 32 KiB buffer, and each is decoded with
// one call, as a Conn would hand it over.

// routeDumpRoutes is the number of RTM_NEWROUTE messages in the capture.
const routeDumpRoutes = 100015

var routeDump struct {
	once  sync.Once
	dgram [][]byte
	size  int
	err   error
}

// routeDatagrams returns the captured route dump as datagrams of at most
// 32 KiB, and their total size.
func routeDatagrams(tb testing.TB) ([][]byte, int) {
	tb.Helper()
	requireLittleEndian(tb) // captured on x86-64
	d := &routeDump
	d.once.Do(func() {
		f, err := os.Open("testdata/rtm_newroute_100k.bin.gz")
		if err != nil {
			d.err = err
			return
		}
		defer f.Close()
		z, err := gzip.NewReader(f)
		if err != nil {
			d.err = err
			return
		}
		b, err := io.ReadAll(z)
		if err != nil {
			d.err = err
			return
		}
		d.size = len(b)
		for len(b) > 0 {
			// Take whole messages up to 32 KiB.
			n := 0
			for n < len(b) {
				l := Align(int(binary.NativeEndian.Uint32(b[n:])))
				if n > 0 && n+l > 32<<10 {
					break
				}
				n += l
			}
			n = min(n, len(b))
			d.dgram = append(d.dgram, b[:n:n])
			b = b[n:]
		}
	})
	if d.err != nil {
		tb.Fatal(d.err)
	}
	return d.dgram, d.size
}

// routeSum folds the decoded routes into a checksum, so that the three
// decoders can be compared and none of the work is optimised away.
type routeSum struct {
	sum    uint64
	routes int
}

func (s *routeSum) add(p netip.Prefix, oif, table uint32) {
	a := p.Addr().As16()
	s.sum = s.sum*31 + binary.NativeEndian.Uint64(a[:8]) ^ binary.NativeEndian.Uint64(a[8:]) +
		uint64(p.Bits())<<40 + uint64(oif)<<20 + uint64(table)
	s.routes++
}

// unspecified is the zero address of an rtm_family, the destination of a
// route without RTA_DST (a default route).
func unspecified(family uint8) netip.Addr {
	if family == unix.AF_INET6 {
		return netip.IPv6Unspecified()
	}
	return netip.IPv4Unspecified()
}

var errBadRoute = errors.New("malformed route message")

// routesByHand is the baseline: the decoding written out with
// encoding/binary, checking every length a safe decoder must check and
// nothing more.
func routesByHand(b []byte, s *routeSum) error {
	for len(b) > 0 {
		if len(b) < HeaderLen {
			return errBadRoute
		}
		n := int(binary.NativeEndian.Uint32(b))
		if n < HeaderLen || n > len(b) {
			return errBadRoute
		}
		typ := binary.NativeEndian.Uint16(b[4:])
		msg := b[HeaderLen:n]
		b = b[min(Align(n), len(b)):]
		if typ != unix.RTM_NEWROUTE {
			continue
		}
		if len(msg) < unix.SizeofRtMsg {
			return errBadRoute
		}
		family, bits, table := msg[0], int(msg[1]), uint32(msg[4])
		var dst netip.Addr
		var oif uint32
		a := msg[unix.SizeofRtMsg:]
		for len(a) > 0 {
			if len(a) < AttrHeaderLen {
				return errBadRoute
			}
			l := int(binary.NativeEndian.Uint16(a))
			if l < AttrHeaderLen || l > len(a) {
				return errBadRoute
			}
			v := a[AttrHeaderLen:l]
			switch binary.NativeEndian.Uint16(a[2:]) & AttrTypeMask {
			case unix.RTA_DST:
				switch len(v) {
				case 4:
					dst = netip.AddrFrom4([4]byte(v))
				case 16:
					dst = netip.AddrFrom16([16]byte(v))
				default:
					return errBadRoute
				}
			case unix.RTA_OIF:
				if len(v) != 4 {
					return errBadRoute
				}
				oif = binary.NativeEndian.Uint32(v)
			case unix.RTA_TABLE:
				if len(v) != 4 {
					return errBadRoute
				}
				table = binary.NativeEndian.Uint32(v)
			}
			a = a[min(Align(l), len(a)):]
		}
		if !dst.IsValid() {
			dst = unspecified(family)
		}
		s.add(netip.PrefixFrom(dst, bits), oif, table)
	}
	return nil
}

// routesByIterators decodes with Messages and Message.Attrs.
func routesByIterators(b []byte, s *routeSum) error {
	for m, err := range Messages(b) {
		if err != nil {
			return err
		}
		if m.Header.Type != unix.RTM_NEWROUTE {
			continue
		}
		if len(m.Data) < unix.SizeofRtMsg {
			return errBadRoute
		}
		family, bits, table := m.Data[0], int(m.Data[1]), uint32(m.Data[4])
		var dst netip.Addr
		var oif uint32
		for a, err := range m.Attrs(unix.SizeofRtMsg) {
			if err != nil {
				return err
			}
			switch a.Type {
			case unix.RTA_DST:
				if dst, err = a.Addr(); err != nil {
					return err
				}
			case unix.RTA_OIF:
				if oif, err = a.Uint32(); err != nil {
					return err
				}
			case unix.RTA_TABLE:
				if table, err = a.Uint32(); err != nil {
					return err
				}
			}
		}
		if !dst.IsValid() {
			dst = unspecified(family)
		}
		s.add(netip.PrefixFrom(dst, bits), oif, table)
	}
	return nil
}

// routesByDecoder decodes with Messages and Message.AttrDecoder.
func routesByDecoder(b []byte, s *routeSum) error {
	for m, err := range Messages(b) {
		if err != nil {
			return err
		}
		if m.Header.Type != unix.RTM_NEWROUTE {
			continue
		}
		if len(m.Data) < unix.SizeofRtMsg {
			return errBadRoute
		}
		family, bits, table := m.Data[0], int(m.Data[1]), uint32(m.Data[4])
		d := m.AttrDecoder(unix.SizeofRtMsg)
		var dst netip.Addr
		var oif uint32
		for d.Next() {
			switch d.Type() {
			case unix.RTA_DST:
				dst = d.Addr()
			case unix.RTA_OIF:
				oif = d.Uint32()
			case unix.RTA_TABLE:
				table = d.Uint32()
			}
		}
		if err := d.Err(); err != nil {
			return err
		}
		if !dst.IsValid() {
			dst = unspecified(family)
		}
		s.add(netip.PrefixFrom(dst, bits), oif, table)
	}
	return nil
}

// routesByDecoderOnly walks the messages by hand, as routesByHand does, and
// decodes the attributes with AttrDecoder: the attribute decoder alone
// against the hand-written attribute walk, without the Messages iterator's
// call per message. (The loops are written out in each decoder rather than
// shared: a call per route would weigh on the ratios.)
func routesByDecoderOnly(b []byte, s *routeSum) error {
	for len(b) > 0 {
		if len(b) < HeaderLen {
			return errBadRoute
		}
		n := int(binary.NativeEndian.Uint32(b))
		if n < HeaderLen || n > len(b) {
			return errBadRoute
		}
		typ := binary.NativeEndian.Uint16(b[4:])
		msg := b[HeaderLen:n]
		b = b[min(Align(n), len(b)):]
		if typ != unix.RTM_NEWROUTE {
			continue
		}
		if len(msg) < unix.SizeofRtMsg {
			return errBadRoute
		}
		family, bits, table := msg[0], int(msg[1]), uint32(msg[4])
		d := NewAttrDecoder(msg[unix.SizeofRtMsg:])
		var dst netip.Addr
		var oif uint32
		for d.Next() {
			switch d.Type() {
			case unix.RTA_DST:
				dst = d.Addr()
			case unix.RTA_OIF:
				oif = d.Uint32()
			case unix.RTA_TABLE:
				table = d.Uint32()
			}
		}
		if err := d.Err(); err != nil {
			return err
		}
		if !dst.IsValid() {
			dst = unspecified(family)
		}
		s.add(netip.PrefixFrom(dst, bits), oif, table)
	}
	return nil
}

// routesByMessageDecoder decodes with MessageDecoder and its AttrDecoder:
// no closures, and no call per message or attribute but Addr's.
func routesByMessageDecoder(b []byte, s *routeSum) error {
	md := NewMessageDecoder(b)
	for md.Next() {
		if md.Type() != unix.RTM_NEWROUTE {
			continue
		}
		msg := md.Data()
		if len(msg) < unix.SizeofRtMsg {
			return errBadRoute
		}
		family, bits, table := msg[0], int(msg[1]), uint32(msg[4])
		d := md.AttrDecoder(unix.SizeofRtMsg)
		var dst netip.Addr
		var oif uint32
		for d.Next() {
			switch d.Type() {
			case unix.RTA_DST:
				dst = d.Addr()
			case unix.RTA_OIF:
				oif = d.Uint32()
			case unix.RTA_TABLE:
				table = d.Uint32()
			}
		}
		if err := d.Err(); err != nil {
			return err
		}
		if !dst.IsValid() {
			dst = unspecified(family)
		}
		s.add(netip.PrefixFrom(dst, bits), oif, table)
	}
	return md.Err()
}

// routeDecoders are the ways the route dump benchmarks decode.
var routeDecoders = []struct {
	name   string
	decode func([]byte, *routeSum) error
}{
	{"ByHand", routesByHand},
	{"Decoder", routesByDecoder},
	{"DecoderOnly", routesByDecoderOnly},
	{"DecoderMD", routesByMessageDecoder},
	{"Iterators", routesByIterators},
}

func BenchmarkRouteDump(b *testing.B) {
	dgrams, size := routeDatagrams(b)
	for _, dec := range routeDecoders {
		b.Run(dec.name, func(b *testing.B) {
			b.SetBytes(int64(size))
			b.ReportAllocs()
			s := new(routeSum) // allocated once: decode is called indirectly
			for b.Loop() {
				*s = routeSum{}
				for _, d := range dgrams {
					if err := dec.decode(d, s); err != nil {
						b.Fatal(err)
					}
				}
				if s.routes != routeDumpRoutes {
					b.Fatalf("decoded %d routes, want %d", s.routes, routeDumpRoutes)
				}
				benchSink ^= s.sum
			}
		})
	}
}

// TestRouteDumpDecoders checks that the benchmarks' decoders agree on the
// captured dump and allocate nothing.
func TestRouteDumpDecoders(t *testing.T) {
	dgrams, _ := routeDatagrams(t)
	if len(dgrams) < 200 {
		t.Fatalf("%d datagrams", len(dgrams))
	}
	var want routeSum
	s := new(routeSum)
	for i, dec := range routeDecoders {
		run := func() routeSum {
			*s = routeSum{}
			for _, d := range dgrams {
				if err := dec.decode(d, s); err != nil {
					t.Fatalf("%s: %v", dec.name, err)
				}
			}
			return *s
		}
		s := run()
		if i == 0 {
			want = s
		}
		if s != want || s.routes != routeDumpRoutes {
			t.Errorf("%s: %+v, want %+v with %d routes", dec.name, s, want, routeDumpRoutes)
		}
		if testing.CoverMode() == "" {
			if allocs := testing.AllocsPerRun(2, func() { run() }); allocs != 0 {
				t.Errorf("%s allocates %v times", dec.name, allocs)
			}
		}
	}
}

// BenchmarkRouteDumpRatio runs the route dump decoders in turn, many times,
// and reports each one's best time as a multiple of routesByHand's best.
// Interleaved runs and best times keep the ratios steady on a busy machine,
// where the plain benchmarks' times wander by a third:
//
//	go test -run '^$' -bench RouteDumpRatio -benchtime 200x .
func BenchmarkRouteDumpRatio(b *testing.B) {
	dgrams, _ := routeDatagrams(b)
	best := make([]time.Duration, len(routeDecoders))
	s := new(routeSum)
	for b.Loop() {
		for i, dec := range routeDecoders {
			start := time.Now()
			for _, d := range dgrams {
				if err := dec.decode(d, s); err != nil {
					b.Fatal(err)
				}
			}
			if t := time.Since(start); best[i] == 0 || t < best[i] {
				best[i] = t
			}
		}
	}
	for i, dec := range routeDecoders[1:] {
		b.ReportMetric(float64(best[i+1])/float64(best[0]), dec.name+"/ByHand")
	}
	b.ReportMetric(float64(best[0].Microseconds()), "ByHand-µs")
}
