package main

import (
	"fmt"
	"os"
	"slices"

	"go.yaml.in/yaml/v3"
)

// The YAML model of a spec: the fields of the genetlink, genetlink-c and
// genetlink-legacy schemas that generated code needs. Doc text is read by
// no one: generated code carries the specs' facts, not their prose.

type spec struct {
	Name        string       `yaml:"name"`
	Protocol    string       `yaml:"protocol"`
	Version     *int         `yaml:"version"`
	Definitions []definition `yaml:"definitions"`
	AttrSets    []*attrSet   `yaml:"attribute-sets"`
	Operations  struct {
		EnumModel   string       `yaml:"enum-model"`
		FixedHeader string       `yaml:"fixed-header"`
		List        []*operation `yaml:"list"`
	} `yaml:"operations"`
	SubMessages []struct {
		Name    string `yaml:"name"`
		Formats []struct {
			Value        string `yaml:"value"`
			AttributeSet string `yaml:"attribute-set"`
			FixedHeader  string `yaml:"fixed-header"`
		} `yaml:"formats"`
	} `yaml:"sub-messages"`
	McastGroups struct {
		List []struct {
			Name string `yaml:"name"`
		} `yaml:"list"`
	} `yaml:"mcast-groups"`

	sets map[string]*attrSet
	defs map[string]*definition
}

type definition struct {
	Name       string      `yaml:"name"`
	NamePrefix string      `yaml:"name-prefix"`
	Type       string      `yaml:"type"`  // const, enum, flags, struct
	Value      any         `yaml:"value"` // a const's: a number or a string
	ValueStart *int64      `yaml:"value-start"`
	Entries    []enumEntry `yaml:"entries"`
	Members    []member    `yaml:"members"`

	goName string
	wide   bool // needs 64 bits: a value or an attribute of it does
	size   int  // a struct's size, with C's padding (see layout)
	align  int  // a struct's alignment: its widest member's; 0 until laid out
	array  bool // a struct some attribute holds an array of (kernelStructArrays)
}

// enumEntry is an entry of an enum or flags: a bare name or a map.
type enumEntry struct {
	Name  string
	Value *int64

	value uint64 // the resolved value (flags: the bit, not its index)
}

func (e *enumEntry) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		e.Name = n.Value
		return nil
	}
	var m struct {
		Name  string `yaml:"name"`
		Value *int64 `yaml:"value"`
	}
	if err := n.Decode(&m); err != nil {
		return err
	}
	e.Name, e.Value = m.Name, m.Value
	return nil
}

type member struct {
	Name        string `yaml:"name"`
	Type        string `yaml:"type"`
	Len         any    `yaml:"len"`
	ByteOrder   string `yaml:"byte-order"`
	Enum        string `yaml:"enum"`
	DisplayHint string `yaml:"display-hint"`
	Struct      string `yaml:"struct"` // a binary member that is a struct

	offset int // where C puts it (see layout)
}

type attrSet struct {
	Name       string  `yaml:"name"`
	NamePrefix string  `yaml:"name-prefix"`
	SubsetOf   string  `yaml:"subset-of"`
	Attributes []*attr `yaml:"attributes"`

	goName  string
	byName  map[string]*attr
	ordered bool // a list of attributes, in order (orderedSets)
}

type attr struct {
	Name             string     `yaml:"name"`
	Type             string     `yaml:"type"`
	Value            *int       `yaml:"value"`
	MultiAttr        bool       `yaml:"multi-attr"`
	NestedAttributes string     `yaml:"nested-attributes"`
	Enum             string     `yaml:"enum"`
	EnumAsFlags      bool       `yaml:"enum-as-flags"`
	ByteOrder        string     `yaml:"byte-order"`
	DisplayHint      string     `yaml:"display-hint"`
	SubType          string     `yaml:"sub-type"`
	Struct           string     `yaml:"struct"`
	TypeValue        []string   `yaml:"type-value"`
	Checks           attrChecks `yaml:"checks"`
	Len              any        `yaml:"len"`

	value  int
	goName string
	// raw is the attribute's own YAML, for merging a subset's override.
	raw map[string]any
	// structArray says a binary with a struct holds an array of them
	// (kernelStructArrays).
	structArray bool
}

// attrChecks is what the spec says the kernel checks.
type attrChecks struct {
	Min        any `yaml:"min"`
	Max        any `yaml:"max"`
	MinLen     any `yaml:"min-len"`
	MaxLen     any `yaml:"max-len"`
	ExactLen   any `yaml:"exact-len"`
	Unterminal any `yaml:"unterminated-ok"`
}

type opMode struct {
	Request *opMsg `yaml:"request"`
	Reply   *opMsg `yaml:"reply"`
}

type opMsg struct {
	Value      *int     `yaml:"value"`
	Attributes []string `yaml:"attributes"`
}

type operation struct {
	Name         string  `yaml:"name"`
	Value        *int    `yaml:"value"`
	AttributeSet string  `yaml:"attribute-set"`
	FixedHeader  string  `yaml:"fixed-header"`
	Do           *opMode `yaml:"do"`
	Dump         *opMode `yaml:"dump"`
	Notify       string  `yaml:"notify"`
	Event        *struct {
		Attributes []string `yaml:"attributes"`
	} `yaml:"event"`
	Mcgrp string `yaml:"mcgrp"`

	goName   string
	req, rsp int // command numbers; -1 if none
}

// readSpec reads and resolves the spec in file: numbers, subsets, names.
func readSpec(file string) (*spec, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var s spec
	if err := yaml.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	// Keep each attribute's own YAML keys, to tell what a subset overrides.
	var raw struct {
		AttrSets []struct {
			Attributes []map[string]any `yaml:"attributes"`
		} `yaml:"attribute-sets"`
	}
	if err := yaml.Unmarshal(b, &raw); err != nil {
		return nil, err
	}
	for i, set := range s.AttrSets {
		for j, a := range set.Attributes {
			a.raw = raw.AttrSets[i].Attributes[j]
		}
	}
	s.fixKernel()
	if err := s.resolve(); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return &s, nil
}

// kernelRepeats are attributes, by family and set, that the kernel puts
// in a message more than once though their spec does not say multi-attr;
// each is generated as multi-attr, or its decoder would keep only the last
// one. kernelNoReply are do operations, by family, whose spec gives a
// reply the kernel never sends (it answers with the ACK alone); each is
// generated without one, or its call would fail for want of it. Both
// found by running the generated code against a kernel (genetlink/ynl's
// TestFamiliesVM):
//
//   - team: a list-option nest holds one option nest per option (the
//     kernel's options-get reply; options-set takes several), a list-port
//     nest one port nest per port (port-list-get); options-set tells the
//     change to the change_event group, not in a reply.
//   - ethtool: a stats-get reply has one grp nest per statistics group,
//     and a group one hist-rx and one hist-tx nest per histogram bucket
//     (net/ethtool/stats.c, stats_put_rmon_hist).
var (
	kernelRepeats = map[string]map[string][]string{
		"team":    {"item-option": {"option"}, "item-port": {"port"}},
		"ethtool": {"stats": {"grp"}, "stats-grp": {"hist-rx", "hist-tx"}},
	}
	kernelNoReply = map[string][]string{
		"team": {"options-set"},
	}
)

// The Open vSwitch specs (ovs_datapath, ovs_vport, ovs_flow) leave out
// or get wrong what the kernel (include/uapi/linux/openvswitch.h,
// net/openvswitch/datapath.c and flow_netlink.c) does; each of these is
// generated as the kernel has it, and checked against it in
// genetlink/ynl's TestFamiliesVM:
//
//   - kernelMembers: struct members whose type the spec gets wrong.
//     ovs_action_push_mpls and ovs_action_add_mpls hold a __be16
//     mpls_ethertype, not the spec's u32: as a u32 the value came out
//     shifted, and add-mpls's tun_flags at the wrong offset in a struct
//     of the wrong size (the kernel wants exactly 8 bytes).
//   - kernelStructArrays: binary attributes that hold an array of their
//     struct, not one: OVS_KEY_ATTR_MPLS is "array of struct
//     ovs_key_mpls", one per label of the stack.
//   - orderedSets: sets whose nests are a list, in order, of attributes
//     that may each come more than once: a flow's actions, which the
//     kernel runs in order (two outputs send the packet twice). Decoded
//     into a struct, only the last of each kind was kept.
//   - kernelOps: commands the kernel has that the spec leaves out:
//     OVS_DP_CMD_SET, OVS_VPORT_CMD_SET, OVS_FLOW_CMD_DEL and
//     OVS_FLOW_CMD_SET. Without ovs_flow's del a flow could not be
//     deleted but with its datapath. Like new, none sends a reply but
//     the ACK (the kernel tells the change to the family's group, and to
//     the sender only if it asks with NLM_F_ECHO).
//
// Structs are laid out as C does (see layout), which the spec does not
// say: ovs_key_arp is 24 bytes, not the 22 of its members, and
// ovs_key_ct_tuple_ipv4 16, not 13; the kernel takes no other size.
var (
	kernelMembers = map[string]map[string]map[string]string{
		"ovs_flow": {
			"ovs-action-push-mpls": {"mpls-ethertype": "u16"},
			"ovs-action-add-mpls":  {"mpls-ethertype": "u16"},
		},
	}
	kernelStructArrays = map[string]map[string][]string{
		"ovs_flow": {"key-attrs": {"mpls"}},
	}
	orderedSets = map[string][]string{
		"ovs_flow": {"action-attrs"},
	}
	kernelOps = map[string][]*operation{
		"ovs_datapath": {kernelOp("set", 4, "datapath", "name", "user-features", "masks-cache-size", "per-cpu-pids")},
		"ovs_vport":    {kernelOp("set", 4, "vport", "port-no", "type", "name", "options", "upcall-pid")},
		"ovs_flow": {
			kernelOp("del", 2, "flow-attrs", "key", "ufid", "ufid-flags"),
			kernelOp("set", 4, "flow-attrs", "key", "ufid", "mask", "actions", "clear", "ufid-flags"),
		},
	}
)

// kernelOp is a do operation without a reply, numbered value, whose
// request carries attrs of set.
func kernelOp(name string, value int, set string, attrs ...string) *operation {
	return &operation{Name: name, Value: &value, AttributeSet: set, Do: &opMode{Request: &opMsg{Attributes: attrs}}}
}

// fixKernel applies kernelRepeats, kernelNoReply and the Open vSwitch
// fixes (kernelMembers, kernelStructArrays, orderedSets, kernelOps), and
// makes each scalar attribute with a type-value what the kernel sends for
// one: a nest-type-value whose entries are the scalar (see keyedScalar).
func (s *spec) fixKernel() {
	for _, set := range s.AttrSets {
		set.ordered = slices.Contains(orderedSets[s.Name], set.Name)
		for _, a := range set.Attributes {
			if slices.Contains(kernelRepeats[s.Name][set.Name], a.Name) {
				a.MultiAttr = true
			}
			a.structArray = slices.Contains(kernelStructArrays[s.Name][set.Name], a.Name)
			keyedScalar(a)
		}
	}
	for i := range s.Definitions {
		d := &s.Definitions[i]
		for j := range d.Members {
			if t, ok := kernelMembers[s.Name][d.Name][d.Members[j].Name]; ok {
				d.Members[j].Type = t
			}
		}
	}
	for _, op := range s.Operations.List {
		if op.Do != nil && slices.Contains(kernelNoReply[s.Name], op.Name) {
			op.Do.Reply = nil
		}
	}
	for _, op := range kernelOps[s.Name] {
		if !slices.ContainsFunc(s.Operations.List, func(o *operation) bool { return o.Name == op.Name }) {
			cp := *op
			s.Operations.List = append(s.Operations.List, &cp)
		}
	}
}

// keyedScalar turns a scalar attribute whose spec gives a type-value
// (ethtool's stats-grp stat, a u64 keyed by id) into the shape the kernel
// sends: a nest holding one attribute whose type is the key and whose
// payload is the scalar, repeated once per value (net/ethtool/stats.c,
// stat_put, puts one ETHTOOL_A_STATS_GRP_STAT nest per counter, the
// counter's index within its group as the inner type). It becomes a
// multi-attr nest-type-value whose sub-type is the scalar's type, and no
// nested set: a Go []ynl.Keyed of the scalar, encoded one nest per entry.
// Read as a plain scalar, each nest's payload (an attribute header and
// the value) was taken for the value, and only the last one kept.
func keyedScalar(a *attr) {
	if len(a.TypeValue) == 0 || a.NestedAttributes != "" {
		return
	}
	switch a.Type {
	case "nest", "nest-type-value", "indexed-array", "sub-message", "pad", "unused", "":
		return
	}
	a.SubType, a.Type, a.MultiAttr = a.Type, "nest-type-value", true
}

// resolve numbers the enums, attributes and operations as the kernel's
// YNL tools do, and fills in subsets from the sets they are subsets of.
func (s *spec) resolve() error {
	s.defs = map[string]*definition{}
	for i := range s.Definitions {
		d := &s.Definitions[i]
		s.defs[d.Name] = d
		var next int64
		if d.ValueStart != nil {
			next = *d.ValueStart
		}
		for j := range d.Entries {
			e := &d.Entries[j]
			if e.Value != nil {
				next = *e.Value
			}
			if d.Type == "flags" {
				e.value = 1 << uint(next)
			} else {
				e.value = uint64(next)
			}
			if e.value > 1<<32-1 {
				d.wide = true
			}
			next++
		}
	}
	for i := range s.Definitions {
		if d := &s.Definitions[i]; d.Type == "struct" {
			if err := s.layout(d); err != nil {
				return err
			}
		}
	}
	s.sets = map[string]*attrSet{}
	for _, set := range s.AttrSets {
		s.sets[set.Name] = set
		set.byName = map[string]*attr{}
	}
	for _, set := range s.AttrSets {
		set.Attributes = dedupe(set.Attributes)
		if set.SubsetOf != "" {
			continue
		}
		v := 1
		for _, a := range set.Attributes {
			if a.Value != nil {
				v = *a.Value
			}
			a.value = v
			set.byName[a.Name] = a
			v++
		}
	}
	for _, set := range s.AttrSets {
		if set.SubsetOf == "" {
			continue
		}
		parent := s.sets[set.SubsetOf]
		if parent == nil || parent.SubsetOf != "" {
			return fmt.Errorf("set %s: subset of %q, which is not a full set", set.Name, set.SubsetOf)
		}
		for i, a := range set.Attributes {
			p := parent.byName[a.Name]
			if p == nil {
				return fmt.Errorf("set %s: attribute %s is not in %s", set.Name, a.Name, parent.Name)
			}
			merged := *p
			// What the subset says overrides the parent (as the kernel's
			// tools merge the two maps).
			if _, ok := a.raw["nested-attributes"]; ok {
				merged.NestedAttributes = a.NestedAttributes
			}
			if _, ok := a.raw["multi-attr"]; ok {
				merged.MultiAttr = a.MultiAttr
			}
			if _, ok := a.raw["checks"]; ok {
				merged.Checks = a.Checks
			}
			merged.raw = a.raw
			set.Attributes[i] = &merged
			set.byName[a.Name] = &merged
		}
	}
	// Enums that 64-bit attributes hold are 64 bits wide.
	for _, set := range s.AttrSets {
		for _, a := range set.Attributes {
			if a.structArray {
				d := s.defs[a.Struct]
				if d == nil || d.Type != "struct" {
					return fmt.Errorf("set %s: attribute %s: an array of %q, which is not a struct", set.Name, a.Name, a.Struct)
				}
				d.array = true
			}
			if d := s.defs[a.Enum]; d != nil {
				switch a.Type {
				case "u64", "s64", "uint", "sint":
					d.wide = true
				}
			}
		}
	}
	return s.numberOps()
}

// layout places the members of struct d as C does, which the specs do not
// say but the kernel's uapi structs are: each member at the next offset
// its alignment allows (an integer's alignment is its size, a byte
// array's 1, as on the 64-bit machines), and the struct's size rounded up
// to a multiple of its widest member's alignment.
func (s *spec) layout(d *definition) error {
	if d.align != 0 {
		return nil
	}
	d.align = -1 // laying out, to catch a struct that holds itself
	off, widest := 0, 1
	for i := range d.Members {
		m := &d.Members[i]
		size, align, err := s.memberSize(*m)
		if err != nil {
			return fmt.Errorf("struct %s: %w", d.Name, err)
		}
		off = (off + align - 1) / align * align
		m.offset = off
		off += size
		widest = max(widest, align)
	}
	d.size = (off + widest - 1) / widest * widest
	d.align = widest
	return nil
}

// memberSize returns the size and the alignment of a struct member.
func (s *spec) memberSize(m member) (size, align int, err error) {
	switch m.Type {
	case "u8", "s8":
		return 1, 1, nil
	case "u16", "s16":
		return 2, 2, nil
	case "u32", "s32":
		return 4, 4, nil
	case "u64", "s64":
		return 8, 8, nil
	case "binary", "pad":
		if d := s.defs[m.Struct]; m.Struct != "" && m.Len == nil {
			if d == nil || d.Type != "struct" {
				return 0, 0, fmt.Errorf("member %s: %q is not a struct", m.Name, m.Struct)
			}
			if err := s.layout(d); err != nil {
				return 0, 0, err
			}
			if d.align < 0 {
				return 0, 0, fmt.Errorf("member %s: struct %s holds itself", m.Name, m.Struct)
			}
			return d.size, d.align, nil
		}
		n, ok := m.Len.(int)
		if c, isConst := m.Len.(string); isConst && s.defs[c] != nil {
			n, ok = s.defs[c].Value.(int)
		}
		if !ok || n < 0 {
			return 0, 0, fmt.Errorf("member %s: length %v is not a number", m.Name, m.Len)
		}
		return n, 1, nil
	}
	return 0, 0, fmt.Errorf("member %s has type %s", m.Name, m.Type)
}

// numberOps gives each operation its request and reply command numbers.
// In the unified model a command has one number, counting from 1; in the
// directional model requests and replies count separately, and a
// notification takes the next reply number.
func (s *spec) numberOps() error {
	ops := s.Operations.List
	if s.Operations.EnumModel != "directional" {
		v := 1
		for _, op := range ops {
			if op.Value != nil {
				v = *op.Value
			}
			op.req, op.rsp = v, v
			v++
		}
		return nil
	}
	req, rsp := 1, 1
	for _, op := range ops {
		var reqNext, rspNext int
		switch {
		case op.Notify != "" || op.Event != nil:
			if op.Value != nil {
				rsp = *op.Value
			}
			reqNext, rspNext = req, rsp+1
			req = -1
		case op.Do != nil || op.Dump != nil:
			mode := op.Do
			if mode == nil {
				mode = op.Dump
			}
			if mode.Request != nil && mode.Request.Value != nil {
				req = *mode.Request.Value
			}
			if mode.Reply != nil && mode.Reply.Value != nil {
				rsp = *mode.Reply.Value
			}
			reqNext, rspNext = req+1, rsp
			if mode.Reply != nil {
				rspNext++
			}
		default:
			return fmt.Errorf("operation %s: neither do, dump, notify nor event", op.Name)
		}
		if req == reqNext {
			req = -1
		}
		if rsp == rspNext {
			rsp = -1
		}
		op.req, op.rsp = req, rsp
		req, rsp = reqNext, rspNext
	}
	return nil
}

// dedupe drops the second and later attributes of a set that have the
// same name (ethtool's strings lists unspec twice, devlink's
// dl-dpipe-table two attributes twice): the kernel's tools keep one.
func dedupe(attrs []*attr) []*attr {
	seen := map[string]bool{}
	out := attrs[:0:0]
	for _, a := range attrs {
		if !seen[a.Name] {
			seen[a.Name] = true
			out = append(out, a)
		}
	}
	return out
}
