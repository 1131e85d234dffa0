// Command xfrm is a small ip xfrm: it lists, adds, deletes and flushes
// IPsec SAs and policies and prints xfrm notifications, through
// NETLINK_XFRM with package xfrm:
//
//	go run ./examples/xfrm state list
//	go run ./examples/xfrm state add src 198.18.0.1 dst 198.18.0.2 proto esp spi 0x100 mode tunnel reqid 1 \
//		aead 'rfc4106(gcm(aes))' 0x00112233445566778899aabbccddeeff01020304 128
//	go run ./examples/xfrm state del src 198.18.0.1 dst 198.18.0.2 proto esp spi 0x100
//	go run ./examples/xfrm policy add src 198.18.0.0/24 dst 198.18.1.0/24 dir out \
//		tmpl src 198.18.0.1 dst 198.18.0.2 proto esp mode tunnel reqid 1
//	go run ./examples/xfrm -n nsname policy list
//	go run ./examples/xfrm monitor
//
// Objects: state (list, add, del, flush [proto P], count), policy (list,
// add, del, flush [ptype sub], count), monitor. -n runs in the namespace
// of that name under /var/run/netns.
package main

import (
	"context"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"os"
	"os/signal"
	"strconv"
	"strings"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/xfrm"
)

func main() {
	netns := flag.String("n", "", "the network namespace `name` (/var/run/netns/name)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Stdout, *netns, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "xfrm:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, w io.Writer, netns string, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: xfrm [-n NS] state|policy list|add|del|flush|count ... | monitor")
	}
	var cfg netlink.Config
	if netns != "" {
		cfg.NetNS = "/var/run/netns/" + netns
	}
	c, err := xfrm.Dial(&cfg)
	if err != nil {
		return err
	}
	defer c.Close()
	verb := "list"
	if len(args) > 1 {
		verb = args[1]
	}
	rest := &words{list: args[min(2, len(args)):]}
	switch args[0] + " " + verb {
	case "state list", "state show":
		for s, err := range c.States(ctx, xfrm.StateFilter{}) {
			if err != nil {
				return err
			}
			printState(w, &s)
		}
		return nil
	case "state add", "state update":
		s, err := parseState(rest)
		if err != nil {
			return err
		}
		if verb == "update" {
			return c.UpdateState(ctx, &s)
		}
		return c.AddState(ctx, &s)
	case "state del", "state delete":
		s, err := parseState(rest)
		if err != nil {
			return err
		}
		return c.DeleteState(ctx, s.ID())
	case "state flush":
		var p xfrm.Proto
		if rest.next() == "proto" {
			if p, err = parseProto(rest.next()); err != nil {
				return err
			}
		}
		return c.FlushStates(ctx, p)
	case "state count":
		i, err := c.SAInfo(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "SAD count %d (buckets count %d Max %d)\n", i.Count, i.HashBuckets, i.HashMax)
		return nil
	case "policy list", "policy show":
		for p, err := range c.Policies(ctx) {
			if err != nil {
				return err
			}
			printPolicy(w, &p)
		}
		return nil
	case "policy add", "policy update":
		p, err := parsePolicy(rest)
		if err != nil {
			return err
		}
		if verb == "update" {
			return c.UpdatePolicy(ctx, &p)
		}
		return c.AddPolicy(ctx, &p)
	case "policy del", "policy delete":
		p, err := parsePolicy(rest)
		if err != nil {
			return err
		}
		return c.DeletePolicy(ctx, p.ID())
	case "policy flush":
		t := xfrm.PolicyMain
		if rest.next() == "ptype" && rest.next() == "sub" {
			t = xfrm.PolicySub
		}
		return c.FlushPolicies(ctx, t)
	case "policy count":
		i, err := c.SPDInfo(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "SPD IN %d OUT %d FWD %d (Sock: IN %d OUT %d FWD %d)\n", i.In, i.Out, i.Fwd, i.SocketIn, i.SocketOut, i.SocketFwd)
		return nil
	}
	if args[0] == "monitor" {
		return monitor(ctx, w, c)
	}
	return fmt.Errorf("unknown command %q", strings.Join(args[:min(2, len(args))], " "))
}

func monitor(ctx context.Context, w io.Writer, c *xfrm.Conn) error {
	groups := []xfrm.Group{xfrm.GroupAcquire, xfrm.GroupExpire, xfrm.GroupSA, xfrm.GroupPolicy, xfrm.GroupMapping}
	for e, err := range c.Watch(ctx, groups...) {
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			fmt.Fprintln(w, "error:", err)
			continue
		}
		switch {
		case e.State != nil:
			fmt.Fprintf(w, "%s ", eventName(e.Type))
			printState(w, e.State)
		case e.Policy != nil:
			fmt.Fprintf(w, "%s ", eventName(e.Type))
			printPolicy(w, e.Policy)
		case e.Acquire != nil:
			a := e.Acquire
			fmt.Fprintf(w, "acquire proto %s %s->%s seq %d sel %s\n", a.Proto, a.Src, a.Dst, a.Seq, a.Selector)
		case e.Expire != nil:
			fmt.Fprintf(w, "expire %s hard %t\n", e.Expire.State.String(), e.Expire.Hard)
		case e.PolicyExpire != nil:
			fmt.Fprintf(w, "polexpire %s hard %t\n", e.PolicyExpire.Policy.String(), e.PolicyExpire.Hard)
		case e.Flush != nil && e.Type == xfrm.EventFlushSA:
			fmt.Fprintf(w, "flush states proto %s\n", e.Flush.Proto)
		case e.Flush != nil:
			fmt.Fprintf(w, "flush policies ptype %s\n", e.Flush.Type)
		case e.Mapping != nil:
			m := e.Mapping
			fmt.Fprintf(w, "mapping %s %s:%d -> %s:%d\n", m.ID, m.OldSrc, m.OldSport, m.NewSrc, m.NewSport)
		default:
			fmt.Fprintf(w, "message type %d\n", e.Type)
		}
	}
	return nil
}

func eventName(t netlink.HeaderType) string {
	switch t {
	case xfrm.EventNewSA, xfrm.EventNewPolicy:
		return "new"
	case xfrm.EventUpdSA, xfrm.EventUpdPolicy:
		return "update"
	case xfrm.EventDelSA, xfrm.EventDelPolicy:
		return "delete"
	}
	return strconv.Itoa(int(t))
}

func printState(w io.Writer, s *xfrm.State) {
	fmt.Fprintf(w, "src %s dst %s\n", s.Src, s.Dst)
	fmt.Fprintf(w, "\tproto %s spi %#08x reqid %d mode %s\n", s.Proto, s.SPI, s.ReqID, s.Mode)
	if r := s.ReplayESN; r != nil {
		fmt.Fprintf(w, "\tesn replay-window %d oseq %#x seq %#x\n", r.ReplayWindow, uint64(r.OSeqHi)<<32|uint64(r.OSeq), uint64(r.SeqHi)<<32|uint64(r.Seq))
	} else {
		fmt.Fprintf(w, "\treplay-window %d flag %#x\n", s.ReplayWindow, s.Flags)
	}
	if a := s.Auth; a != nil {
		fmt.Fprintf(w, "\tauth-trunc %s 0x%x %d\n", a.Name, a.Key, a.TruncLen)
	}
	if a := s.Crypt; a != nil {
		fmt.Fprintf(w, "\tenc %s 0x%x\n", a.Name, a.Key)
	}
	if a := s.AEAD; a != nil {
		fmt.Fprintf(w, "\taead %s 0x%x %d\n", a.Name, a.Key, a.ICVLen)
	}
	if a := s.Comp; a != nil {
		fmt.Fprintf(w, "\tcomp %s\n", a.Name)
	}
	if e := s.Encap; e != nil {
		fmt.Fprintf(w, "\tencap type %d sport %d dport %d\n", e.Type, e.SrcPort, e.DstPort)
	}
	if m := s.Mark; m != nil {
		fmt.Fprintf(w, "\tmark %#x/%#x\n", m.Value, m.Mask)
	}
	if s.IfID != 0 {
		fmt.Fprintf(w, "\tif_id %#x\n", s.IfID)
	}
	fmt.Fprintf(w, "\tsel %s\n", s.Selector)
	fmt.Fprintf(w, "\tcurrent %d bytes %d packets\n", s.Current.Bytes, s.Current.Packets)
}

func printPolicy(w io.Writer, p *xfrm.Policy) {
	fmt.Fprintf(w, "%s\n", p.Selector)
	fmt.Fprintf(w, "\tdir %s action %s index %d priority %d ptype %s\n", p.Dir, p.Action, p.Index, p.Priority, p.Type)
	if m := p.Mark; m != nil {
		fmt.Fprintf(w, "\tmark %#x/%#x\n", m.Value, m.Mask)
	}
	for _, t := range p.Templates {
		fmt.Fprintf(w, "\ttmpl src %s dst %s proto %s reqid %d mode %s\n", addr(t.Src), addr(t.Dst), t.Proto, t.ReqID, t.Mode)
	}
	if p.IfID != 0 {
		fmt.Fprintf(w, "\tif_id %#x\n", p.IfID)
	}
}

func addr(a netip.Addr) string {
	if !a.IsValid() {
		return "any"
	}
	return a.String()
}

// words are the command line's arguments, read one at a time.
type words struct {
	list []string
	err  error
}

func (ws *words) next() string {
	if len(ws.list) == 0 {
		return ""
	}
	w := ws.list[0]
	ws.list = ws.list[1:]
	return w
}

// need returns the next word, recording an error when there is none.
func (ws *words) need(after string) string {
	w := ws.next()
	if w == "" && ws.err == nil {
		ws.err = fmt.Errorf("%s: missing argument", after)
	}
	return w
}

func (ws *words) uint(after string, bits int) uint64 {
	w := ws.need(after)
	v, err := strconv.ParseUint(w, 0, bits)
	if err != nil && ws.err == nil {
		ws.err = fmt.Errorf("%s %q: %w", after, w, err)
	}
	return v
}

func (ws *words) key(after string) []byte {
	w := strings.TrimPrefix(ws.need(after), "0x")
	k, err := hex.DecodeString(w)
	if err != nil && ws.err == nil {
		ws.err = fmt.Errorf("%s key: %w", after, err)
	}
	return k
}

func (ws *words) addr(after string) netip.Addr {
	w := ws.need(after)
	a, err := netip.ParseAddr(w)
	if err != nil && ws.err == nil {
		ws.err = err
	}
	return a
}

func (ws *words) prefix(after string) netip.Prefix {
	w := ws.need(after)
	if !strings.Contains(w, "/") {
		a, err := netip.ParseAddr(w)
		if err != nil {
			ws.err = err
			return netip.Prefix{}
		}
		return netip.PrefixFrom(a, a.BitLen())
	}
	p, err := netip.ParsePrefix(w)
	if err != nil && ws.err == nil {
		ws.err = err
	}
	return p
}

func parseProto(s string) (xfrm.Proto, error) {
	for _, p := range []xfrm.Proto{xfrm.ProtoESP, xfrm.ProtoAH, xfrm.ProtoComp, xfrm.ProtoRoute2, xfrm.ProtoHAO} {
		if p.String() == s {
			return p, nil
		}
	}
	return 0, fmt.Errorf("unknown protocol %q", s)
}

func parseMode(s string) (xfrm.Mode, error) {
	for m := xfrm.ModeTransport; m <= xfrm.ModeIPTFS; m++ {
		if m.String() == s {
			return m, nil
		}
	}
	return 0, fmt.Errorf("unknown mode %q", s)
}

// parseState reads "src A dst B proto P spi N [mode M] [reqid N]
// [replay-window N] [enc NAME KEY] [auth NAME KEY] [auth-trunc NAME KEY
// BITS] [aead NAME KEY ICV] [comp NAME] [mark V [mask M]] [if_id N]".
func parseState(ws *words) (xfrm.State, error) {
	s := xfrm.State{Lifetime: xfrm.NoLimits()}
	for w := ws.next(); w != "" && ws.err == nil; w = ws.next() {
		var err error
		switch w {
		case "src":
			s.Src = ws.addr(w)
		case "dst":
			s.Dst = ws.addr(w)
		case "proto":
			s.Proto, err = parseProto(ws.need(w))
		case "spi":
			s.SPI = uint32(ws.uint(w, 32))
		case "mode":
			s.Mode, err = parseMode(ws.need(w))
		case "reqid":
			s.ReqID = uint32(ws.uint(w, 32))
		case "replay-window":
			s.ReplayWindow = uint8(ws.uint(w, 8))
		case "enc":
			s.Crypt = &xfrm.Algorithm{Name: ws.need(w), Key: ws.key(w)}
		case "auth":
			s.Auth = &xfrm.AuthAlgorithm{Name: ws.need(w), Key: ws.key(w)}
		case "auth-trunc":
			s.Auth = &xfrm.AuthAlgorithm{Name: ws.need(w), Key: ws.key(w), TruncLen: uint32(ws.uint(w, 32))}
		case "aead":
			s.AEAD = &xfrm.AEADAlgorithm{Name: ws.need(w), Key: ws.key(w), ICVLen: uint32(ws.uint(w, 32))}
		case "comp":
			s.Comp = &xfrm.Algorithm{Name: ws.need(w)}
		case "mark":
			s.Mark = &xfrm.Mark{Value: uint32(ws.uint(w, 32)), Mask: ^uint32(0)}
			if len(ws.list) > 1 && ws.list[0] == "mask" {
				ws.next()
				s.Mark.Mask = uint32(ws.uint("mask", 32))
			}
		case "if_id":
			s.IfID = uint32(ws.uint(w, 32))
		default:
			return s, fmt.Errorf("unknown state keyword %q", w)
		}
		if err != nil {
			return s, err
		}
	}
	return s, ws.err
}

// parsePolicy reads "src P dst P dir D [proto N] [priority N] [index N]
// [action allow|block] [ptype sub] [mark V [mask M]] [if_id N] [tmpl src
// A dst B proto P [mode M] [reqid N] [level use]]...".
func parsePolicy(ws *words) (xfrm.Policy, error) {
	p := xfrm.Policy{Lifetime: xfrm.NoLimits()}
	var t *xfrm.Template
	for w := ws.next(); w != "" && ws.err == nil; w = ws.next() {
		var err error
		switch {
		case w == "tmpl":
			p.Templates = append(p.Templates, xfrm.Template{
				AuthAlgos: xfrm.AllAlgorithms, CryptAlgos: xfrm.AllAlgorithms, CompAlgos: xfrm.AllAlgorithms})
			t = &p.Templates[len(p.Templates)-1]
		case t != nil && w == "src":
			t.Src = ws.addr(w)
		case t != nil && w == "dst":
			t.Dst = ws.addr(w)
		case t != nil && w == "proto":
			t.Proto, err = parseProto(ws.need(w))
		case t != nil && w == "mode":
			t.Mode, err = parseMode(ws.need(w))
		case t != nil && w == "reqid":
			t.ReqID = uint32(ws.uint(w, 32))
		case t != nil && w == "spi":
			t.SPI = uint32(ws.uint(w, 32))
		case t != nil && w == "level":
			t.Optional = ws.need(w) == "use"
		case w == "src":
			p.Selector.Src = ws.prefix(w)
		case w == "dst":
			p.Selector.Dst = ws.prefix(w)
		case w == "proto":
			p.Selector.Proto = uint8(ws.uint(w, 8))
		case w == "dir":
			switch d := ws.need(w); d {
			case "in", "out", "fwd":
				p.Dir = map[string]xfrm.Dir{"in": xfrm.DirIn, "out": xfrm.DirOut, "fwd": xfrm.DirFwd}[d]
			default:
				err = fmt.Errorf("unknown direction %q", d)
			}
		case w == "priority":
			p.Priority = uint32(ws.uint(w, 32))
		case w == "index":
			p.Index = uint32(ws.uint(w, 32))
		case w == "action":
			if ws.need(w) == "block" {
				p.Action = xfrm.ActionBlock
			}
		case w == "ptype":
			if ws.need(w) == "sub" {
				p.Type = xfrm.PolicySub
			}
		case w == "mark":
			p.Mark = &xfrm.Mark{Value: uint32(ws.uint(w, 32)), Mask: ^uint32(0)}
			if len(ws.list) > 1 && ws.list[0] == "mask" {
				ws.next()
				p.Mark.Mask = uint32(ws.uint("mask", 32))
			}
		case w == "if_id":
			p.IfID = uint32(ws.uint(w, 32))
		default:
			return p, fmt.Errorf("unknown policy keyword %q", w)
		}
		if err != nil {
			return p, err
		}
	}
	return p, ws.err
}
