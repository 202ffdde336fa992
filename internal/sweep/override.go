package sweep

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// The lists an override path may index, and the default each one has when
// the file leaves it out.
var defaultEntries = map[string]string{
	"optimizers": "[{name: sgd, lr: 0.01}]",
	"schedules":  "[{name: constant}]",
}

// sectionKeys are the keys of the mappings under the top level.
var sectionKeys = map[string][]string{
	"search":     searchKeys,
	"prune":      pruneKeys,
	"dataset":    datasetKeys,
	"model":      modelKeys,
	"train":      trainKeys,
	"optimizers": optimizerKeys,
	"schedules":  scheduleKeys,
}

// pathElem matches one element of an override path: a key, and an index
// for the optimizers and schedules lists.
var pathElem = regexp.MustCompile(`^([a-z_0-9]+)(?:\[([0-9]+)\])?$`)

// override applies the "path=value" overrides to the top-level mapping
// root, in order. The nodes an override adds are recorded in d.origin, so
// that errors in them point at the override.
func (d *decoder) override(root *yaml.Node, overrides []string) {
	for i, o := range overrides {
		at := loc{OverrideFile, i + 1}
		path, value, ok := strings.Cut(o, "=")
		path = strings.TrimSpace(path)
		if !printable(path) {
			path = strconv.Quote(path)
		}
		if !ok {
			d.errs.add(at, path, "want path=value, such as train.epochs=1")
			continue
		}
		keys, index, msg := parsePath(path)
		if msg != "" {
			d.errs.add(at, path, "%s", msg)
			continue
		}
		val, msg := d.overrideValue(value, i+1)
		if msg != "" {
			d.errs.add(at, path, "%s", msg)
			continue
		}
		if msg := d.set(root, keys, index, val, i+1); msg != "" {
			d.errs.add(at, path, "%s", msg)
		}
	}
}

// parsePath splits an override path into its keys (one or two) and the
// index of an optimizers or schedules entry (-1 for none), checking every
// key against the format.
func parsePath(path string) (keys []string, index int, msg string) {
	index = -1
	elems := strings.Split(path, ".")
	if len(elems) > 2 {
		return nil, 0, "unknown path: want key, section.key or list[i].key, such as train.epochs or optimizers[0].lr"
	}
	for n, e := range elems {
		m := pathElem.FindStringSubmatch(e)
		if m == nil {
			return nil, 0, fmt.Sprintf("bad path element %q: want a key such as epochs, or optimizers[0]", e)
		}
		keys = append(keys, m[1])
		if m[2] != "" {
			if n != 0 || defaultEntries[m[1]] == "" {
				return nil, 0, fmt.Sprintf("%s is not a list of entries; only optimizers[i] and schedules[i] take an index", m[1])
			}
			i, err := strconv.Atoi(m[2])
			if err != nil {
				return nil, 0, fmt.Sprintf("bad index %q", m[2])
			}
			index = i
		}
	}
	if !slices.Contains(topKeys, keys[0]) {
		return nil, 0, fmt.Sprintf("unknown key %q (the top-level keys are %s)", keys[0], strings.Join(topKeys, ", "))
	}
	if len(keys) == 2 {
		sub, ok := sectionKeys[keys[0]]
		switch {
		case !ok:
			return nil, 0, fmt.Sprintf("%s has no keys below it", keys[0])
		case defaultEntries[keys[0]] != "" && index < 0:
			return nil, 0, fmt.Sprintf("%s is a list: name an entry, as in %s[0].%s", keys[0], keys[0], keys[1])
		case !slices.Contains(sub, keys[1]):
			return nil, 0, fmt.Sprintf("unknown key %q (the keys of %s are %s)", keys[1], keys[0], strings.Join(sub, ", "))
		}
	}
	return keys, index, ""
}

// overrideValue parses an override's value as YAML and marks its nodes as
// coming from override number n.
func (d *decoder) overrideValue(value string, n int) (*yaml.Node, string) {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(value), &doc); err != nil {
		return nil, fmt.Sprintf("bad value %q: %v", value, err)
	}
	if len(doc.Content) == 0 {
		return nil, "missing value after ="
	}
	d.mark(doc.Content[0], n)
	return doc.Content[0], ""
}

// mark records that n and every node below it came from override number i.
func (d *decoder) mark(n *yaml.Node, i int) {
	if _, done := d.origin[n]; done {
		return
	}
	d.origin[n] = i
	for _, c := range n.Content {
		d.mark(c, i)
	}
}

// set puts val at keys (and index) under root, adding the mappings and
// keys on the way that the file leaves out, and the default list when an
// entry of a missing optimizers or schedules list is named.
func (d *decoder) set(root *yaml.Node, keys []string, index int, val *yaml.Node, n int) string {
	if len(keys) == 1 && index < 0 {
		d.put(root, keys[0], val, n)
		return ""
	}
	sect := d.get(root, keys[0])
	if sect == nil {
		if index < 0 {
			sect = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		} else {
			sect, _ = d.overrideValue(defaultEntries[keys[0]], n)
		}
		d.mark(sect, n)
		d.put(root, keys[0], sect, n)
	}
	sect = resolve(sect)
	if index >= 0 {
		if sect.Kind != yaml.SequenceNode {
			return fmt.Sprintf("cannot set: %s is not a list (at %s)", keys[0], d.at(sect))
		}
		if index >= len(sect.Content) {
			return fmt.Sprintf("index out of range: %s has %d %s", keys[0], len(sect.Content), plural(len(sect.Content), "entry", "entries"))
		}
		if len(keys) == 1 {
			sect.Content[index] = val
			return ""
		}
		sect = resolve(sect.Content[index])
	}
	if isNull(sect) {
		// "model:" with nothing after it: make it a mapping.
		*sect = yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: sect.Line}
	}
	if sect.Kind != yaml.MappingNode {
		name := keys[0]
		if index >= 0 {
			name = fmt.Sprintf("%s[%d]", name, index)
		}
		return fmt.Sprintf("cannot set: %s is not a mapping (at %s)", name, d.at(sect))
	}
	d.put(sect, keys[len(keys)-1], val, n)
	return ""
}

// get returns the value of key in the mapping m, or nil.
func (d *decoder) get(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if k := resolve(m.Content[i]); k.Kind == yaml.ScalarNode && k.Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// put sets key to val in the mapping m: in place of the first value the
// key has, or as a new key from override number n.
func (d *decoder) put(m *yaml.Node, key string, val *yaml.Node, n int) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if k := resolve(m.Content[i]); k.Kind == yaml.ScalarNode && k.Value == key {
			m.Content[i+1] = val
			return
		}
	}
	k := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}
	d.origin[k] = n
	m.Content = append(m.Content, k, val)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
