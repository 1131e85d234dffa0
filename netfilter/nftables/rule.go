package nftables

import (
	"fmt"
	"github.com/nlkit/netlink/internal/uapi"

	"github.com/nlkit/netlink"
)

// Rule is an nf_tables rule (NFT_MSG_NEWRULE): expressions run in order
// on a packet in a chain.
type Rule struct {
	Family Family
	Table  string // NFTA_RULE_TABLE
	Chain  string // NFTA_RULE_CHAIN
	// Handle (NFTA_RULE_HANDLE) is the kernel's number for the rule, which
	// names it in a delete and in Tx.Replace.
	Handle uint64
	// Position (NFTA_RULE_POSITION) is the handle of the rule this one is
	// added after (Tx.Add) or before (Tx.Insert); 0 for the chain's end
	// or start. A listed rule has the handle of the rule before it.
	Position uint64
	// ID (NFTA_RULE_ID) names the rule, in the transaction that adds it,
	// for PositionID of rules added after it in the same transaction.
	ID         uint32
	PositionID uint32 // NFTA_RULE_POSITION_ID
	ChainID    uint32 // NFTA_RULE_CHAIN_ID: a chain added in the same transaction
	Exprs      []Expr // NFTA_RULE_EXPRESSIONS
	// UserData (NFTA_RULE_USERDATA) holds nft's comment (see Comment).
	UserData []byte
	// Other keeps the attributes the fields above do not model (the
	// xtables compatibility of iptables-nft's rules, NFTA_RULE_COMPAT).
	Other RawAttrs
}

// String names the rule as nft does: "rule inet t c handle 4".
func (r *Rule) String() string {
	if r.Handle != 0 {
		return fmt.Sprintf("rule %s %s %s handle %d", r.Family, r.Table, r.Chain, r.Handle)
	}
	return fmt.Sprintf("rule %s %s %s", r.Family, r.Table, r.Chain)
}

func (r *Rule) kind() kindInfo { return kindRule }
func (r *Rule) fam() Family    { return r.Family }

// Comment returns the comment nft keeps in the rule's user data.
func (r *Rule) Comment() string { return udataString(r.UserData, udataRuleComment) }

// encode appends the rule. A new rule's handle is sent only to replace
// that rule (opReplace's caller sets it).
func (r *Rule) encode(e *netlink.AttrEncoder, op op) {
	e.String(uapi.NFTA_RULE_TABLE, r.Table)
	if r.Chain != "" {
		e.String(uapi.NFTA_RULE_CHAIN, r.Chain)
	}
	if op == opDel {
		if r.Handle != 0 {
			e.Uint64BE(uapi.NFTA_RULE_HANDLE, r.Handle)
		}
		return
	}
	if op == opReplace {
		e.Uint64BE(uapi.NFTA_RULE_HANDLE, r.Handle)
	}
	if r.Position != 0 {
		e.Uint64BE(uapi.NFTA_RULE_POSITION, r.Position)
	}
	if r.ChainID != 0 {
		e.Uint32BE(nftaRuleChainId, r.ChainID)
	}
	if r.ID != 0 {
		e.Uint32BE(uapi.NFTA_RULE_ID, r.ID)
	}
	if r.PositionID != 0 {
		e.Uint32BE(nftaRulePositionId, r.PositionID)
	}
	if len(r.Exprs) > 0 {
		putExprs(e, uapi.NFTA_RULE_EXPRESSIONS, r.Exprs)
	}
	if r.UserData != nil {
		e.Bytes(uapi.NFTA_RULE_USERDATA, r.UserData)
	}
	e.RawAttrs(r.Other)
}

func (r *Rule) decode(b []byte) error {
	return walk(b, &r.Other, func(a netlink.Attr) error {
		switch a.Type {
		case uapi.NFTA_RULE_TABLE:
			r.Table = a.Str()
		case uapi.NFTA_RULE_CHAIN:
			r.Chain = a.Str()
		case uapi.NFTA_RULE_HANDLE:
			return be64To(a, &r.Handle)
		case uapi.NFTA_RULE_POSITION:
			return be64To(a, &r.Position)
		case uapi.NFTA_RULE_ID:
			return be32To(a, &r.ID)
		case nftaRulePositionId:
			return be32To(a, &r.PositionID)
		case nftaRuleChainId:
			return be32To(a, &r.ChainID)
		case uapi.NFTA_RULE_EXPRESSIONS:
			xs, err := parseExprs(a.Data)
			if err != nil {
				return err
			}
			r.Exprs = xs
		case uapi.NFTA_RULE_USERDATA:
			r.UserData = clone(a.Data)
		case uapi.NFTA_RULE_PAD:
		default:
			return errSkip
		}
		return nil
	})
}
