package nftables

import "context"

// Ruleset is everything nf_tables holds for a family, as Conn.Ruleset
// reads it.
type Ruleset struct {
	Tables     []*Table
	Chains     []*Chain
	Sets       []*Set
	Elements   [][]Element // the elements of Sets[i]
	Objects    []*NamedObject
	Flowtables []*Flowtable
	Rules      []*Rule
}

// Ruleset reads the whole ruleset of family f, or of every family for
// FamilyUnspec: one dump of each kind, and one of each set's elements.
func (c *Conn) Ruleset(ctx context.Context, f Family) (*Ruleset, error) {
	var rs Ruleset
	var err error
	if rs.Tables, err = c.Tables(ctx, f); err != nil {
		return nil, err
	}
	if rs.Chains, err = c.Chains(ctx, f, ""); err != nil {
		return nil, err
	}
	if rs.Sets, err = c.Sets(ctx, f, ""); err != nil {
		return nil, err
	}
	for _, s := range rs.Sets {
		elems, err := c.Elements(ctx, s)
		if err != nil {
			return nil, err
		}
		rs.Elements = append(rs.Elements, elems)
	}
	if rs.Objects, err = c.Objects(ctx, f, ""); err != nil {
		return nil, err
	}
	if rs.Flowtables, err = c.Flowtables(ctx, f, ""); err != nil {
		return nil, err
	}
	if rs.Rules, err = c.Rules(ctx, f, "", ""); err != nil {
		return nil, err
	}
	return &rs, nil
}

// AddTo adds the ruleset to tx, in the order the kernel needs: tables,
// chains, named objects and flowtables, which sets and rules refer to,
// then sets with their elements, then rules, each appended to its chain.
// The kernel's handles are not sent: a ruleset read from one namespace re-creates in another.
func (rs *Ruleset) AddTo(tx *Tx) {
	for _, t := range rs.Tables {
		tx.Add(t)
	}
	for _, c := range rs.Chains {
		tx.Add(c)
	}
	for _, o := range rs.Objects {
		tx.Add(o)
	}
	for _, f := range rs.Flowtables {
		tx.Add(f)
	}
	for i, s := range rs.Sets {
		tx.Add(s)
		if i < len(rs.Elements) {
			tx.AddElements(s, rs.Elements[i]...)
		}
	}
	for _, r := range rs.Rules {
		// A listed rule's Position is the handle of the rule before it:
		// appended in order, the rules keep their order without it.
		c := *r
		c.Position = 0
		tx.Add(&c)
	}
}
