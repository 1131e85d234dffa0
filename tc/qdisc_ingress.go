package tc

import "github.com/nlkit/netlink"

// Ingress is the options of an ingress qdisc: none. It sits at parent
// Ingress with handle HandleIngressQdisc; its filters attach to HandleIngressQdisc.
type Ingress struct{}

// Clsact is the options of a clsact qdisc: none. It sits at parent
// Ingress with handle HandleIngressQdisc; its filters attach to HandleClsactIngress
// and HandleClsactEgress.
type Clsact struct{}

func init() {
	registerQdisc("ingress", func() Options { return new(Ingress) })
	registerQdisc("clsact", func() Options { return new(Clsact) })
}

// Kind returns "ingress".
func (*Ingress) Kind() string { return "ingress" }

// Kind returns "clsact".
func (*Clsact) Kind() string { return "clsact" }

// The kernel reports an empty TCA_OPTIONS and takes none.

func (*Ingress) encode(*netlink.AttrEncoder) error { return nil }
func (*Ingress) decode([]byte) error               { return nil }
func (*Clsact) encode(*netlink.AttrEncoder) error  { return nil }
func (*Clsact) decode([]byte) error                { return nil }
