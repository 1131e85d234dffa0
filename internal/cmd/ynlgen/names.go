package main

import (
	"strings"
	"unicode"
)

// initialisms are the words Go spells in capitals (as in XDPFeatures).
var initialisms = map[string]string{
	"api": "API", "cpu": "CPU", "dma": "DMA", "dpll": "DPLL", "eee": "EEE",
	"fd": "FD", "fec": "FEC", "gid": "GID", "hw": "HW", "id": "ID", "ids": "IDs",
	"ip": "IP", "ipv4": "IPv4", "ipv6": "IPv6", "irq": "IRQ", "mac": "MAC",
	"mtu": "MTU", "napi": "NAPI", "pci": "PCI", "phy": "PHY", "plca": "PLCA",
	"pse": "PSE", "psp": "PSP", "rss": "RSS", "tcp": "TCP", "tls": "TLS",
	"udp": "UDP", "uid": "UID", "url": "URL", "vf": "VF", "xdp": "XDP",
	"xsk": "XSK", "zc": "ZC", "sg": "SG", "rx": "Rx", "tx": "Tx", "ttl": "TTL", "sa": "SA", "spi": "SPI",
	"nlattr": "NLAttr", "nl": "NL", "ns": "NS", "mcast": "Mcast", "sfp": "SFP",
}

// typedInitialisms are initialisms that came with the Open vSwitch
// families, for the typed packages only: the constants of the raw
// families (-consts; conntrack's CT, tc's NAT, …) keep the names they had.
var typedInitialisms = map[string]string{
	"ovs": "OVS", "dp": "DP", "ufid": "UFID", "mpls": "MPLS", "arp": "ARP", "icmp": "ICMP",
	"icmpv6": "ICMPv6", "sctp": "SCTP", "nd": "ND", "ct": "CT", "nsh": "NSH",
	"tci": "TCI", "tpid": "TPID", "lse": "LSE", "tos": "TOS",
	"gbp": "GBP", "nat": "NAT", "oam": "OAM", "md1": "MD1", "md2": "MD2", "sll": "SLL", "tll": "TLL",
	"sha": "SHA", "tha": "THA", "sip": "SIP", "tip": "TIP",
}

// goName is the package-level name function of g: rawName for the
// constants of raw families, goName for the typed packages.
func (g *gen) goName(s string) string {
	if g.raw {
		return rawName(s)
	}
	return goName(s)
}

// goName turns a spec name ("xdp-zc-max-segs", "in_progress",
// "--kernel-timespec") into a Go name ("XDPZCMaxSegs"). Names that would
// start with a digit get an N in front.
func goName(s string) string { return name(s, true) }

// rawName is goName without typedInitialisms.
func rawName(s string) string { return name(s, false) }

func name(s string, typed bool) string {
	var b strings.Builder
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return r == '-' || r == '_' || r == ' ' || r == '.' }) {
		up, ok := initialisms[strings.ToLower(w)]
		if !ok && typed {
			up, ok = typedInitialisms[strings.ToLower(w)]
		}
		if ok {
			b.WriteString(up)
			continue
		}
		r := []rune(w)
		r[0] = unicode.ToUpper(r[0])
		b.WriteString(string(r))
	}
	n := b.String()
	if n == "" || unicode.IsDigit(rune(n[0])) {
		n = "N" + n
	}
	return n
}

// lowerFirst makes an exported Go name unexported ("XDPAct" → "xdpAct").
func lowerFirst(s string) string {
	r := []rune(s)
	i := 0
	for i < len(r) && unicode.IsUpper(r[i]) {
		i++
	}
	switch {
	case i == 0:
	case i == 1 || i == len(r):
		for j := range i {
			r[j] = unicode.ToLower(r[j])
		}
	default:
		// Keep the last capital: it starts the next word ("XDPAct" → "xdpAct").
		for j := range i - 1 {
			r[j] = unicode.ToLower(r[j])
		}
	}
	return string(r)
}
