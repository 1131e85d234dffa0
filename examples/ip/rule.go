package main

import (
	"context"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/nlkit/netlink/internal/uapi"
	"github.com/nlkit/netlink/rtnetlink"
)

// runRule runs ip rule: show, add, delete.
func runRule(ctx context.Context, c *rtnetlink.Conn, args []string) error {
	cmd, ok := command(args, "add", "delete", "list", "show", "lst")
	if !ok {
		return unknownCommand(args[0], "rule")
	}
	if len(args) > 0 {
		args = args[1:]
	}
	// ip rule works on IPv4 rules unless told -6.
	fam := opt.family
	if fam == 0 {
		fam = uapi.AF_INET
	}
	if cmd == "add" || cmd == "delete" {
		return ruleModify(ctx, c, cmd, fam, args)
	}
	// ip rule show [from PREFIX]: a prefix alone is the source.
	var from netip.Prefix
	for a := argv(args); len(a) > 0; a = a[1:] {
		w := a[0]
		if w == "from" {
			var err error
			if w, err = a.next(); err != nil {
				return err
			}
		}
		p, err := prefix(w)
		if err != nil || family(p.Addr()) != fam {
			return failf(`Error: %s prefix is expected rather than "%s".`, familyWord(fam), w)
		}
		from = p
	}
	var recs []*record
	for r, err := range c.Rules(ctx, rtnetlink.RuleFilter{Family: fam}) {
		if err != nil {
			return dumpError(err)
		}
		if from.IsValid() && r.Src != from.Masked() {
			continue
		}
		rec := newRecord()
		ruleRecord(rec, r)
		rec.word("\n")
		recs = append(recs, rec)
	}
	return output(recs)
}

// ruleRecord prints r's line (without its newline) as ip rule does.
func ruleRecord(rec *record, r rtnetlink.Rule) {
	rec.add("priority", "%d:\t", r.Priority)
	if r.Flags&rtnetlink.RuleInvert != 0 {
		rec.flag("not", "not ", nil)
	}
	rulePrefix(rec, "src", "from ", r.Src)
	if r.Dst.IsValid() {
		rulePrefix(rec, "dst", " to ", r.Dst)
	}
	if r.TOS != 0 {
		rec.add("tos", " tos %s", fmt.Sprintf("0x%02x", r.TOS))
	}
	if r.Mark != 0 || r.Mask != 0 {
		rec.add("fwmark", " fwmark %s", fmt.Sprintf("%#x", r.Mark))
		if r.Mask != 0xffffffff {
			rec.add("fwmask", "/%s", fmt.Sprintf("%#x", r.Mask))
		}
	}
	if r.IIF != "" {
		rec.add("iif", " iif %s", r.IIF)
		if r.Flags&rtnetlink.RuleIIFDetached != 0 {
			rec.flag("iif_detached", " [detached]", nil)
		}
	}
	if r.OIF != "" {
		rec.add("oif", " oif %s", r.OIF)
		if r.Flags&rtnetlink.RuleOIFDetached != 0 {
			rec.flag("oif_detached", " [detached]", nil)
		}
	}
	switch r.Action {
	case rtnetlink.RuleToTable:
		rec.add("table", " lookup %s", tableName(r.Table))
	case rtnetlink.RuleGoto:
		rec.add("goto", " goto %d", r.Goto)
		if r.Flags&rtnetlink.RuleUnresolved != 0 {
			rec.flag("unresolved", " [unresolved]", nil)
		}
	case rtnetlink.RuleNop:
		rec.flag("nop", " nop", nil)
	default:
		rec.add("action", " %s", r.Action.String())
	}
	if r.Protocol != rtnetlink.ProtoUnspec && r.Protocol != rtnetlink.ProtoKernel || opt.details {
		rec.add("protocol", " proto %s", r.Protocol.String())
	}
}

// rulePrefix prints a rule's source or destination: "all" for none, an
// address alone for a host.
func rulePrefix(rec *record, key, word string, p netip.Prefix) {
	rec.word(word)
	if !p.IsValid() {
		rec.add(key, "%s", "all")
		return
	}
	rec.add(key, "%s", p.Addr().String())
	if p.Bits() != p.Addr().BitLen() {
		rec.add(key+"len", "/%d", p.Bits())
	}
}

// ruleActions are the actions ip rule add takes by name.
var ruleActions = map[string]rtnetlink.RuleAction{
	"blackhole": rtnetlink.RuleBlackhole, "unreachable": rtnetlink.RuleUnreachable,
	"prohibit": rtnetlink.RuleProhibit, "nop": rtnetlink.RuleNop,
}

// ruleModify runs ip rule add and delete: [not] [from P] [to P] [iif
// NAME] [oif NAME] [fwmark N[/M]] [tos N] [priority N] [table|lookup T]
// [goto N] [blackhole|unreachable|prohibit|nop].
func ruleModify(ctx context.Context, c *rtnetlink.Conn, cmd string, fam int, args argv) error {
	r := rtnetlink.Rule{Family: fam}
	for ; len(args) > 0; args = args[1:] {
		key, val := args[0], ""
		switch key {
		case "from", "to", "iif", "dev", "oif", "fwmark", "tos", "dsfield", "priority", "preference", "prio",
			"order", "table", "lookup", "goto", "protocol":
			var err error
			if val, err = args.next(); err != nil {
				return err
			}
		}
		var err error
		switch key {
		case "not":
			r.Flags |= rtnetlink.RuleInvert
		case "from", "to":
			var p netip.Prefix
			if val != "all" {
				if p, err = rulePrefixArg(val, fam); err != nil {
					return err
				}
			}
			if key == "from" {
				r.Src = p
			} else {
				r.Dst = p
			}
		case "iif", "dev":
			r.IIF = val
		case "oif":
			r.OIF = val
		case "fwmark":
			mark, mask, _ := strings.Cut(val, "/")
			if r.Mark, err = number(mark, "fwmark value is invalid\n"); err == nil && mask != "" {
				r.Mask, err = number(mask, "fwmask value is invalid\n")
			}
		case "tos", "dsfield":
			var n uint64
			if n, err = strconv.ParseUint(val, 16, 8); err != nil {
				return invarg("TOS value is invalid\n", val)
			}
			r.TOS = uint8(n)
		case "priority", "preference", "prio", "order":
			r.Priority, err = number(val, "preference value is invalid\n")
		case "table", "lookup":
			if r.Table, err = table(val, false); err != nil {
				return invarg("invalid table ID\n", val)
			}
		case "goto":
			r.Action = rtnetlink.RuleGoto
			r.Goto, err = number(val, "invalid target\n")
		case "protocol":
			r.Protocol, err = protocol(val)
		default:
			a, ok := ruleActions[key]
			if !ok {
				return invarg("Failed to parse rule type", key)
			}
			r.Action = a
		}
		if err != nil {
			return err
		}
	}
	var err error
	if cmd == "add" {
		err = c.AddRule(ctx, r)
	} else {
		err = c.DeleteRule(ctx, r)
	}
	return kernelError(err)
}

// rulePrefixArg reads a rule's prefix of family fam.
func rulePrefixArg(s string, fam int) (netip.Prefix, error) {
	p, err := prefix(s)
	if err != nil {
		return p, err
	}
	if family(p.Addr()) != fam {
		return netip.Prefix{}, failf(`Error: %s prefix is expected rather than "%s".`, familyWord(fam), s)
	}
	return p, nil
}
