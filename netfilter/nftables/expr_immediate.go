package nftables

import "github.com/nlkit/netlink"

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
	e.Uint32BE(nftaImmediateDreg, x.Dreg)
	if x.Verdict != nil && x.Data == nil {
		putVerdict(e, nftaImmediateData, x.Verdict)
	} else {
		putValue(e, nftaImmediateData, x.Data)
	}
	putRaw(e, x.Other)
}

func (x *Immediate) decode(b []byte) error {
	return walk(b, &x.Other, func(a netlink.Attr) error {
		switch a.Type {
		case nftaImmediateDreg:
			if len(a.Data) != 4 {
				return errSkip
			}
			x.Dreg = be32(a)
		case nftaImmediateData:
			v, vd, err := parseData(a.Data)
			if err != nil {
				return errSkip
			}
			x.Data, x.Verdict = v, vd
		default:
			return errSkip
		}
		return nil
	})
}

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
