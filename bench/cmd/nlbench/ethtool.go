package main

// (12) ethtool over generic netlink: the link info, link modes and link
// state of every link of a namespace, as three dumps (ethdump) or as three
// requests per link by name (ethget). run.sh makes the links: veth pairs
// v<i>/w<i>, the even pairs up. Every implementation decodes the same
// values of each link (index, name, port, speed, duplex, autoneg, the
// number of link modes it advertises, whether it has a link) and sums
// them, an order-free checksum; each asks for compact bit sets, as
// mdlayher/ethtool always does.

import (
	"context"
	"log"
	"math/bits"
	"net"
	"strings"

	mdeth "github.com/mdlayher/ethtool"
	nlgenl "github.com/nlkit/netlink/genetlink"
	"github.com/nlkit/netlink/genetlink/ynl"
	eth "github.com/nlkit/netlink/genetlink/ynl/ethtool"
)

// ethAcc accumulates the checked values of the links read.
type ethAcc struct {
	count int
	sum   uint64
}

// info, modes and state each add their part of a link's values; info
// counts the link.
func (a *ethAcc) info(index int, name string, port uint8) {
	a.count++
	a.sum += uint64(index)<<24 + uint64(len(name))<<16 + uint64(port)
}

func (a *ethAcc) modes(index int, name string, speed uint32, duplex, autoneg uint8, advertised int) {
	a.sum += uint64(index)<<24 + uint64(len(name))<<16 + uint64(speed)<<4 + uint64(duplex)<<2 + uint64(autoneg) + uint64(advertised)<<40
}

func (a *ethAcc) state(index int, name string, link bool) {
	a.sum += uint64(index)<<24 + uint64(len(name))<<16
	if link {
		a.sum += 1 << 44
	}
}

// ethLinks names the links run.sh made (v<i>, w<i>), read outside the
// measurement.
func ethLinks() []string {
	ifs, err := net.Interfaces()
	must(err)
	var names []string
	for _, ifi := range ifs {
		if strings.HasPrefix(ifi.Name, "v") || strings.HasPrefix(ifi.Name, "w") {
			names = append(names, ifi.Name)
		}
	}
	if len(names) != *n {
		log.Fatalf("%d links v*/w* in the namespace, want -n %d", len(names), *n)
	}
	return names
}

// compactHeader asks for compact bit sets; with name, about that link.
func compactHeader(name string) ynl.Opt[eth.Header] {
	return ynl.Some(eth.Header{DevName: name, Flags: ynl.Some(eth.HeaderFlagsCompactBitsets)})
}

// popcount counts the link modes an nlkit bit set advertises: its value
// under its mask, as mdlayher/ethtool reads it.
func popcount(b eth.Bitset) int {
	c := 0
	for i := 0; i+4 <= len(b.Value); i += 4 {
		v := uint32(b.Value[i]) | uint32(b.Value[i+1])<<8 | uint32(b.Value[i+2])<<16 | uint32(b.Value[i+3])<<24
		if !b.Nomask {
			if i+4 > len(b.Mask) {
				break
			}
			v &= uint32(b.Mask[i]) | uint32(b.Mask[i+1])<<8 | uint32(b.Mask[i+2])<<16 | uint32(b.Mask[i+3])<<24
		}
		c += bits.OnesCount32(v)
	}
	return c
}

func nlkitEth() *eth.Client {
	g, err := nlgenl.Dial(nil)
	must(err)
	c, err := eth.New(context.Background(), g)
	must(err)
	return c
}

func (a *ethAcc) nlkitInfo(v eth.Linkinfo) {
	h := v.Header.V
	a.info(int(h.DevIndex.V), h.DevName, v.Port.V)
}

func (a *ethAcc) nlkitModes(v eth.Linkmodes) {
	h := v.Header.V
	a.modes(int(h.DevIndex.V), h.DevName, v.Speed.V, v.Duplex.V, v.Autoneg.V, popcount(v.Ours.V))
}

func (a *ethAcc) nlkitState(v eth.Linkstate) {
	h := v.Header.V
	a.state(int(h.DevIndex.V), h.DevName, v.Link.V != 0)
}

func (a *ethAcc) mdInfo(v *mdeth.LinkInfo) {
	a.info(v.Interface.Index, v.Interface.Name, uint8(v.Port))
}

func (a *ethAcc) mdModes(v *mdeth.LinkMode) {
	a.modes(v.Interface.Index, v.Interface.Name, uint32(v.SpeedMegabits), uint8(v.Duplex), uint8(v.Autoneg), len(v.Ours))
}

func (a *ethAcc) mdState(v *mdeth.LinkState) {
	a.state(v.Interface.Index, v.Interface.Name, v.Link)
}

func init() {
	// Dumps: one of each command, every link in the namespace.
	register("ethdump", "nlkit", func() {
		c := nlkitEth()
		hdr := compactHeader("")
		repeat(*n, func() (int, uint64) {
			var acc ethAcc
			for v, err := range c.LinkinfoGetDump(ctx, &eth.Linkinfo{Header: hdr}) {
				must(err)
				acc.nlkitInfo(v)
			}
			for v, err := range c.LinkmodesGetDump(ctx, &eth.Linkmodes{Header: hdr}) {
				must(err)
				acc.nlkitModes(v)
			}
			for v, err := range c.LinkstateGetDump(ctx, &eth.Linkstate{Header: hdr}) {
				must(err)
				acc.nlkitState(v)
			}
			return acc.count, acc.sum
		})
	})
	register("ethdump", "mdlayher", func() {
		c, err := mdeth.New()
		must(err)
		repeat(*n, func() (int, uint64) {
			var acc ethAcc
			lis, err := c.LinkInfos()
			must(err)
			for _, v := range lis {
				acc.mdInfo(v)
			}
			lms, err := c.LinkModes()
			must(err)
			for _, v := range lms {
				acc.mdModes(v)
			}
			lss, err := c.LinkStates()
			must(err)
			for _, v := range lss {
				acc.mdState(v)
			}
			return acc.count, acc.sum
		})
	})

	// Gets: the three commands for each link, by name.
	register("ethget", "nlkit", func() {
		c := nlkitEth()
		names := ethLinks()
		hdrs := make([]ynl.Opt[eth.Header], len(names))
		for i, name := range names {
			hdrs[i] = compactHeader(name)
		}
		repeat(*n, func() (int, uint64) {
			var acc ethAcc
			for _, h := range hdrs {
				li, err := c.LinkinfoGet(ctx, &eth.Linkinfo{Header: h})
				must(err)
				acc.nlkitInfo(li)
				lm, err := c.LinkmodesGet(ctx, &eth.Linkmodes{Header: h})
				must(err)
				acc.nlkitModes(lm)
				ls, err := c.LinkstateGet(ctx, &eth.Linkstate{Header: h})
				must(err)
				acc.nlkitState(ls)
			}
			return acc.count, acc.sum
		})
	})
	register("ethget", "mdlayher", func() {
		c, err := mdeth.New()
		must(err)
		names := ethLinks()
		repeat(*n, func() (int, uint64) {
			var acc ethAcc
			for _, name := range names {
				ifi := mdeth.Interface{Name: name}
				li, err := c.LinkInfo(ifi)
				must(err)
				acc.mdInfo(li)
				lm, err := c.LinkMode(ifi)
				must(err)
				acc.mdModes(lm)
				ls, err := c.LinkState(ifi)
				must(err)
				acc.mdState(ls)
			}
			return acc.count, acc.sum
		})
	})
}
