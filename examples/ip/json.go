//go:build linux

package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

// record is one object as ip shows it: its text, and its JSON object as
// ip -j prints it. Each field goes to both through add, so the two never
// disagree.
type record struct {
	text strings.Builder
	json map[string]any
}

func newRecord() *record { return &record{json: map[string]any{}} }

// add prints v into the text through format when format is not "", and
// puts it in the JSON object under key when key is not "".
func (r *record) add(key, format string, v any) {
	if key != "" {
		r.json[key] = v
	}
	if format != "" {
		fmt.Fprintf(&r.text, format, v)
	}
}

// flag prints word into the text and puts v in the JSON object under
// key: true for ip's booleans, nil for the keys ip prints as null.
func (r *record) flag(key, word string, v any) {
	r.json[key] = v
	r.text.WriteString(word)
}

// word prints s into the text alone.
func (r *record) word(s string) { r.text.WriteString(s) }

// output prints records: their texts one after the other, or with -j
// one JSON array of their objects, as ip -j does.
func output(recs []*record) error {
	if opt.json {
		list := make([]map[string]any, len(recs))
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
