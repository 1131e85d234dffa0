package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
)

// jsonObject is a JSON object that keeps its keys in the order they were set,
// as ip -j prints them (a Go map would print them sorted).
type jsonObject struct {
	keys []string
	vals map[string]any
}

func newObject() *jsonObject { return &jsonObject{vals: map[string]any{}} }

// set puts v under key, after the keys set before it unless key was set.
func (o *jsonObject) set(key string, v any) {
	if _, ok := o.vals[key]; !ok {
		o.keys = append(o.keys, key)
	}
	o.vals[key] = v
}

// moveBefore moves key, if set, to just before anchor, if set.
func (o *jsonObject) moveBefore(key, anchor string) {
	k, a := slices.Index(o.keys, key), slices.Index(o.keys, anchor)
	if k < 0 || a < 0 || k < a {
		return
	}
	o.keys = slices.Insert(slices.Delete(o.keys, k, k+1), a, key)
}

// MarshalJSON writes the object with its keys in order.
func (o *jsonObject) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range o.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, err := json.Marshal(k)
		if err != nil {
			return nil, err
		}
		vb, err := marshal(o.vals[k])
		if err != nil {
			return nil, err
		}
		b.Write(kb)
		b.WriteByte(':')
		b.Write(vb)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// marshal is json.Marshal without escaping <, > and &, as ip prints them.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// record is one object as ip shows it: its text, and its JSON object as
// ip -j prints it. Each field goes to both through add, so the two never
// disagree.
type record struct {
	text strings.Builder
	json *jsonObject
}

func newRecord() *record { return &record{json: newObject()} }

// add prints v into the text through format when format is not "", and
// puts it in the JSON object under key when key is not "".
func (r *record) add(key, format string, v any) {
	if key != "" {
		r.json.set(key, v)
	}
	if format != "" {
		fmt.Fprintf(&r.text, format, v)
	}
}

// flag prints word into the text and puts v in the JSON object under
// key: true for ip's booleans, nil for the keys ip prints as null.
func (r *record) flag(key, word string, v any) {
	r.json.set(key, v)
	r.text.WriteString(word)
}

// word prints s into the text alone.
func (r *record) word(s string) { r.text.WriteString(s) }

// output prints records: their texts one after the other, or with -j
// one JSON array of their objects, as ip -j does.
func output(recs []*record) error {
	if opt.json {
		list := make([]*jsonObject, len(recs))
		for i, r := range recs {
			list[i] = r.json
		}
		enc := json.NewEncoder(os.Stdout)
		enc.SetEscapeHTML(false)
		return enc.Encode(list)
	}
	for _, r := range recs {
		fmt.Print(r.text.String())
	}
	return nil
}
