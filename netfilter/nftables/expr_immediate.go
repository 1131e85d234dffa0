package nftables

import (
	"fmt"
	"github.com/nlkit/netlink/internal/uapi"

	"github.com/nlkit/netlink"
)

// Immediate is the immediate expression: it loads a value into a
// register, or with Dreg RegVerdict gives a verdict (accept, drop, jump,
// goto, return, continue, queue).
type Immediate struct {
	Dreg    Register // NFTA_IMMEDIATE_DREG
	Data    []byte   // NFTA_IMMEDIATE_DATA, a value
	Verdict *Verdict // NFTA_IMMEDIATE_DATA, a verdict, when Data is nil
	// Other keeps the attributes the fields above do not model.
	Other RawAttrs
}

// Kind returns "immediate".
func (*Immediate) Kind() string { return "immediate" }

func init() { register(&Immediate{}) }

func (x *Immediate) encode(e *netlink.AttrEncoder) {
	e.Uint32BE(uapi.NFTA_IMMEDIATE_DREG, x.Dreg)
	if x.Verdict != nil && x.Data == nil {
		putVerdict(e, uapi.NFTA_IMMEDIATE_DATA, x.Verdict)
	} else {
		putValue(e, uapi.NFTA_IMMEDIATE_DATA, x.Data)
	}
	e.RawAttrs(x.Other)
}

// decode fails unless b has one register and one datum that decode, which
// encode always sends: the expression is then kept raw, as it came.
func (x *Immediate) decode(b []byte) error {
	dreg, data := false, false
	err := walk(b, &x.Other, func(a netlink.Attr) error {
		switch {
		case a.Type == uapi.NFTA_IMMEDIATE_DREG && !dreg:
			dreg = true
			if be32To(a, &x.Dreg) != nil {
				return errImmediate
			}
		case a.Type == uapi.NFTA_IMMEDIATE_DATA && !data:
			data = true
			v, vd, err := parseData(a.Data)
			if err != nil {
				return errImmediate
			}
			x.Data, x.Verdict = v, vd
		default:
			return errSkip
		}
		return nil
	})
	if err == nil && (!dreg || !data) {
		err = errImmediate
	}
	return err
}

var errImmediate = fmt.Errorf("nftables: immediate without one register of 4 bytes and one datum: %w", netlink.ErrMalformed)

// Accept returns the immediate expression of the verdict accept.
func Accept() *Immediate { return verdict(VerdictAccept, "") }

// Drop returns the immediate expression of the verdict drop.
func Drop() *Immediate { return verdict(VerdictDrop, "") }

// Return returns the immediate expression of the verdict return.
func Return() *Immediate { return verdict(VerdictReturn, "") }

// Continue returns the immediate expression of the verdict continue.
func Continue() *Immediate { return verdict(VerdictContinue, "") }

// Jump returns the immediate expression of the verdict jump to chain.
func Jump(chain string) *Immediate { return verdict(VerdictJump, chain) }

// Goto returns the immediate expression of the verdict goto chain.
func Goto(chain string) *Immediate { return verdict(VerdictGoto, chain) }

// QueueVerdict returns the immediate expression that queues the packet to
// queue num (the verdict NF_QUEUE with the number in its high bits); the
// queue expression (Queue) is what nft uses.
func QueueVerdict(num uint16) *Immediate {
	return verdict(VerdictQueue|VerdictCode(num)<<16, "")
}

func verdict(c VerdictCode, chain string) *Immediate {
	return &Immediate{Dreg: RegVerdict, Verdict: &Verdict{Code: c, Chain: chain}}
}
