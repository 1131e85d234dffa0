package netlink

import (
	"encoding/binary"
	"math"
	"sync"
	"testing"
)

// Sequence numbers of exchanges have exchangeBit set, skip the wrap, and are
// never handed out twice, even to exchanges that begin at the same time as
// the counter moves into range (the first exchange, or after a wrap): an Add
// then a Store there could give two exchanges the same numbers.
func TestExchangeSequenceNumbers(t *testing.T) {
	c := &Conn{}
	if w := c.begin(1, false); w.first != exchangeBit+1 {
		t.Errorf("first exchange: %#x, want %#x", w.first, exchangeBit+1)
	}
	c.xseq.Store(math.MaxUint32 - 1)
	if w := c.begin(3, false); w.first != exchangeBit+1 || !w.owns(exchangeBit+3) {
		t.Errorf("across the wrap: %#x (+3), want %#x", w.first, exchangeBit+1)
	}

	for _, start := range []uint32{0, math.MaxUint32 - 100} {
		c := &Conn{}
		c.xseq.Store(start)
		const goroutines, each = 8, 2000
		seqs := make([][]uint32, goroutines)
		var wg sync.WaitGroup
		for g := range goroutines {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					w := c.begin(1+i%3, false)
					for k := range w.n {
						seqs[g] = append(seqs[g], w.first+k)
					}
					c.end(w)
				}
			}()
		}
		wg.Wait()
		seen := make(map[uint32]bool)
		for _, s := range seqs {
			for _, seq := range s {
				if seen[seq] || seq&exchangeBit == 0 {
					t.Fatalf("start %#x: sequence number %#x handed out twice or outside the exchange range", start, seq)
				}
				seen[seq] = true
			}
		}
	}
}

// An ACK that carries a warning reaches Config.OnWarning; a plain ACK and
// an error do not.
func TestAckWarning(t *testing.T) {
	var got []Ack
	c := &Conn{proto: 0, onWarning: func(a Ack) { got = append(got, a) }}
	req := Message{Header: Header{Type: 20, Sequence: 5}}
	ack := func(code int32, warning string) Message {
		b := binary.NativeEndian.AppendUint32(nil, uint32(code))
		b = AppendHeader(b, Header{Length: HeaderLen, Type: 20, Sequence: 5})
		e := NewAttrEncoder(b)
		if warning != "" {
			e.String(errAttrMsg, warning)
		}
		b, _ = e.Finish()
		return Message{Header: Header{Type: TypeError, Flags: Capped | AckTLVs, Sequence: 5}, Data: b}
	}
	for _, tc := range []struct {
		code     int32
		warning  string
		warnings int
	}{{0, "", 0}, {0, "careful", 1}, {-2, "no such thing", 1}} {
		done, err := c.ackDone("execute", ack(tc.code, tc.warning), req, false)
		if !done || (err != nil) != (tc.code != 0) {
			t.Errorf("ackDone(%d, %q) = %v, %v", tc.code, tc.warning, done, err)
		}
		if len(got) != tc.warnings {
			t.Errorf("after ackDone(%d, %q): %d warnings, want %d", tc.code, tc.warning, len(got), tc.warnings)
		}
	}
	if len(got) == 1 && (got[0].Message != "careful" || got[0].Request.Sequence != 5) {
		t.Errorf("warning %+v", got[0])
	}
}
