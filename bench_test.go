//go:build linux

package netlink

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"testing"

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
