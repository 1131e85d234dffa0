package main

import (
	"context"
	"errors"
	"io"
	"os"
	"strconv"

	"github.com/nlkit/netlink/netfilter/nftables"
)

// parseRuleCommand reads "add rule [FAMILY] TABLE CHAIN [handle|position
// N] STATEMENT...", and insert and replace: add puts the rule after the
// rule with handle N, or last; insert before it, or first; replace puts
// it in the place of rule N. The statements are read, checked and turned
// into expressions here, so a rule nft would refuse is refused before
// anything is sent.
func parseRuleCommand(verb string, args []string) (command, error) {
	f, rest := familyName(args)
	usage := syntax("%s rule [FAMILY] TABLE CHAIN [handle HANDLE] STATEMENT...", verb)
	if verb == "replace" {
		usage = syntax("replace rule [FAMILY] TABLE CHAIN handle HANDLE STATEMENT...")
	}
	if len(rest) < 3 {
		return nil, usage
	}
	r := &nftables.Rule{Family: f, Table: rest[0], Chain: rest[1]}
	rest = rest[2:]
	var handle uint64
	if rest[0] == "handle" || (rest[0] == "position" && verb != "replace") {
		if len(rest) < 2 {
			return nil, usage
		}
		h, err := strconv.ParseUint(rest[1], 10, 64)
		if err != nil || h == 0 {
			return nil, syntax("unexpected %s, expecting a handle", rest[1])
		}
		handle, rest = h, rest[2:]
	} else if verb == "replace" {
		return nil, usage
	}
	ss, comment, err := parseRule(rest)
	if err != nil {
		return nil, err
	}
	xs, sets, err := encodeRule(f, r.Table, ss)
	if err != nil {
		return nil, err
	}
	r.Exprs = xs
	if comment != "" {
		r.UserData = nftables.CommentUserData(comment)
	}
	if verb == "replace" {
		r.Handle = handle
	} else {
		r.Position = handle
	}
	return func(ctx context.Context, c *nftables.Conn, w io.Writer, o options) error {
		// nft checks the named sets a rule looks up: so does this
		// program, by reading them before it sends the rule.
		var err error
		find := func(name string) *nftables.Set {
			s, e := c.Set(ctx, f, r.Table, name)
			if e != nil && !errors.Is(e, os.ErrNotExist) {
				err = e
			}
			return s
		}
		if e := checkSetRefs(ss, find); e != nil {
			if err != nil {
				return err
			}
			return e
		}
		var tx nftables.Tx
		for _, s := range sets {
			tx.Add(s.set)
			tx.AddElements(s.set, s.elems...)
		}
		switch verb {
		case "insert":
			tx.Insert(r)
		case "replace":
			tx.Replace(r)
		default:
			tx.Add(r)
		}
		return commit(ctx, c, &tx)
	}, nil
}
