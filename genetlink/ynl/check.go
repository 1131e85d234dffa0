package ynl

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"syscall"

	"github.com/nlkit/netlink/genetlink"
)

// CheckKernel compares the spec f with the family the kernel behind c
// has: its commands and what each can do (nlctrl's description), and the
// attributes each command's requests take, with their types, nested sets,
// lengths and ranges (its policy, CTRL_CMD_GETPOLICY). It returns the
// differences, one line each, in spec order; none means the kernel and
// the spec agree on everything both say. A command whose policy the
// kernel will not show (nlctrl answers ENODATA) is one difference, and
// its attributes are not compared. An error is a failed request.
func CheckKernel(ctx context.Context, c *genetlink.Conn, f *Family) ([]string, error) {
	fam, err := c.Family(ctx, f.Name)
	if err != nil {
		return nil, err
	}
	var diffs []string
	diff := func(format string, args ...any) { diffs = append(diffs, fmt.Sprintf(format, args...)) }
	inSpec := map[uint32]bool{}
	for _, op := range f.Ops {
		if (!op.Do && !op.Dump) || op.Request < 0 {
			continue
		}
		cmd := uint32(op.Request)
		inSpec[cmd] = true
		kop, ok := fam.Op(cmd)
		if !ok {
			diff("op %s (command %d): the kernel does not have it", op.Name, cmd)
			continue
		}
		if op.Do != (kop.Flags&genetlink.CanDo != 0) {
			diff("op %s (command %d): spec do=%v, kernel flags %v", op.Name, cmd, op.Do, kop.Flags)
		}
		if op.Dump != (kop.Flags&genetlink.CanDump != 0) {
			diff("op %s (command %d): spec dump=%v, kernel flags %v", op.Name, cmd, op.Dump, kop.Flags)
		}
		if kop.Flags&genetlink.HasPolicy == 0 {
			continue
		}
		p, err := c.Policy(ctx, f.Name, cmd)
		if errors.Is(err, errNoData) {
			diff("op %s (command %d): the kernel has no policy to show (ENODATA)", op.Name, cmd)
			continue
		}
		if err != nil {
			return diffs, err
		}
		set, ok := f.Set(op.Set)
		if !ok {
			diff("op %s: no attribute set %q in the spec", op.Name, op.Set)
			continue
		}
		for _, kp := range p.Ops {
			cmp := policyCompare{f: f, p: &p, diff: diff, seen: map[[2]string]bool{}}
			if op.Do && kp.Do >= 0 {
				cmp.request(fmt.Sprintf("op %s do", op.Name), set, p.Attrs(kp.Do), op.DoRequest)
			}
			if op.Dump && kp.Dump >= 0 {
				cmp.request(fmt.Sprintf("op %s dump", op.Name), set, p.Attrs(kp.Dump), op.DumpRequest)
			}
		}
	}
	for _, kop := range fam.Ops {
		if !inSpec[kop.Command] {
			diff("kernel command %d (%v): not in the spec", kop.Command, kop.Flags)
		}
	}
	for _, g := range f.Groups {
		if _, ok := fam.Group(g); !ok {
			diff("multicast group %s: the kernel does not have it", g)
		}
	}
	for _, g := range fam.Groups {
		if !slices.Contains(f.Groups, g.Name) {
			diff("kernel multicast group %s: not in the spec", g.Name)
		}
	}
	return diffs, nil
}

// errNoData is Linux's ENODATA, what nlctrl answers a policy request for a
// command that has none to show, though its flags say it has one (6.12's
// nfsd gets). A number, not syscall.ENODATA, which FreeBSD lacks: the
// kernel's errno is Linux's everywhere.
const errNoData = syscall.Errno(61)

// policyCompare compares one command's policy with the spec.
type policyCompare struct {
	f    *Family
	p    *genetlink.Policy
	diff func(string, ...any)
	seen map[[2]string]bool // nested sets compared already: spec set, kernel set
}

// request compares what a request takes: the spec's request attributes
// (names, in set) must be in the kernel's policy kattrs, and every
// attribute of kattrs must be one the spec's set has, of the same type.
func (c *policyCompare) request(where string, set *AttrSet, kattrs []genetlink.AttrPolicy, names []string) {
	for _, n := range names {
		a, ok := set.Attr(n)
		if !ok {
			c.diff("%s: request attribute %s is not in set %s", where, n, set.Name)
			continue
		}
		if !slices.ContainsFunc(kattrs, func(k genetlink.AttrPolicy) bool { return k.Attr == a.Type }) {
			c.diff("%s: request attribute %s (%d): the kernel's policy does not take it", where, n, a.Type)
		}
	}
	c.attrs(where, set, kattrs)
}

// attrs compares the kernel's policy for a set's attributes with the spec's set.
func (c *policyCompare) attrs(where string, set *AttrSet, kattrs []genetlink.AttrPolicy) {
	full := set
	if set.SubsetOf != "" {
		if s, ok := c.f.Set(set.SubsetOf); ok {
			full = s
		}
	}
	for _, k := range kattrs {
		a, ok := full.ByType(k.Attr)
		if !ok {
			c.diff("%s: set %s: the kernel takes attribute %d (%v), the spec has none", where, set.Name, k.Attr, k.Type)
			continue
		}
		// A subset may nest another set than its full set does.
		if sa, ok := set.Attr(a.Name); ok {
			a = sa
		}
		at := fmt.Sprintf("%s: %s.%s", where, set.Name, a.Name)
		if !kindMatches(a, k.Type) {
			c.diff("%s: spec %s, kernel %v", at, kindString(a), k.Type)
			continue
		}
		c.checks(at, a, k)
		if k.Has&genetlink.HasNested != 0 && a.Nested != "" {
			nested, ok := c.f.Set(a.Nested)
			if !ok {
				continue
			}
			key := [2]string{a.Nested, fmt.Sprint(k.Nested)}
			if c.seen[key] {
				continue
			}
			c.seen[key] = true
			c.attrs(where, nested, c.p.Attrs(int64(k.Nested)))
		}
	}
}

// checks compares the lengths and ranges the spec says with the kernel's.
func (c *policyCompare) checks(at string, a Attr, k genetlink.AttrPolicy) {
	ch := a.Checks
	if ch.Has&HasMinLen != 0 && k.Has&genetlink.HasMinLen != 0 && int64(k.MinLen) != ch.MinLen {
		c.diff("%s: spec min-len %d, kernel %d", at, ch.MinLen, k.MinLen)
	}
	if ch.Has&HasMaxLen != 0 && k.Has&genetlink.HasMaxLen != 0 && int64(k.MaxLen) != ch.MaxLen {
		c.diff("%s: spec max-len %d, kernel %d", at, ch.MaxLen, k.MaxLen)
	}
	if ch.Has&(HasMinLen|HasMaxLen) != 0 && k.Has&(genetlink.HasMinLen|genetlink.HasMaxLen) == 0 && k.Type == genetlink.TypeBinary {
		c.diff("%s: spec checks its length, the kernel does not", at)
	}
	switch {
	case k.Has&genetlink.HasUnsignedRange != 0:
		if ch.Has&HasMin != 0 && uint64(ch.Min) != k.MinU {
			c.diff("%s: spec min %d, kernel %d", at, ch.Min, k.MinU)
		}
		if ch.Has&HasMax != 0 && uint64(ch.Max) != k.MaxU {
			c.diff("%s: spec max %d, kernel %d", at, ch.Max, k.MaxU)
		}
	case k.Has&genetlink.HasSignedRange != 0:
		if ch.Has&HasMin != 0 && ch.Min != k.MinS {
			c.diff("%s: spec min %d, kernel %d", at, ch.Min, k.MinS)
		}
		if ch.Has&HasMax != 0 && ch.Max != k.MaxS {
			c.diff("%s: spec max %d, kernel %d", at, ch.Max, k.MaxS)
		}
	}
}

func kindString(a Attr) string {
	s := a.Kind
	if a.Multi {
		s += " multi-attr"
	}
	if a.SubType != "" {
		s += " of " + a.SubType
	}
	return s
}

// kindMatches says whether a kernel policy type is what the spec's type
// becomes in the kernel's policy (as the kernel's YNL C generator writes
// it, or as hand-written policies of the same meaning do).
func kindMatches(a Attr, t genetlink.AttrType) bool {
	switch a.Kind {
	case "u8":
		return t == genetlink.TypeU8
	case "u16":
		return t == genetlink.TypeU16
	case "u32":
		return t == genetlink.TypeU32
	case "u64":
		return t == genetlink.TypeU64
	case "s8":
		return t == genetlink.TypeS8
	case "s16":
		return t == genetlink.TypeS16
	case "s32":
		return t == genetlink.TypeS32
	case "s64":
		return t == genetlink.TypeS64
	case "uint":
		return t == genetlink.TypeUint
	case "sint":
		return t == genetlink.TypeSint
	case "flag":
		return t == genetlink.TypeFlag
	case "string":
		return t == genetlink.TypeString || t == genetlink.TypeNulString
	case "binary":
		return t == genetlink.TypeBinary
	case "bitfield32":
		return t == genetlink.TypeBitfield32
	case "nest":
		return t == genetlink.TypeNested || (a.Multi && t == genetlink.TypeNestedArray)
	case "indexed-array", "nest-type-value":
		return t == genetlink.TypeNestedArray || t == genetlink.TypeNested
	}
	return false
}
