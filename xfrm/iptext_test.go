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
		if strings.HasPrefix(f, "add ") && strings.Contains(f, " use ") {
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
