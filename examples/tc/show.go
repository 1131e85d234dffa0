package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strings"

	"github.com/nlkit/netlink/tc"
)

// field is one key of tc's JSON output, in tc's order; text is what tc
// prints of it in text ("" for nothing).
type field struct {
	key  string
	val  any
	text string
}

// record is an object as tc prints it: fields in order, and, for u32
// keys, lines after it.
type record struct {
	fields []field
	after  string
}

func (r *record) add(key string, val any, format string, a ...any) {
	r.fields = append(r.fields, field{key, val, fmt.Sprintf(format, a...)})
}

// MarshalJSON writes the fields in order (but those with no key, text
// only); a nested record is an object.
func (r *record) MarshalJSON() ([]byte, error) {
	var b strings.Builder
	b.WriteByte('{')
	for _, f := range r.fields {
		if f.key == "" {
			continue
		}
		if b.Len() > 1 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(f.key)
		v, err := json.Marshal(f.val)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return []byte(b.String()), nil
}

// text is the record's line, as tc prints it.
func (r *record) text() string {
	var b strings.Builder
	for _, f := range r.fields {
		if o, ok := f.val.(*record); ok {
			b.WriteString(o.text())
			continue
		}
		b.WriteString(f.text)
	}
	return b.String()
}

func show(ctx context.Context, c *tc.Conn, fl flags, obj string, a *argv, links map[string]int) error {
	names := map[int]string{}
	for n, i := range links {
		names[i] = n
	}
	var recs []*record
	switch obj {
	case "qdisc":
		for q, err := range c.Qdiscs(ctx, a.ifindex) {
			if err != nil {
				return kernelError(err, obj)
			}
			recs = append(recs, qdiscRecord(&q, !a.hasDev, names))
		}
	case "class":
		for cl, err := range c.Classes(ctx, a.ifindex, a.parent) {
			if err != nil {
				return kernelError(err, obj)
			}
			recs = append(recs, classRecord(&cl))
		}
		// tc (iproute2 6.1) prints classes as text also with -j.
		fl.json = false
	case "filter":
		for f, err := range c.Filters(ctx, a.ifindex, a.parent) {
			if err != nil {
				return kernelError(err, obj)
			}
			recs = append(recs, filterRecord(&f, !a.hasParent))
		}
	}
	if fl.json {
		if recs == nil {
			recs = []*record{}
		}
		b, err := json.Marshal(recs)
		if err != nil {
			return err
		}
		fmt.Printf("%s\n", b)
		return nil
	}
	for _, r := range recs {
		fmt.Fprint(os.Stdout, r.text()+"\n"+r.after)
	}
	return nil
}

func qdiscRecord(q *tc.Qdisc, dev bool, names map[int]string) *record {
	r := &record{}
	r.add("kind", q.Kind, "qdisc %s", q.Kind)
	r.add("handle", fmt.Sprintf("%x:", q.Handle.Major()), " %x: ", q.Handle.Major())
	if dev {
		r.add("dev", names[q.Ifindex], "dev %s ", names[q.Ifindex])
	}
	if q.Parent == tc.HandleRoot {
		r.add("root", true, "root ")
	} else if q.Parent != tc.HandleUnspec {
		r.add("parent", q.Parent.String(), "parent %s ", q.Parent)
	}
	if q.Refcnt != 1 {
		r.add("refcnt", q.Refcnt, "refcnt %d ", q.Refcnt)
	}
	o := &record{} // tc prints "options" for every qdisc
	switch opts := q.Options.(type) {
	case *tc.HTB:
		def := "0" // C's %#x, which writes 0 without 0x
		if opts.Default != 0 {
			def = fmt.Sprintf("%#x", opts.Default)
		}
		o.add("r2q", opts.R2Q, "r2q %d ", opts.R2Q)
		o.add("default", def, "default %s ", def)
		o.add("direct_packets_stat", opts.DirectPackets, "direct_packets_stat %d ", opts.DirectPackets)
		if opts.HasDirectQlen {
			o.add("direct_qlen", opts.DirectQlen, "direct_qlen %d", opts.DirectQlen)
		}
	case *tc.FIFO:
		if opts.KindName == "bfifo" {
			o.add("limit", opts.Limit, "limit %s", size(opts.Limit))
		} else {
			o.add("limit", opts.Limit, "limit %dp", opts.Limit)
		}
	case *tc.Ingress:
		o.add("", nil, "---------------- ")
	}
	r.add("options", o, "")
	return r
}

func classRecord(cl *tc.Class) *record {
	r := &record{}
	r.add("class", cl.Kind, "class %s ", cl.Kind)
	r.add("handle", cl.Handle.String(), "%s ", cl.Handle)
	if cl.Parent == tc.HandleRoot {
		r.add("root", true, "root ")
	} else {
		r.add("parent", cl.Parent.String(), "parent %s ", cl.Parent)
	}
	if cl.Leaf != 0 {
		leaf := fmt.Sprintf("%x:", cl.Leaf.Major())
		r.add("leaf", leaf, "leaf %s ", leaf)
	}
	if h, ok := cl.Options.(*tc.HTBClass); ok {
		if h.Level == 0 {
			r.add("prio", h.Prio, "prio %d ", h.Prio)
		}
		r.add("rate", h.Rate.Rate, "rate %s ", rate(h.Rate.Rate))
		r.add("ceil", h.Ceil.Rate, "ceil %s ", rate(h.Ceil.Rate))
		burst, cburst := xmitSize(h.Rate.Rate, h.Burst.Seconds()), xmitSize(h.Ceil.Rate, h.CBurst.Seconds())
		r.add("burst", burst, "burst %s ", size(burst))
		r.add("cburst", cburst, "cburst %s ", size(cburst))
	}
	return r
}

func filterRecord(f *tc.Filter, parent bool) *record {
	r := &record{}
	first := "filter "
	if parent {
		r.add("parent", f.Parent.String(), first+"parent %s ", f.Parent)
		first = ""
	}
	proto := map[uint16]string{tc.ProtoIP: "ip", tc.ProtoAll: "all"}[f.Protocol]
	if proto == "" {
		proto = fmt.Sprintf("[%04x]", f.Protocol)
	}
	r.add("protocol", proto, first+"protocol %s ", proto)
	r.add("pref", f.Priority, "pref %d ", f.Priority)
	r.add("kind", f.Kind, "%s ", f.Kind)
	r.add("chain", f.Chain, "chain %d ", f.Chain)
	u, ok := f.Options.(*tc.U32)
	if !ok {
		return r
	}
	o := &record{}
	if f.Handle != 0 {
		o.add("fh", u32Handle(f.Handle), "fh %s ", u32Handle(f.Handle))
	}
	if node := f.Handle & 0xfff; node != 0 {
		o.add("order", node, "order %d ", node)
	}
	if u.Divisor != 0 {
		o.add("ht_divisor", u.Divisor, "ht divisor %d ", u.Divisor)
	} else if u.Hash != 0 {
		ht, bkt := fmt.Sprintf("%x", u.Hash>>20), fmt.Sprintf("%x", u.Hash>>12&0xff)
		o.add("key_ht", ht, "key ht %s ", ht)
		o.add("bkt", bkt, "bkt %s ", bkt)
	}
	if u.ClassID != tc.HandleUnspec {
		star := ""
		if u.Sel != nil && u.Sel.Flags&tc.U32Terminal != 0 {
			star = "*"
		}
		o.add("flowid", u.ClassID.String(), "%sflowid %s ", star, u.ClassID)
	}
	for _, fl := range []struct {
		bit  uint32
		name string
	}{{tc.FlagSkipHW, "skip_hw"}, {tc.FlagSkipSW, "skip_sw"}, {tc.FlagInHW, "in_hw"}, {tc.FlagNotInHW, "not_in_hw"}} {
		if u.Flags&fl.bit != 0 {
			o.add(fl.name, true, "%s ", fl.name)
		}
	}
	if u.Sel != nil {
		for _, k := range u.Sel.Keys {
			o.add("match", &record{fields: []field{
				{"value", fmt.Sprintf("%08x", k.Val), ""}, {"mask", fmt.Sprintf("%08x", k.Mask), ""},
				{"offmask", "", ""}, {"off", k.Off, ""},
			}}, "")
			o.after += fmt.Sprintf("  match %08x/%08x at %d\n", k.Val, k.Mask, k.Off)
		}
	}
	r.add("options", o, "")
	r.after = o.after
	return r
}

// u32Handle writes a u32 handle as tc does: htid:hash:node, each part
// left out when 0.
func u32Handle(h uint32) string {
	s := ""
	if ht := h >> 20; ht != 0 {
		s = fmt.Sprintf("%x", ht)
	}
	s += ":"
	if hash, node := h>>12&0xff, h&0xfff; hash != 0 || node != 0 {
		if hash != 0 {
			s += fmt.Sprintf("%x", hash)
		}
		s += ":"
		if node != 0 {
			s += fmt.Sprintf("%x", node)
		}
	}
	return s
}

// rate writes bytes per second as tc writes a rate: in bits, with the
// largest unit of 1000 that divides it or leaves it under 1000 units.
func rate(bytesPerSec uint64) string {
	r := bytesPerSec * 8
	units := []string{"", "K", "M", "G", "T"}
	i := 0
	for ; i < len(units)-1; i++ {
		if r < 1000 || r%1000 != 0 && r < 1000*1000 {
			break
		}
		r /= 1000
	}
	return fmt.Sprintf("%d%sbit", r, units[i])
}

// size writes a number of bytes as tc writes a size: in Mb or Kb when
// close to a whole number of them.
func size(n uint32) string {
	v := float64(n)
	switch {
	case n >= 1<<20 && math.Abs(1<<20*math.Round(v/(1<<20))-v) < 1024:
		return fmt.Sprintf("%gMb", math.Round(v/(1<<20)))
	case n >= 1<<10 && math.Abs(1<<10*math.Round(v/(1<<10))-v) < 16:
		return fmt.Sprintf("%gKb", math.Round(v/(1<<10)))
	}
	return fmt.Sprintf("%db", n)
}

// xmitSize is the bytes sent in secs at bytesPerSec.
func xmitSize(bytesPerSec uint64, secs float64) uint32 {
	return uint32(float64(bytesPerSec) * secs)
}
