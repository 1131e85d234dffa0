package nftables

import (
	"fmt"
	"github.com/nlkit/netlink/internal/uapi"

	"github.com/nlkit/netlink"
)

// VerdictCode is a verdict (NF_DROP, NF_ACCEPT, NF_QUEUE and the nf_tables
// codes NFT_CONTINUE, NFT_BREAK, NFT_JUMP, NFT_GOTO, NFT_RETURN). A queue
// verdict carries its queue number in the high 16 bits.
type VerdictCode int32

// The verdicts.
const (
	VerdictDrop     VerdictCode = 0  // NF_DROP
	VerdictAccept   VerdictCode = 1  // NF_ACCEPT
	VerdictStolen   VerdictCode = 2  // NF_STOLEN
	VerdictQueue    VerdictCode = 3  // NF_QUEUE
	VerdictRepeat   VerdictCode = 4  // NF_REPEAT
	VerdictStop     VerdictCode = 5  // NF_STOP
	VerdictContinue VerdictCode = -1 // NFT_CONTINUE
	VerdictBreak    VerdictCode = -2 // NFT_BREAK
	VerdictJump     VerdictCode = -3 // NFT_JUMP: to Chain, and back
	VerdictGoto     VerdictCode = -4 // NFT_GOTO: to Chain, not back
	VerdictReturn   VerdictCode = -5 // NFT_RETURN
)

// String returns the verdict as nft writes it.
func (v VerdictCode) String() string {
	switch v {
	case VerdictDrop:
		return "drop"
	case VerdictAccept:
		return "accept"
	case VerdictStolen:
		return "stolen"
	case VerdictQueue:
		return "queue"
	case VerdictRepeat:
		return "repeat"
	case VerdictStop:
		return "stop"
	case VerdictContinue:
		return "continue"
	case VerdictBreak:
		return "break"
	case VerdictJump:
		return "jump"
	case VerdictGoto:
		return "goto"
	case VerdictReturn:
		return "return"
	}
	return fmt.Sprintf("verdict(%d)", int32(v))
}

// Verdict is a verdict with, for jump and goto, the chain it goes to
// (struct nft_verdict: NFTA_VERDICT_CODE and NFTA_VERDICT_CHAIN or
// NFTA_VERDICT_CHAIN_ID).
type Verdict struct {
	Code    VerdictCode
	Chain   string
	ChainID uint32 // a chain added earlier in the same transaction
	Other   RawAttrs
}

// String returns the verdict as nft writes it ("jump c").
func (v Verdict) String() string {
	if v.Chain != "" {
		return v.Code.String() + " " + v.Chain
	}
	return v.Code.String()
}

// putVerdict appends the NFTA_DATA_VERDICT nest of v inside a nest typ.
func putVerdict(e *netlink.AttrEncoder, typ uint16, v *Verdict) {
	n := e.Nest(typ)
	vn := e.Nest(uapi.NFTA_DATA_VERDICT)
	e.Uint32BE(uapi.NFTA_VERDICT_CODE, uint32(v.Code))
	if v.Chain != "" {
		e.String(uapi.NFTA_VERDICT_CHAIN, v.Chain)
	}
	if v.ChainID != 0 {
		e.Uint32BE(nftaVerdictChainId, v.ChainID)
	}
	e.RawAttrs(v.Other)
	e.End(vn)
	e.End(n)
}

// putValue appends the NFTA_DATA_VALUE nest of b inside a nest typ.
func putValue(e *netlink.AttrEncoder, typ uint16, b []byte) {
	n := e.Nest(typ)
	e.Bytes(uapi.NFTA_DATA_VALUE, b)
	e.End(n)
}

// errNoCode is parseData's error for a verdict without exactly one code
// of 4 bytes, which putVerdict could not send back as it came.
var errNoCode = fmt.Errorf("nftables: a verdict without one NFTA_VERDICT_CODE of 4 bytes: %w", netlink.ErrMalformed)

// parseData decodes a struct nft_data nest: a value or a verdict. What is
// neither, or more than one, is an error.
func parseData(b []byte) (value []byte, v *Verdict, err error) {
	err = walk(b, nil, func(a netlink.Attr) error {
		if value != nil || v != nil {
			return fmt.Errorf("nftables: data with more than a value or a verdict: %w", netlink.ErrMalformed)
		}
		switch a.Type {
		case uapi.NFTA_DATA_VALUE:
			value = clone(a.Data)
			if value == nil {
				value = []byte{}
			}
		case uapi.NFTA_DATA_VERDICT:
			v = new(Verdict)
			code := false
			err := walk(a.Data, &v.Other, func(a netlink.Attr) error {
				switch a.Type {
				case uapi.NFTA_VERDICT_CODE:
					code = !code && be32To(a, &v.Code) == nil
					if !code {
						return errNoCode
					}
				case uapi.NFTA_VERDICT_CHAIN:
					v.Chain = a.Str()
				case nftaVerdictChainId:
					return be32To(a, &v.ChainID)
				default:
					return errSkip
				}
				return nil
			})
			if err == nil && !code {
				err = errNoCode
			}
			return err
		default:
			return fmt.Errorf("nftables: data attribute %d is neither a value nor a verdict: %w", a.Type, netlink.ErrMalformed)
		}
		return nil
	})
	return value, v, err
}
