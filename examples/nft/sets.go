package main

import (
	"slices"

	"github.com/nlkit/netlink/netfilter/nftables"
)

// setElems turns a set's elements into nft's: keys of the set's types
// (concatenations split into their fields), intervals joined into ranges
// and prefixes, each with what it maps to, in the order nft lists them.
func setElems(s *nftables.Set, elems []nftables.Element) setExpr {
	ts := keyTypes(s.KeyType)
	key := func(b []byte) expr { return keyExpr(ts, b) }
	data := func(e nftables.Element) expr {
		switch {
		case e.Verdict != nil:
			return e.Verdict
		case e.Data != nil:
			return value{dtypeByID(s.DataType), e.Data}
		case e.Objref != "":
			return objRef(e.Objref)
		}
		return nil
	}
	var out setExpr
	if s.Flags&nftables.SetInterval == 0 {
		reverse := len(ts) > 1 || (ts[0] != nil && ts[0].host)
		elems = slices.Clone(elems)
		slices.SortStableFunc(elems, func(a, b nftables.Element) int {
			// nft lists the catch-all element last.
			if c := int(a.Flags&nftables.ElemCatchall) - int(b.Flags&nftables.ElemCatchall); c != 0 {
				return c
			}
			return compareKeys(a.Key, b.Key, reverse)
		})
		for _, e := range elems {
			k := key(e.Key)
			if e.Flags&nftables.ElemCatchall != 0 {
				k = catchall{}
			} else if e.KeyEnd != nil {
				k = rangeOf(ts, e.Key, e.KeyEnd)
			}
			out = append(out, elem{k, data(e)})
		}
		return out
	}
	// An interval set holds each interval as its first value and, flagged
	// as an end, the first value past it; the kernel lists them from the
	// last.
	elems = slices.Clone(elems)
	slices.SortStableFunc(elems, func(a, b nftables.Element) int { return compareKeys(a.Key, b.Key, false) })
	for i, e := range elems {
		if e.Flags&nftables.ElemIntervalEnd != 0 {
			continue
		}
		if e.Flags&nftables.ElemCatchall != 0 {
			out = append(out, elem{catchall{}, data(e)})
			continue
		}
		var last []byte
		switch {
		case e.KeyEnd != nil:
			last = e.KeyEnd
		case i+1 < len(elems) && elems[i+1].Flags&nftables.ElemIntervalEnd != 0:
			last = minusOne(elems[i+1].Key)
		default: // to the end of the type's values
			last = make([]byte, len(e.Key))
			for j := range last {
				last[j] = 0xff
			}
		}
		out = append(out, elem{rangeOf(ts, e.Key, last), data(e)})
	}
	return out
}

// keyExpr is key as a value of its types, split into a concatenation's
// fields (each padded to 4 bytes).
func keyExpr(ts []*dtype, key []byte) expr {
	if len(ts) == 1 {
		return value{ts[0], key}
	}
	var c concat
	for _, t := range ts {
		if t == nil || t.size == 0 || len(key) < t.size {
			return value{nil, key}
		}
		c = append(c, value{t, key[:t.size]})
		key = key[min(len(key), (t.size+3)&^3):]
	}
	if len(key) != 0 {
		return value{nil, key}
	}
	return c
}

// rangeOf writes the interval from first to last as nft does: one value,
// a prefix where the type has them and one fits, or a range (a
// concatenation's, field by field).
func rangeOf(ts []*dtype, first, last []byte) expr {
	lo, hi := keyExpr(ts, first), keyExpr(ts, last)
	if c, ok := lo.(concat); ok {
		d, ok := hi.(concat)
		if !ok {
			return lo
		}
		var out concat
		for i := range c {
			out = append(out, rangeOf(ts[i:i+1], c[i].(value).b, d[i].(value).b))
		}
		return out
	}
	l, h := lo.(value), hi.(value)
	if string(l.b) == string(h.b) {
		return l
	}
	if l.t != nil && l.t.prefix {
		if n := rangePrefix(l.b, h.b); n >= 0 {
			return prefix{l, n}
		}
	}
	return rangeExpr{l, h}
}

// rangePrefix is the length of the prefix that spans exactly lo to hi,
// or -1.
func rangePrefix(lo, hi []byte) int {
	if len(lo) != len(hi) {
		return -1
	}
	m := make([]byte, len(lo))
	for i := range lo {
		m[i] = ^(lo[i] ^ hi[i])
		if lo[i]&^m[i] != 0 || (hi[i]|m[i]) != 0xff {
			return -1
		}
	}
	return prefixLen(m)
}

// minusOne is the big-endian b less one.
func minusOne(b []byte) []byte {
	c := slices.Clone(b)
	for i := len(c) - 1; i >= 0; i-- {
		c[i]--
		if c[i] != 0xff {
			break
		}
	}
	return c
}
