package nftables

import (
	"fmt"
	"github.com/nlkit/netlink/internal/uapi"
	"reflect"

	"github.com/nlkit/netlink"
)

// Expr is an expression of a rule, a set element or a dynamic set: one of
// the types of this package's expr_*.go files (Payload, Meta, Cmp, ...),
// each the kernel's expression of that name, or RawExpr for a kind the
// package does not know.
type Expr interface {
	// Kind is the kernel's name of the expression ("payload", "meta").
	Kind() string
}

// exprKinds maps an expression's name to the type that decodes it; each
// expr_*.go file adds its kind.
var exprKinds = map[string]reflect.Type{}

func register(x Expr) { exprKinds[x.Kind()] = reflect.TypeOf(x).Elem() }

// RawExpr is an expression of a kind the package does not model, kept as
// its name and the attributes inside its NFTA_EXPR_DATA, and sent back
// unchanged.
type RawExpr struct {
	Name string
	Data []byte
}

// Kind returns the expression's name.
func (r *RawExpr) Kind() string { return r.Name }

// customExpr is an expression that encodes itself, rather than through
// its struct tags.
type customExpr interface {
	encode(e *netlink.AttrEncoder)
	decode(b []byte) error
}

// putExpr appends the nest typ of one expression: NFTA_EXPR_NAME and
// NFTA_EXPR_DATA.
func putExpr(e *netlink.AttrEncoder, typ uint16, x Expr) {
	n := e.Nest(typ)
	e.String(uapi.NFTA_EXPR_NAME, x.Kind())
	if r, ok := x.(*RawExpr); ok && r.Data == nil {
		e.End(n) // it came without NFTA_EXPR_DATA
		return
	}
	d := e.Nest(uapi.NFTA_EXPR_DATA)
	switch x := x.(type) {
	case *RawExpr:
		e.Raw(x.Data)
	case customExpr:
		x.encode(e)
	default:
		encodeTagged(e, x)
	}
	e.End(d)
	e.End(n)
}

// putExprs appends the list nest typ of expressions, each an
// NFTA_LIST_ELEM.
func putExprs(e *netlink.AttrEncoder, typ uint16, xs []Expr) {
	n := e.Nest(typ)
	for _, x := range xs {
		putExpr(e, uapi.NFTA_LIST_ELEM, x)
	}
	e.End(n)
}

// parseExpr decodes one expression nest's payload.
func parseExpr(b []byte) (Expr, error) {
	var name string
	var data []byte
	hasData := false
	for a, err := range netlink.Attrs(b) {
		if err != nil {
			return nil, err
		}
		switch a.Type {
		case uapi.NFTA_EXPR_NAME:
			name = a.Str()
		case uapi.NFTA_EXPR_DATA:
			data, hasData = a.Data, true
		}
	}
	if name == "" {
		return nil, fmt.Errorf("nftables: expression without a name: %w", netlink.ErrMalformed)
	}
	t, ok := exprKinds[name]
	if !ok {
		r := &RawExpr{Name: name}
		if hasData {
			r.Data = append([]byte{}, data...)
		}
		return r, nil
	}
	x := reflect.New(t).Interface().(Expr)
	var err error
	if c, ok := x.(customExpr); ok {
		err = c.decode(data)
	} else {
		err = decodeTagged(data, x)
	}
	if err != nil {
		// Kept whole rather than lost: it goes back as it came.
		return &RawExpr{Name: name, Data: append([]byte{}, data...)}, nil
	}
	return x, nil
}

// parseExprs decodes a list of expressions (NFTA_LIST_ELEM nests).
func parseExprs(b []byte) ([]Expr, error) {
	var xs []Expr
	for a, err := range netlink.Attrs(b) {
		if err != nil {
			return nil, err
		}
		if a.Type != uapi.NFTA_LIST_ELEM {
			return nil, fmt.Errorf("nftables: attribute %d in a list of expressions: %w", a.Type, netlink.ErrMalformed)
		}
		x, err := parseExpr(a.Data)
		if err != nil {
			return nil, err
		}
		xs = append(xs, x)
	}
	return xs, nil
}

// Register is a register number (enum nft_registers): RegVerdict, the
// four 16-byte registers Reg1 to Reg4, or the 32-bit registers Reg32(0)
// to Reg32(15) that overlap them.
type Register = uint32

// The registers.
const (
	RegVerdict Register = 0 // NFT_REG_VERDICT
	Reg1       Register = 1 // NFT_REG_1
	Reg2       Register = 2 // NFT_REG_2
	Reg3       Register = 3 // NFT_REG_3
	Reg4       Register = 4 // NFT_REG_4
)

// Reg32 returns the 32-bit register n (NFT_REG32_00 + n), 0 to 15.
func Reg32(n int) Register { return Register(8 + n) }
