package main

// The workloads without a kernel: (1) decode a captured route dump, (2)
// encode a message.

import (
	"compress/gzip"
	"encoding/binary"
	"hash/fnv"
	"io"
	"log"
	"net/netip"
	"os"

	jsrt "github.com/jsimonetti/rtnetlink/v2"
	mdnl "github.com/mdlayher/netlink"
	nl "github.com/nlkit/netlink"
	"golang.org/x/sys/unix"
)

// decAcc folds every route of the capture into an order-free checksum of
// its destination prefix, output link and table, the values every
// implementation builds (see routePrefix).
type decAcc struct {
	count int
	sum   uint64
}

func (a *decAcc) add(dst netip.Prefix, oif, table uint32) {
	v := dst.Addr().As16()
	a.count++
	a.sum += binary.BigEndian.Uint64(v[:8]) ^ binary.BigEndian.Uint64(v[8:]) + uint64(dst.Bits())<<40 + uint64(oif)<<20 + uint64(table)
}

// routeDecoders are the implementations of (1), by name: each decodes one
// datagram of the capture into acc.
var routeDecoders = map[string]func(acc *decAcc, d []byte){}

// captureDatagrams reads the capture and cuts it into datagrams of at most
// 32 KiB at message boundaries, as the kernel sent them.
func captureDatagrams() [][]byte {
	f, err := os.Open(*data)
	must(err)
	z, err := gzip.NewReader(f)
	must(err)
	b, err := io.ReadAll(z)
	must(err)
	var out [][]byte
	for len(b) > 0 {
		n := 0
		for n < len(b) {
			l := (int(binary.NativeEndian.Uint32(b[n:])) + 3) &^ 3
			if n > 0 && n+l > 32<<10 {
				break
			}
			n += l
		}
		n = min(n, len(b))
		out = append(out, b[:n:n])
		b = b[n:]
	}
	return out
}

func init() {
	// A measurement decodes the capture decodePasses times (ops), so that
	// it lasts tens of milliseconds rather than a few: one pass is too
	// short for the process's CPU time to be read steadily.
	const decodePasses = 20
	decode := func(f func(acc *decAcc, d []byte)) func() {
		return func() {
			dgrams := captureDatagrams()
			repeat(decodePasses, func() (int, uint64) {
				var acc decAcc
				for range decodePasses {
					acc = decAcc{}
					for _, d := range dgrams {
						f(&acc, d)
					}
				}
				return acc.count, acc.sum
			})
		}
	}
	registerDecoder := func(name string, f func(acc *decAcc, d []byte)) {
		routeDecoders[name] = f
		register("decode", name, decode(f))
	}
	// The hand walk checks every length the library's decoders check (see
	// handRoute) and builds the same values.
	registerDecoder("hand", func(acc *decAcc, b []byte) {
		for len(b) > 0 {
			if len(b) < unix.NLMSG_HDRLEN {
				log.Fatal("malformed message")
			}
			l := int(binary.NativeEndian.Uint32(b))
			if l < unix.NLMSG_HDRLEN || l > len(b) {
				log.Fatal("malformed message")
			}
			if binary.NativeEndian.Uint16(b[4:]) == unix.RTM_NEWROUTE {
				acc.add(handRoute(b[unix.NLMSG_HDRLEN:l]))
			}
			l = (l + 3) &^ 3
			if l >= len(b) {
				break
			}
			b = b[l:]
		}
	})
	registerDecoder("nlkit-attrdecoder", func(acc *decAcc, b []byte) {
		for m, err := range nl.Messages(b) {
			must(err)
			if m.Header.Type != unix.RTM_NEWROUTE {
				continue
			}
			if len(m.Data) < unix.SizeofRtMsg {
				log.Fatal("short rtmsg")
			}
			table, oif, dst := uint32(m.Data[4]), uint32(0), netip.Addr{}
			d := m.AttrDecoder(unix.SizeofRtMsg)
			for d.Next() {
				switch d.Type() {
				case unix.RTA_TABLE:
					table = d.Uint32()
				case unix.RTA_DST:
					dst = d.Addr()
				case unix.RTA_OIF:
					oif = d.Uint32()
				}
			}
			must(d.Err())
			acc.add(routePrefix(m.Data[0], dst, m.Data[1]), oif, table)
		}
	})
	registerDecoder("nlkit-msgdecoder", func(acc *decAcc, b []byte) {
		md := nl.NewMessageDecoder(b)
		for md.Next() {
			if md.Type() != unix.RTM_NEWROUTE {
				continue
			}
			p := md.Data()
			if len(p) < unix.SizeofRtMsg {
				log.Fatal("short rtmsg")
			}
			table, oif, dst := uint32(p[4]), uint32(0), netip.Addr{}
			d := md.AttrDecoder(unix.SizeofRtMsg)
			for d.Next() {
				switch d.Type() {
				case unix.RTA_TABLE:
					table = d.Uint32()
				case unix.RTA_DST:
					dst = d.Addr()
				case unix.RTA_OIF:
					oif = d.Uint32()
				}
			}
			must(d.Err())
			acc.add(routePrefix(p[0], dst, p[1]), oif, table)
		}
		must(md.Err())
	})
	registerDecoder("nlkit-attrs", func(acc *decAcc, b []byte) {
		for m, err := range nl.Messages(b) {
			must(err)
			if m.Header.Type != unix.RTM_NEWROUTE {
				continue
			}
			if len(m.Data) < unix.SizeofRtMsg {
				log.Fatal("short rtmsg")
			}
			table, oif, dst := uint32(m.Data[4]), uint32(0), netip.Addr{}
			for a, err := range m.Attrs(unix.SizeofRtMsg) {
				must(err)
				switch a.Type {
				case unix.RTA_TABLE:
					table, err = a.Uint32()
				case unix.RTA_DST:
					dst, err = a.Addr()
				case unix.RTA_OIF:
					oif, err = a.Uint32()
				}
				must(err)
			}
			acc.add(routePrefix(m.Data[0], dst, m.Data[1]), oif, table)
		}
	})
	// mdlayher/netlink parses one message from bytes (Message.UnmarshalBinary)
	// and attributes with AttributeDecoder; the datagram is cut by hand.
	mdMessages := func(b []byte, f func(m *mdnl.Message)) {
		var m mdnl.Message
		for len(b) >= unix.NLMSG_HDRLEN {
			l := (int(binary.NativeEndian.Uint32(b)) + 3) &^ 3
			l = min(l, len(b))
			must(m.UnmarshalBinary(b[:l]))
			f(&m)
			b = b[l:]
		}
	}
	registerDecoder("mdlayher", func(acc *decAcc, b []byte) {
		mdMessages(b, func(m *mdnl.Message) {
			if m.Header.Type != unix.RTM_NEWROUTE {
				return
			}
			if len(m.Data) < unix.SizeofRtMsg {
				log.Fatal("short rtmsg")
			}
			table, oif, dst := uint32(m.Data[4]), uint32(0), netip.Addr{}
			ad, err := mdnl.NewAttributeDecoder(m.Data[unix.SizeofRtMsg:])
			must(err)
			for ad.Next() {
				switch ad.Type() {
				case unix.RTA_TABLE:
					table = ad.Uint32()
				case unix.RTA_DST:
					var ok bool
					if dst, ok = netip.AddrFromSlice(ad.Bytes()); !ok {
						log.Fatal("malformed RTA_DST")
					}
				case unix.RTA_OIF:
					oif = ad.Uint32()
				}
			}
			must(ad.Err())
			acc.add(routePrefix(m.Data[0], dst, m.Data[1]), oif, table)
		})
	})
	registerDecoder("jsimonetti", func(acc *decAcc, b []byte) {
		mdMessages(b, func(m *mdnl.Message) {
			if m.Header.Type != unix.RTM_NEWROUTE {
				return
			}
			var r jsrt.RouteMessage
			must(r.UnmarshalBinary(m.Data))
			table := r.Attributes.Table
			if table == 0 {
				table = uint32(r.Table)
			}
			acc.add(routePrefix(r.Family, netIPAddr(r.Family, r.Attributes.Dst), r.DstLength), r.Attributes.OutIface, table)
		})
	})

	// (2) encode RTM_NEWLINK with a struct ifinfomsg and five attributes,
	// one of them a nest, n times.
	encode := func(f func() []byte) func() {
		return func() {
			repeat(*n, func() (int, uint64) {
				var out []byte
				for range *n {
					out = f()
				}
				h := fnv.New64a()
				h.Write(out)
				return len(out), h.Sum64()
			})
		}
	}
	ifinfo := make([]byte, unix.SizeofIfInfomsg)
	var buf []byte
	var e nl.AttrEncoder
	register("encode", "nlkit", encode(func() []byte {
		buf = nl.AppendHeader(buf[:0], nl.Header{Type: unix.RTM_NEWLINK, Flags: nl.Request})
		buf = append(buf, ifinfo...)
		e.Reset(buf)
		e.String(unix.IFLA_IFNAME, "bench0")
		e.Uint32(unix.IFLA_MTU, 1500)
		e.Uint32(unix.IFLA_TXQLEN, 1000)
		nest := e.Nest(unix.IFLA_LINKINFO)
		e.String(unix.IFLA_INFO_KIND, "veth")
		e.End(nest)
		e.Uint32(unix.IFLA_GROUP, 7)
		var err error
		buf, err = e.Finish()
		must(err)
		buf = nl.SetLength(buf, 0)
		return buf
	}))
	register("encode", "mdlayher", encode(func() []byte {
		ae := mdnl.NewAttributeEncoder()
		ae.String(unix.IFLA_IFNAME, "bench0")
		ae.Uint32(unix.IFLA_MTU, 1500)
		ae.Uint32(unix.IFLA_TXQLEN, 1000)
		ae.Nested(unix.IFLA_LINKINFO, func(nae *mdnl.AttributeEncoder) error {
			nae.String(unix.IFLA_INFO_KIND, "veth")
			return nil
		})
		ae.Uint32(unix.IFLA_GROUP, 7)
		attrs, err := ae.Encode()
		must(err)
		m := mdnl.Message{Header: mdnl.Header{Type: unix.RTM_NEWLINK, Flags: mdnl.Request}, Data: append(ifinfo[:len(ifinfo):len(ifinfo)], attrs...)}
		m.Header.Length = uint32(unix.NLMSG_HDRLEN + len(m.Data)) // as Conn.Send would
		b, err := m.MarshalBinary()
		must(err)
		return b
	}))
	register("encode", "hand", encode(func() []byte {
		b := buf[:0]
		b = binary.NativeEndian.AppendUint32(b, 0)
		b = binary.NativeEndian.AppendUint16(b, unix.RTM_NEWLINK)
		b = binary.NativeEndian.AppendUint16(b, unix.NLM_F_REQUEST)
		b = append(b, 0, 0, 0, 0, 0, 0, 0, 0)
		b = append(b, ifinfo...)
		str := func(b []byte, t uint16, s string) []byte {
			b = binary.NativeEndian.AppendUint16(b, uint16(4+len(s)+1))
			b = binary.NativeEndian.AppendUint16(b, t)
			b = append(append(b, s...), 0)
			for len(b)%4 != 0 {
				b = append(b, 0)
			}
			return b
		}
		u32 := func(b []byte, t uint16, v uint32) []byte {
			b = binary.NativeEndian.AppendUint16(b, 8)
			b = binary.NativeEndian.AppendUint16(b, t)
			return binary.NativeEndian.AppendUint32(b, v)
		}
		b = str(b, unix.IFLA_IFNAME, "bench0")
		b = u32(b, unix.IFLA_MTU, 1500)
		b = u32(b, unix.IFLA_TXQLEN, 1000)
		start := len(b)
		b = binary.NativeEndian.AppendUint16(b, 0)
		b = binary.NativeEndian.AppendUint16(b, unix.IFLA_LINKINFO|unix.NLA_F_NESTED)
		b = str(b, unix.IFLA_INFO_KIND, "veth")
		binary.NativeEndian.PutUint16(b[start:], uint16(len(b)-start))
		b = u32(b, unix.IFLA_GROUP, 7)
		binary.NativeEndian.PutUint32(b, uint32(len(b)))
		buf = b
		return b
	}))
}
