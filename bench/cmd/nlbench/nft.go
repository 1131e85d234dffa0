package main

// (11) nf_tables: load a ruleset in one transaction, then read the whole
// ruleset back, decoded, in a fresh namespace (run.sh makes one per
// process). The ruleset is nft's
//
//	table inet bench {
//		set blocked { type ipv4_addr; elements = { 198.18.0.0, ... } }
//		chain input {
//			type filter hook input priority 0; policy accept;
//			ip saddr @blocked drop
//			tcp dport 1 accept
//			tcp dport 2 accept
//			...
//		}
//	}
//
// with -n rules (the lookup and n-1 port rules) and -elems elements, and
// every Go row builds the objects and expressions nft makes of it (checked
// by listing what nft loaded). Each process reports two rows: nftload (the
// transaction: encoding it and the kernel applying it) and nftlist (the
// listing, decoded). The load's count and checksum are read by nlkit
// outside the measurement, whatever the row's library, and the list's by
// the row's library: the number of rules, and an order-free sum of each
// rule's port (the lookup rule counts 1<<32) and of the elements (their
// number and the sum of their keys).

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"strings"
	"time"

	gnft "github.com/google/nftables"
	gnftbin "github.com/google/nftables/binaryutil"
	gexpr "github.com/google/nftables/expr"
	mdnl "github.com/mdlayher/netlink"
	"github.com/nlkit/netlink/netfilter/nftables"
	"golang.org/x/sys/unix"
)

var nftElems = flag.Int("elems", 100000, "-w nft: elements of the set")

// nftAcc accumulates a listing's checked values.
type nftAcc struct {
	rules, elems   int
	ports, keysSum uint64
}

func (a *nftAcc) port(p uint16) { a.ports += uint64(p) }
func (a *nftAcc) lookup()       { a.ports += 1 << 32 }
func (a *nftAcc) key(k []byte) {
	if len(k) != 4 {
		log.Fatalf("element key of %d bytes", len(k))
	}
	a.elems++
	a.keysSum += uint64(binary.BigEndian.Uint32(k))
}

func (a *nftAcc) result() (int, uint64) {
	nftElemsRead = a.elems
	return a.rules, a.ports*1000003 + a.keysSum + uint64(a.elems)<<40
}

// nftElemsRead is the number of elements the last listing found.
var nftElemsRead int

// nftKey is the i-th element: 198.18.0.0 + i.
func nftKey(i int) []byte { return binary.BigEndian.AppendUint32(nil, 198<<24|18<<16+uint32(i)) }

// nftPort is the port of the i-th port rule (i from 1).
func nftPort(i int) uint16 { return uint16(1 + (i-1)%65535) }

// nftFile writes the ruleset in nft's syntax.
func nftFile(name string) {
	f, err := os.Create(name)
	must(err)
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "table inet bench {\n\tset blocked {\n\t\ttype ipv4_addr\n\t\telements = {")
	for i := range *nftElems {
		k := nftKey(i)
		fmt.Fprintf(w, "\t\t\t%d.%d.%d.%d,\n", k[0], k[1], k[2], k[3])
	}
	fmt.Fprintln(w, "\t\t}\n\t}\n\tchain input {\n\t\ttype filter hook input priority 0; policy accept;\n\t\tip saddr @blocked drop")
	for i := 1; i < *n; i++ {
		fmt.Fprintf(w, "\t\ttcp dport %d accept\n", nftPort(i))
	}
	fmt.Fprintln(w, "\t}\n}")
	must(w.Flush())
	must(f.Close())
}

// nlkitNftList lists the ruleset of every family with nlkit, decoded.
func nlkitNftList(c *nftables.Conn) (int, uint64) {
	rs, err := c.Ruleset(ctx, nftables.FamilyUnspec)
	must(err)
	var acc nftAcc
	for _, r := range rs.Rules {
		acc.rules++
		var p *nftables.Payload
		for _, e := range r.Exprs {
			switch e := e.(type) {
			case *nftables.Lookup:
				acc.lookup()
			case *nftables.Payload:
				p = e
			case *nftables.Cmp:
				if p != nil && p.Base == 2 && p.Offset == 2 && len(e.Data) == 2 {
					acc.port(binary.BigEndian.Uint16(e.Data))
				}
			}
		}
	}
	for _, elems := range rs.Elements {
		for _, el := range elems {
			acc.key(el.Key)
		}
	}
	return acc.result()
}

// nftCheck is what nlkit reads back, outside the measurement, once two
// listings in a row agree. Right after a load of many elements the
// kernel may still be growing the set's hash table, and a dump of a hash
// set that grows between two of its datagrams repeats some elements and
// leaves out as many others (nft_rhash_walk skips the elements it sent
// before, counted in the table's new order), without marking the dump
// interrupted: seen here as the right count with the wrong key sum.
func nftCheck() (int, uint64) {
	c, err := nftables.Dial(nil)
	must(err)
	defer c.Close()
	n, sum := nlkitNftList(c)
	for range 50 {
		time.Sleep(20 * time.Millisecond)
		n2, sum2 := nlkitNftList(c)
		if n2 == n && sum2 == sum {
			return n, sum
		}
		n, sum = n2, sum2
	}
	log.Fatal("nftCheck: the ruleset's listing never settled")
	return 0, 0
}

// nftRun measures load, then fills its check with nftCheck's listing and
// emits it as nftload; if the load succeeded, measures list and emits it
// as nftlist. A load that fails is reported with its error (err=...),
// the honest result of a library that cannot do it as asked.
func nftRun(load func() error, list func() (int, uint64)) {
	var lerr error
	s := measure(1, func() (int, uint64) { lerr = load(); return 0, 0 })
	if child := nftChild; child > 0 {
		s.cpu, s.allocs, s.bytes = child, 0, 0 // nft's row: its CPU
	}
	s.count, s.check = nftCheck()
	s.extra = fmt.Sprintf(" elems=%d", nftElemsRead)
	if lerr != nil {
		s.extra += " err=" + strings.ReplaceAll(lerr.Error(), "\n", " ")
		emitAs("nftload", *impl, s)
		return
	}
	emitAs("nftload", *impl, s)
	nftChild = 0
	s = measure(1, list)
	if child := nftChild; child > 0 {
		s.cpu, s.allocs, s.bytes = child, 0, 0
		s.count, s.check = nftJSON(nftOut) // nft's output, read after
	}
	s.extra = fmt.Sprintf(" elems=%d", nftElemsRead)
	emitAs("nftlist", *impl, s)
}

// nftChild is the CPU time of the nft process a run waited for, and
// nftOut what it printed.
var (
	nftChild time.Duration
	nftOut   []byte
)

// The ruleset as nlkit's values.
func nlkitRuleset() (tbl *nftables.Table, chain *nftables.Chain, set *nftables.Set, elems []nftables.Element, rules []*nftables.Rule) {
	const fam = nftables.FamilyINet
	tbl = &nftables.Table{Family: fam, Name: "bench"}
	accept := nftables.VerdictAccept
	chain = &nftables.Chain{Family: fam, Table: "bench", Name: "input", Type: "filter",
		Hook: &nftables.Hook{Num: nftables.HookInput}, Policy: &accept}
	// KeyType 7 is nft's ipv4_addr; the user data is nft's (the key's
	// byte order, big endian).
	set = &nftables.Set{Family: fam, Table: "bench", Name: "blocked", KeyType: 7, KeyLen: 4, UserData: []byte{0, 4, 2, 0, 0, 0}}
	elems = make([]nftables.Element, *nftElems)
	for i := range elems {
		elems[i].Key = nftKey(i)
	}
	rules = make([]*nftables.Rule, *n)
	rules[0] = &nftables.Rule{Family: fam, Table: "bench", Chain: "input", Exprs: []nftables.Expr{
		&nftables.Meta{Key: unix.NFT_META_NFPROTO, Dreg: nftables.Reg1},
		&nftables.Cmp{Sreg: nftables.Reg1, Data: []byte{unix.NFPROTO_IPV4}},
		&nftables.Payload{Dreg: nftables.Reg1, Base: 1, Offset: 12, Len: 4},
		&nftables.Lookup{Set: "blocked", Sreg: nftables.Reg1},
		nftables.Drop(),
	}}
	for i := 1; i < *n; i++ {
		rules[i] = &nftables.Rule{Family: fam, Table: "bench", Chain: "input", Exprs: []nftables.Expr{
			&nftables.Meta{Key: unix.NFT_META_L4PROTO, Dreg: nftables.Reg1},
			&nftables.Cmp{Sreg: nftables.Reg1, Data: []byte{unix.IPPROTO_TCP}},
			&nftables.Payload{Dreg: nftables.Reg1, Base: 2, Offset: 2, Len: 2},
			&nftables.Cmp{Sreg: nftables.Reg1, Data: binary.BigEndian.AppendUint16(nil, nftPort(i))},
			nftables.Accept(),
		}}
	}
	return
}

// The ruleset as google/nftables' values.
func googleRuleset() (tbl *gnft.Table, chain *gnft.Chain, set *gnft.Set, elems []gnft.SetElement, rules []*gnft.Rule) {
	tbl = &gnft.Table{Family: gnft.TableFamilyINet, Name: "bench"}
	accept := gnft.ChainPolicyAccept
	chain = &gnft.Chain{Name: "input", Table: tbl, Type: gnft.ChainTypeFilter,
		Hooknum: gnft.ChainHookInput, Priority: gnft.ChainPriorityFilter, Policy: &accept}
	set = &gnft.Set{Table: tbl, Name: "blocked", KeyType: gnft.TypeIPAddr, KeyByteOrder: gnftbin.BigEndian}
	elems = make([]gnft.SetElement, *nftElems)
	for i := range elems {
		elems[i].Key = nftKey(i)
	}
	rules = make([]*gnft.Rule, *n)
	for i := range rules {
		rules[i] = &gnft.Rule{Table: tbl, Chain: chain}
	}
	return
}

// googleRules fills the rules' expressions once the set has its ID.
func googleRules(rules []*gnft.Rule, set *gnft.Set) {
	rules[0].Exprs = []gexpr.Any{
		&gexpr.Meta{Key: gexpr.MetaKeyNFPROTO, Register: 1},
		&gexpr.Cmp{Op: gexpr.CmpOpEq, Register: 1, Data: []byte{unix.NFPROTO_IPV4}},
		&gexpr.Payload{DestRegister: 1, Base: gexpr.PayloadBaseNetworkHeader, Offset: 12, Len: 4},
		&gexpr.Lookup{SourceRegister: 1, SetName: set.Name, SetID: set.ID},
		&gexpr.Verdict{Kind: gexpr.VerdictDrop},
	}
	for i := 1; i < len(rules); i++ {
		rules[i].Exprs = []gexpr.Any{
			&gexpr.Meta{Key: gexpr.MetaKeyL4PROTO, Register: 1},
			&gexpr.Cmp{Op: gexpr.CmpOpEq, Register: 1, Data: []byte{unix.IPPROTO_TCP}},
			&gexpr.Payload{DestRegister: 1, Base: gexpr.PayloadBaseTransportHeader, Offset: 2, Len: 2},
			&gexpr.Cmp{Op: gexpr.CmpOpEq, Register: 1, Data: binary.BigEndian.AppendUint16(nil, nftPort(i))},
			&gexpr.Verdict{Kind: gexpr.VerdictAccept},
		}
	}
}

// googleList lists the ruleset with google/nftables, decoded: tables,
// chains, each table's sets and their elements, each chain's rules.
func googleList(c *gnft.Conn) (int, uint64) {
	var acc nftAcc
	tables, err := c.ListTables()
	must(err)
	chains, err := c.ListChains()
	must(err)
	for _, t := range tables {
		sets, err := c.GetSets(t)
		must(err)
		for _, s := range sets {
			elems, err := c.GetSetElements(s)
			must(err)
			for _, el := range elems {
				acc.key(el.Key)
			}
		}
		for _, ch := range chains {
			if ch.Table.Name != t.Name || ch.Table.Family != t.Family {
				continue
			}
			rules, err := c.GetRules(t, ch)
			must(err)
			for _, r := range rules {
				acc.rules++
				var p *gexpr.Payload
				for _, e := range r.Exprs {
					switch e := e.(type) {
					case *gexpr.Lookup:
						acc.lookup()
					case *gexpr.Payload:
						p = e
					case *gexpr.Cmp:
						if p != nil && p.Base == gexpr.PayloadBaseTransportHeader && p.Offset == 2 && len(e.Data) == 2 {
							acc.port(binary.BigEndian.Uint16(e.Data))
						}
					}
				}
			}
		}
	}
	return acc.result()
}

// nftJSON reads nft -j list ruleset's output: rules, their tcp dport
// matches and lookups, and the sets' elements.
func nftJSON(out []byte) (int, uint64) {
	var doc struct {
		Nftables []map[string]json.RawMessage `json:"nftables"`
	}
	must(json.Unmarshal(out, &doc))
	var acc nftAcc
	for _, obj := range doc.Nftables {
		if raw, ok := obj["set"]; ok {
			var s struct{ Elem []string }
			must(json.Unmarshal(raw, &s))
			for _, e := range s.Elem {
				var a [4]byte
				if _, err := fmt.Sscanf(e, "%d.%d.%d.%d", &a[0], &a[1], &a[2], &a[3]); err != nil {
					log.Fatalf("nft -j: element %q", e)
				}
				acc.key(a[:])
			}
		}
		if raw, ok := obj["rule"]; ok {
			var r struct {
				Expr []struct {
					Match *struct {
						Left struct {
							Payload struct{ Protocol, Field string }
						}
						Right json.RawMessage
					}
				}
			}
			must(json.Unmarshal(raw, &r))
			acc.rules++
			for _, e := range r.Expr {
				if e.Match == nil {
					continue
				}
				var port uint16
				switch pl := e.Match.Left.Payload; {
				case pl.Protocol == "tcp" && pl.Field == "dport" && json.Unmarshal(e.Match.Right, &port) == nil:
					acc.port(port)
				case strings.HasPrefix(string(e.Match.Right), `"@`):
					acc.lookup()
				}
			}
		}
	}
	return acc.result()
}

// googleBuffers makes a google/nftables socket's buffers big enough for
// the whole transaction and every ACK (SO_SNDBUFFORCE, SO_RCVBUFFORCE:
// the process is root), which its defaults are not.
func googleBuffers(c *mdnl.Conn) error {
	rc, err := c.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	err = rc.Control(func(fd uintptr) {
		if serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_SNDBUFFORCE, 256<<20); serr == nil {
			serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, 256<<20)
		}
	})
	if err != nil {
		return err
	}
	return serr
}

// googleChunk is how many elements google-split puts in one
// SetAddElements call, so that each message's element list stays under
// the 64 KiB of an attribute (about 20 bytes an element).
const googleChunk = 2000

func init() {
	register("nft", "nlkit", func() {
		tbl, chain, set, elems, rules := nlkitRuleset()
		c, err := nftables.Dial(nil)
		must(err)
		nftRun(func() error {
			var tx nftables.Tx
			tx.Add(tbl)
			tx.Add(chain)
			tx.Add(set)
			tx.AddElements(set, elems...)
			for _, r := range rules {
				tx.Add(r)
			}
			return c.Commit(ctx, &tx)
		}, func() (int, uint64) { return nlkitNftList(c) })
	})
	// google: the library as its README shows it, the set and its
	// elements in one AddSet, default buffers; google-bigbuf: the same
	// with buffers big enough for the transaction; google-split: also its
	// elements in SetAddElements calls of googleChunk, in the same one
	// Flush (one transaction), the equal work.
	for _, v := range []struct {
		name          string
		bigbuf, split bool
	}{{"google", false, false}, {"google-bigbuf", true, false}, {"google-split", true, true}} {
		register("nft", v.name, func() {
			tbl, chain, set, elems, rules := googleRuleset()
			opts := []gnft.ConnOption{gnft.AsLasting()}
			if v.bigbuf {
				opts = append(opts, gnft.WithSockOptions(googleBuffers))
			}
			c, err := gnft.New(opts...)
			must(err)
			lister, err := gnft.New(gnft.AsLasting())
			must(err)
			nftRun(func() error {
				c.AddTable(tbl)
				c.AddChain(chain)
				if !v.split {
					if err := c.AddSet(set, elems); err != nil {
						return err
					}
				} else {
					if err := c.AddSet(set, nil); err != nil {
						return err
					}
					for i := 0; i < len(elems); i += googleChunk {
						if err := c.SetAddElements(set, elems[i:min(len(elems), i+googleChunk)]); err != nil {
							return err
						}
					}
				}
				googleRules(rules, set)
				for _, r := range rules {
					c.AddRule(r)
				}
				return c.Flush()
			}, func() (int, uint64) { return googleList(lister) })
		})
	}
	register("nft", "nft", func() {
		file := fmt.Sprintf("/tmp/nlbench-%d.nft", os.Getpid())
		nftFile(file) // outside the measurement
		defer os.Remove(file)
		nftRun(func() error {
			cmd := exec.Command("nft", "-f", file)
			cmd.Stderr = os.Stderr
			err := cmd.Run()
			nftChild = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
			return err
		}, func() (int, uint64) {
			cmd := exec.Command("nft", "-j", "list", "ruleset")
			var err error
			nftOut, err = cmd.Output()
			must(err)
			nftChild = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
			return 0, 0
		})
	})
}
