//go:build linux

package xfrm_test

import (
	"fmt"
	"strings"

	"github.com/nlkit/netlink/xfrm"
)

// This file formats policies as ip -s xfrm policy (iproute2 6.1) prints
// them, so that the kernel tests compare what ip shows with what this
// package reads and writes, line by line. The line with the times ("add
// 2026-01-02 03:04:05 use -") is left out: it depends on the clock.

// ipBlocks splits ip xfrm output into its objects' blocks (each starts
// at a line that does not begin with white space), each a list of lines
// with their white space normalized, the time line dropped.
func ipBlocks(out string) [][]string {
	var blocks [][]string
	for _, line := range strings.Split(out, "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		f := strings.Join(strings.Fields(line), " ")
		if strings.HasPrefix(f, "add ") && strings.Contains(f, " use ") || strings.HasPrefix(f, "lastused ") {
			continue
		}
		if line[0] != ' ' && line[0] != '\t' {
			blocks = append(blocks, nil)
		}
		if len(blocks) > 0 {
			blocks[len(blocks)-1] = append(blocks[len(blocks)-1], f)
		}
	}
	return blocks
}

var ipProtoNames = map[uint8]string{1: "icmp", 6: "tcp", 17: "udp", 58: "ipv6-icmp", 132: "sctp"}

func ipSelector(s xfrm.Selector) string {
	f := s.Family
	pfx := func(p string, valid bool) string {
		if valid {
			return p
		}
		if f == xfrm.AFInet6 {
			return "::/0"
		}
		return "0.0.0.0/0"
	}
	str := fmt.Sprintf("src %s dst %s", pfx(s.Src.String(), s.Src.IsValid()), pfx(s.Dst.String(), s.Dst.IsValid()))
	if s.Proto != 0 {
		name, ok := ipProtoNames[s.Proto]
		if !ok {
			name = fmt.Sprint(s.Proto)
		}
		str += " proto " + name
	}
	if s.SrcPortMask != 0 {
		str += fmt.Sprintf(" sport %d", s.SrcPort)
	}
	if s.DstPortMask != 0 {
		str += fmt.Sprintf(" dport %d", s.DstPort)
	}
	return str
}

func ipLimit(v uint64) string {
	if v == xfrm.Inf {
		return "(INF)"
	}
	return fmt.Sprint(v)
}

func ipLifetime(l xfrm.LifetimeConfig, c xfrm.LifetimeCurrent) []string {
	return []string{
		"lifetime config:",
		fmt.Sprintf("limit: soft %s(bytes), hard %s(bytes)", ipLimit(l.SoftByteLimit), ipLimit(l.HardByteLimit)),
		fmt.Sprintf("limit: soft %s(packets), hard %s(packets)", ipLimit(l.SoftPacketLimit), ipLimit(l.HardPacketLimit)),
		fmt.Sprintf("expire add: soft %d(sec), hard %d(sec)", l.SoftAddExpires, l.HardAddExpires),
		fmt.Sprintf("expire use: soft %d(sec), hard %d(sec)", l.SoftUseExpires, l.HardUseExpires),
		"lifetime current:",
		fmt.Sprintf("%d(bytes), %d(packets)", c.Bytes, c.Packets),
	}
}

// ipPolicy formats p as ip -s xfrm policy does.
func ipPolicy(p xfrm.Policy) []string {
	var flags []string
	if p.Flags&xfrm.PolicyLocalOK != 0 {
		flags = append(flags, "localok")
	}
	if p.Flags&xfrm.PolicyICMP != 0 {
		flags = append(flags, "icmp")
	}
	lines := []string{
		ipSelector(p.Selector) + fmt.Sprintf(" uid %d", p.Selector.User),
		strings.Join(strings.Fields(fmt.Sprintf("dir %s action %s index %d priority %d ptype %s share %s flag %s (0x%08b)",
			p.Dir, p.Action, p.Index, p.Priority, p.Type, p.Share, strings.Join(flags, " "), p.Flags)), " "),
	}
	lines = append(lines, ipLifetime(p.Lifetime, p.Current)...)
	if p.Mark != nil {
		lines = append(lines, fmt.Sprintf("mark %#x/%#x", p.Mark.Value, p.Mark.Mask))
	}
	for _, t := range p.Templates {
		addr := func(a fmt.Stringer, valid bool) string {
			if valid {
				return a.String()
			}
			if t.Family == xfrm.AFInet6 {
				return "::"
			}
			return "0.0.0.0"
		}
		level := "required"
		if t.Optional {
			level = "use"
		}
		lines = append(lines,
			fmt.Sprintf("tmpl src %s dst %s", addr(t.Src, t.Src.IsValid()), addr(t.Dst, t.Dst.IsValid())),
			fmt.Sprintf("proto %s spi 0x%08x(%d) reqid %d(0x%08x) mode %s", t.Proto, t.SPI, t.SPI, t.ReqID, t.ReqID, t.Mode),
			fmt.Sprintf("level %s share %s", level, t.Share),
			fmt.Sprintf("enc-mask %x auth-mask %x comp-mask %x", t.CryptAlgos, t.AuthAlgos, t.CompAlgos),
		)
	}
	if p.IfID != 0 {
		lines = append(lines, fmt.Sprintf("if_id %#x", p.IfID))
	}
	return lines
}

// ipState formats s as ip -s xfrm state (iproute2 6.1) prints it, every
// line but the clock's (add/use times, lastused), white space normalized.
func ipState(s xfrm.State) []string {
	lines := []string{
		fmt.Sprintf("src %s dst %s", s.Src, s.Dst),
		fmt.Sprintf("proto %s spi 0x%08x(%d) reqid %d(0x%08x) mode %s", s.Proto, s.SPI, s.SPI, s.ReqID, s.ReqID, s.Mode),
	}
	var flags []string
	for i, n := range []string{"noecn", "decap-dscp", "nopmtudisc", "wildrecv", "icmp", "af-unspec", "align4", "esn"} {
		if s.Flags&(1<<i) != 0 {
			flags = append(flags, n)
		}
	}
	l := fmt.Sprintf("replay-window %d seq 0x%08d flag %s", s.ReplayWindow, s.Seq, strings.Join(flags, " "))
	if s.ExtraFlags != 0 {
		var x []string
		for i, n := range []string{"dont-encap-dscp", "oseq-may-wrap"} {
			if s.ExtraFlags&(1<<i) != 0 {
				x = append(x, n)
			}
		}
		l += "extra_flag " + strings.Join(x, " ")
	}
	lines = append(lines, norm(l+fmt.Sprintf(" (0x%08b)", s.Flags)))
	var marks []string
	if m := s.Mark; m != nil {
		marks = append(marks, fmt.Sprintf("mark %#x/%#x", m.Value, m.Mask))
	}
	if m := s.SetMark; m != nil {
		marks = append(marks, fmt.Sprintf("output-mark 0x%x/0x%x", m.Value, m.Mask))
	}
	if marks != nil {
		lines = append(lines, strings.Join(marks, " "))
	}
	key := func(k []byte, extra uint32) string {
		bits := uint32(8 * len(k))
		if extra != 0 {
			bits = extra
		}
		if bits/8 == 0 {
			return ""
		}
		return fmt.Sprintf(" 0x%x (%d bits)", k[:bits/8], bits)
	}
	if a := s.Auth; a != nil {
		lines = append(lines, fmt.Sprintf("auth-trunc %s%s %d", a.Name, key(a.Key, a.KeyBits), a.TruncLen))
	}
	if a := s.AEAD; a != nil {
		lines = append(lines, fmt.Sprintf("aead %s%s %d", a.Name, key(a.Key, a.KeyBits), a.ICVLen))
	}
	if a := s.Crypt; a != nil {
		lines = append(lines, "enc "+a.Name+key(a.Key, a.KeyBits))
	}
	if a := s.Comp; a != nil {
		lines = append(lines, "comp "+a.Name+key(a.Key, a.KeyBits))
	}
	if e := s.Encap; e != nil {
		typ := map[uint16]string{1: "espinudp-nonike", 2: "espinudp", 7: "espintcp"}[e.Type]
		if typ == "" {
			typ = fmt.Sprint(e.Type)
		}
		addr := "0.0.0.0"
		if s.Family == xfrm.AFInet6 {
			addr = "::"
		}
		if e.OrigAddr.IsValid() {
			addr = e.OrigAddr.String()
		}
		lines = append(lines, fmt.Sprintf("encap type %s sport %d dport %d addr %s", typ, e.SrcPort, e.DstPort, addr))
	}
	if s.CoAddr.IsValid() {
		lines = append(lines, "coa "+s.CoAddr.String())
	}
	if r := s.Replay; r != nil {
		lines = append(lines, fmt.Sprintf("anti-replay context: seq 0x%x, oseq 0x%x, bitmap 0x%08x", r.Seq, r.OSeq, r.Bitmap))
	}
	if r := s.ReplayESN; r != nil {
		lines = append(lines, "anti-replay esn context:",
			fmt.Sprintf("seq-hi 0x%x, seq 0x%x, oseq-hi 0x%x, oseq 0x%x", r.SeqHi, r.Seq, r.OSeqHi, r.OSeq),
			fmt.Sprintf("replay_window %d, bitmap-length %d", r.ReplayWindow, r.BmpLen))
		var words []string
		for i := len(r.Bitmap); i > 0; i-- {
			words = append(words, fmt.Sprintf("%08x", r.Bitmap[i-1]))
		}
		for len(words) > 0 { // eight words a line
			n := min(8, len(words))
			lines = append(lines, strings.Join(words[:n], " "))
			words = words[n:]
		}
	}
	if s.IfID != 0 {
		lines = append(lines, fmt.Sprintf("if_id %#x", s.IfID))
	}
	if s.TFCPad != 0 {
		lines = append(lines, fmt.Sprintf("tfcpad %d", s.TFCPad))
	}
	if s.Dir != 0 {
		lines = append(lines, "dir "+map[xfrm.SADir]string{xfrm.SAIn: "in", xfrm.SAOut: "out"}[s.Dir])
	}
	sel := s.Selector
	if sel.Family != 0 || sel.Src.IsValid() || sel.Dst.IsValid() || sel.Proto != 0 || sel.User != 0 || sel.Ifindex != 0 {
		if sel.Family == 0 {
			sel.Family = s.Family
		}
		lines = append(lines, "sel "+ipSelector(sel)+fmt.Sprintf(" uid %d", sel.User))
	}
	lines = append(lines, ipLifetime(s.Lifetime, s.Current)...)
	lines = append(lines, "stats:", fmt.Sprintf("replay-window %d replay %d failed %d", s.Stats.ReplayWindow, s.Stats.Replay, s.Stats.IntegrityFailed))
	return lines
}

func norm(s string) string { return strings.Join(strings.Fields(s), " ") }
