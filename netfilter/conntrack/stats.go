package conntrack

import (
	"context"
	"fmt"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/netfilter"
)

// CPUStats are one CPU's conntrack counters (enum ctattr_stats_cpu), as
// conntrack -S prints them.
type CPUStats struct {
	CPU           uint16 // the nfgenmsg res_id
	Found         uint32 // CTA_STATS_FOUND
	Invalid       uint32 // CTA_STATS_INVALID
	Insert        uint32 // CTA_STATS_INSERT
	InsertFailed  uint32 // CTA_STATS_INSERT_FAILED
	Drop          uint32 // CTA_STATS_DROP
	EarlyDrop     uint32 // CTA_STATS_EARLY_DROP
	Error         uint32 // CTA_STATS_ERROR
	SearchRestart uint32 // CTA_STATS_SEARCH_RESTART
	ClashResolve  uint32 // CTA_STATS_CLASH_RESOLVE
	ChainTooLong  uint32 // CTA_STATS_CHAIN_TOOLONG
}

// Stats are the table's global counters (enum ctattr_stats_global).
type Stats struct {
	Entries    uint32 // CTA_STATS_GLOBAL_ENTRIES: entries in the table
	MaxEntries uint32 // CTA_STATS_GLOBAL_MAX_ENTRIES: nf_conntrack_max
}

// CPUStats returns the counters of each CPU: it sends
// IPCTNL_MSG_CT_GET_STATS_CPU with NLM_F_DUMP.
func (c *Conn) CPUStats(ctx context.Context) ([]CPUStats, error) {
	var out []CPUStats
	req := netlink.Message{Header: netlink.Header{Type: msgGetStatsCPU, Flags: netlink.Dump}, Data: netfilter.Header{}.Append(nil)}
	for m, err := range c.NL.Dump(ctx, req) {
		if err != nil {
			return out, netlink.WithObject(err, "conntrack per-CPU statistics")
		}
		s, err := ParseCPUStats(m.Data)
		if err != nil {
			return out, err
		}
		out = append(out, s)
	}
	return out, nil
}

// ParseCPUStats decodes the payload of an IPCTNL_MSG_CT_GET_STATS_CPU
// reply.
func ParseCPUStats(data []byte) (CPUStats, error) {
	h, err := netfilter.ParseHeader(data)
	if err != nil {
		return CPUStats{}, err
	}
	s := CPUStats{CPU: h.ResourceID}
	d := netlink.NewAttrDecoder(data[netfilter.HeaderLen:])
	for d.Next() {
		var p *uint32
		switch d.Type() {
		case ctaStatsFound:
			p = &s.Found
		case ctaStatsInvalid:
			p = &s.Invalid
		case ctaStatsInsert:
			p = &s.Insert
		case ctaStatsInsertFailed:
			p = &s.InsertFailed
		case ctaStatsDrop:
			p = &s.Drop
		case ctaStatsEarlyDrop:
			p = &s.EarlyDrop
		case ctaStatsError:
			p = &s.Error
		case ctaStatsSearchRestart:
			p = &s.SearchRestart
		case ctaStatsClashResolve:
			p = &s.ClashResolve
		case ctaStatsChainTooLong:
			p = &s.ChainTooLong
		default:
			continue
		}
		*p = d.Uint32BE()
	}
	if err := d.Err(); err != nil {
		return s, fmt.Errorf("conntrack: per-CPU statistics: %w", err)
	}
	return s, nil
}

// Stats returns the table's global counters: it sends
// IPCTNL_MSG_CT_GET_STATS.
func (c *Conn) Stats(ctx context.Context) (Stats, error) {
	msgs, err := c.NL.Execute(ctx, netlink.Message{Header: netlink.Header{Type: msgGetStats}, Data: netfilter.Header{}.Append(nil)})
	if err != nil {
		return Stats{}, netlink.WithObject(err, "conntrack statistics")
	}
	for _, m := range msgs {
		if m.Header.Type != msgGetStats {
			continue
		}
		if len(m.Data) < netfilter.HeaderLen {
			break
		}
		var s Stats
		d := netlink.NewAttrDecoder(m.Data[netfilter.HeaderLen:])
		for d.Next() {
			switch d.Type() {
			case ctaStatsGlobalEntries:
				s.Entries = d.Uint32BE()
			case ctaStatsGlobalMaxEntries:
				s.MaxEntries = d.Uint32BE()
			}
		}
		if err := d.Err(); err != nil {
			return s, fmt.Errorf("conntrack: statistics: %w", err)
		}
		return s, nil
	}
	return Stats{}, fmt.Errorf("conntrack: statistics: no reply: %w", netlink.ErrMalformed)
}
