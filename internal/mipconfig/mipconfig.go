// Package mipconfig reads telegraf-mip's -config file: one [[inputs.mip]]
// block, as Telegraf's own loader reads a plugin block, with the checks
// Telegraf's loader does not make (unknown keys refused, the settings of
// [[inputs.execd]] named as such, an API key from an unset variable).
//
// Telegraf's loader itself (config.Config.LoadConfigData) cannot do it
// without changing what users see: it takes Telegraf's general input
// settings (interval, tags, namepass...) silently, where they would do
// nothing here; it accepts [agent], other plugins and several blocks; it
// words its errors for telegraf.conf; and it replaces environment
// variables in the text before parsing, so the variable api_key came from
// cannot be named. The loader here uses its parts instead: its TOML parser
// and settings, its environment-variable rules (compose-go's template), and
// the list of its general input settings, generated from its source
// (telegrafkeys.go).
package mipconfig

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"reflect"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/template"
	"github.com/influxdata/toml"
	"github.com/influxdata/toml/ast"
	"github.com/xrash/smetrics"

	"github.com/telegraf-mip/telegraf-mip/plugins/inputs/mip"
)

// Load reads the [[inputs.mip]] block of a configuration file as
// Telegraf v1.37 reads a plugin block (config.parseConfig, strict mode): its
// TOML parser, environment variables replaced in string values only, keys
// matched case-sensitively. Unlike the execd shim's loader, and like
// Telegraf's, it refuses what it does not understand: an unknown key,
// another plugin, or a second block, so that a typo never silently does
// nothing.
func Load(path string) (*mip.MIP, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	tbl, err := toml.Parse(bytes.TrimPrefix(raw, []byte("\xef\xbb\xbf")))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	env, err := substituteEnvironment(tbl)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(env.broken) > 0 {
		return nil, fmt.Errorf("%s: the environment variable %s holds a line break, which no configuration value may hold: "+
			"remove it from the variable", path, strings.Join(sortedUnique(env.broken), ", "))
	}
	block, err := mipBlock(tbl)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}

	p := mip.New()
	var missing []unknownKey
	conf := toml.Config{
		NormFieldName: toml.DefaultConfig.NormFieldName,
		FieldToKey:    toml.DefaultConfig.FieldToKey,
		MissingField: func(typ reflect.Type, key string) error {
			missing = append(missing, unknownKey{path: keyPath(typ, key), name: key, valid: tomlKeys(typ)})
			return nil
		},
	}
	if err := conf.UnmarshalTable(block, p); err != nil {
		return nil, fmt.Errorf("%s: [[inputs.mip]]: %w", path, err)
	}
	if err := unknownKeys(missing); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	// Telegraf keeps ${VAR} as written when VAR is not set: never send that
	// as the key.
	names := sortedUnique(env.kept["api_key"])
	if p.APIKey.Empty() {
		names = sortedUnique(env.emptyOrUnset["api_key"])
	}
	if len(names) > 0 && p.APIKeyFile == "" {
		return nil, fmt.Errorf("%s: api_key comes from the environment variable %s, which is not set or empty in the environment of telegraf-mip: "+
			"set it where Telegraf is started (e.g. /etc/default/telegraf), or use api_key_file", path, strings.Join(names, ", "))
	}
	return p, nil
}

// mipBlock returns the one [[inputs.mip]] table of a configuration.
func mipBlock(tbl *ast.Table) (*ast.Table, error) {
	var outside []string
	for name := range tbl.Fields {
		if name != "inputs" {
			outside = append(outside, name)
		}
	}
	if len(outside) > 0 {
		slices.Sort(outside)
		return nil, fmt.Errorf("%s outside [[inputs.mip]]: the file holds one [[inputs.mip]] block and nothing else "+
			"(Telegraf's own settings go in telegraf.conf)", strings.Join(outside, ", "))
	}
	inputs, ok := tbl.Fields["inputs"].(*ast.Table)
	if !ok {
		return nil, errors.New("no [[inputs.mip]] block")
	}
	for name := range inputs.Fields {
		if name != "mip" {
			return nil, fmt.Errorf("[[inputs.%s]] is not supported: this program runs [[inputs.mip]] only", name)
		}
	}
	switch blocks := inputs.Fields["mip"].(type) {
	case []*ast.Table:
		if len(blocks) > 1 {
			return nil, fmt.Errorf("%d [[inputs.mip]] blocks: run one telegraf-mip per block (one [[inputs.execd]] each)", len(blocks))
		}
		return blocks[0], nil
	case *ast.Table:
		return nil, fmt.Errorf("line %d: [inputs.mip] is a single table: use [[inputs.mip]], with double brackets, as for every Telegraf plugin", blocks.Line)
	default:
		return nil, errors.New("no [[inputs.mip]] block")
	}
}

// validKeysAt says where a user finds every valid key: sample.conf in the
// archives; the packages install it as /etc/telegraf/mip.conf, which the
// user has likely edited, and, as shipped, inside the plugin's README.
const validKeysAt = "valid keys: sample.conf in the archives; with the packages, " +
	"/usr/share/doc/telegraf-mip/plugins/inputs/mip/README.md"

// unknownKey is a key of [[inputs.mip]] (or of one of its sub-tables) that
// the plugin has no field for, with the valid keys of its table.
type unknownKey struct {
	path  string // e.g. inputs.mip.threshold.warn
	name  string
	valid []string
}

// unknownKeys explains the keys of [[inputs.mip]] that the plugin has no
// field for, suggesting the nearest valid key of the same table.
func unknownKeys(missing []unknownKey) error {
	if len(missing) == 0 {
		return nil
	}
	slices.SortFunc(missing, func(a, b unknownKey) int { return strings.Compare(a.path, b.path) })
	missing = slices.CompactFunc(missing, func(a, b unknownKey) bool { return a.path == b.path })
	var execd, other []string
	for _, key := range missing {
		switch {
		case key.path == "inputs.mip."+key.name && slices.Contains(execdKeys, key.name):
			execd = append(execd, key.name)
		case slices.Contains(key.valid, strings.ToLower(key.name)):
			other = append(other, fmt.Sprintf("%s (keys are case-sensitive: %s)", key.path, strings.ToLower(key.name)))
		case nearest(key.name, key.valid) != "":
			other = append(other, fmt.Sprintf("%s (did you mean %s?)", key.path, nearest(key.name, key.valid)))
		default:
			other = append(other, key.path)
		}
	}
	var msgs []string
	switch len(other) {
	case 0:
	case 1:
		msgs = append(msgs, "unknown configuration key "+other[0]+" ("+validKeysAt+")")
	default:
		msgs = append(msgs, "unknown configuration keys "+strings.Join(other, ", ")+" ("+validKeysAt+")")
	}
	if len(execd) > 0 {
		msgs = append(msgs, strings.Join(execd, ", ")+" belong to Telegraf's [[inputs.execd]] block (telegraf.conf), not to [[inputs.mip]]: move them there")
	}
	return errors.New(strings.Join(msgs, "; "))
}

// nearest returns the valid key closest to name in edit distance
// (Levenshtein), the first in alphabetical order on a tie, or "" when none
// is close enough to be the one meant: at most 2 edits, or a quarter of the
// name for long names.
func nearest(name string, valid []string) string {
	best, bestDistance := "", max(2, len(name)/4)+1
	for _, key := range slices.Sorted(slices.Values(valid)) {
		if d := smetrics.WagnerFischer(name, key, 1, 1, 1); d < bestDistance {
			best, bestDistance = key, d
		}
	}
	return best
}

// keyPath names a key missing from the struct typ: the plugin's own keys
// under inputs.mip, those of its sub-tables (e.g. [[inputs.mip.threshold]])
// under the sub-table.
func keyPath(typ reflect.Type, key string) string {
	plugin := reflect.TypeFor[mip.MIP]()
	if typ == plugin {
		return "inputs.mip." + key
	}
	for i := range plugin.NumField() {
		f := plugin.Field(i)
		t := f.Type
		for t.Kind() == reflect.Slice || t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if t == typ {
			name, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
			return "inputs.mip." + name + "." + key
		}
	}
	return "inputs.mip." + key
}

// tomlKeys returns the keys of a table read into the struct typ, those of
// its embedded structs (e.g. the TLS and proxy settings) included.
func tomlKeys(typ reflect.Type) []string {
	keys := make([]string, 0, typ.NumField())
	for i := range typ.NumField() {
		f := typ.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
		switch {
		case f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct:
			keys = append(keys, tomlKeys(f.Type)...)
		case name != "" && name != "-":
			keys = append(keys, name)
		}
	}
	return keys
}

// environment is what substituting the environment found, by key: the
// variables left as written because they are not set, those read unset or
// empty (a default may have applied), and those holding a line break.
type environment struct {
	kept         map[string][]string
	emptyOrUnset map[string][]string
	broken       []string
}

// substituteEnvironment replaces environment variables in the string values
// of tbl with Telegraf's rules (config/envvar.go,
// substituteEnvironmentStrict): $VAR, ${VAR}, ${VAR:-default},
// ${VAR-default}, ${VAR:?error} and the like from compose-go's template, $$
// for a $; a variable that is not set and has no default is kept as written,
// and so is what is not a valid pattern (${1}). Comments are never read:
// like Telegraf, which strips them first, only string values are replaced.
func substituteEnvironment(tbl *ast.Table) (environment, error) {
	env := environment{kept: make(map[string][]string), emptyOrUnset: make(map[string][]string)}
	var key string // the key whose value is being replaced
	options := []template.Option{
		template.WithReplacementFunction(func(s string, m template.Mapping, cfg *template.Config) (string, error) {
			result, applied, err := template.DefaultReplacementAppliedFunc(s, m, cfg)
			if err == nil && !applied {
				env.kept[key] = append(env.kept[key], variableName(s))
				return s, nil
			}
			if err != nil && strings.HasPrefix(err.Error(), "Invalid template:") {
				return s, nil
			}
			return result, err
		}),
		template.WithoutLogging,
	}
	mapping := func(name string) (string, bool) {
		v, ok := os.LookupEnv(name)
		switch {
		case v == "":
			env.emptyOrUnset[key] = append(env.emptyOrUnset[key], name)
		case strings.ContainsAny(v, "\r\n"):
			env.broken = append(env.broken, name)
		}
		return v, ok
	}
	err := walkStrings(tbl, "", func(k string, s *ast.String) error {
		key = k
		v, err := template.SubstituteWithOptions(s.Value, mapping, options...)
		if err != nil {
			return fmt.Errorf("%s: %w", k, err)
		}
		s.Value = v
		return nil
	})
	return env, err
}

// walkStrings calls f with every string value under node and the name of
// its key (the last component).
func walkStrings(node any, key string, f func(key string, s *ast.String) error) error {
	switch n := node.(type) {
	case *ast.Table:
		for k, v := range n.Fields {
			if err := walkStrings(v, k, f); err != nil {
				return err
			}
		}
	case []*ast.Table:
		for _, v := range n {
			if err := walkStrings(v, key, f); err != nil {
				return err
			}
		}
	case *ast.Array:
		for _, v := range n.Value {
			if err := walkStrings(v, key, f); err != nil {
				return err
			}
		}
	case *ast.KeyValue:
		return walkStrings(n.Value, n.Key, f)
	case *ast.String:
		return f(key, n)
	}
	return nil
}

// variableName returns the name in a $VAR or ${VAR...} pattern.
func variableName(pattern string) string {
	name := strings.TrimPrefix(strings.TrimPrefix(pattern, "$"), "{")
	end := strings.IndexFunc(name, func(r rune) bool {
		return r != '_' && (r < '0' || r > '9') && (r < 'a' || r > 'z') && (r < 'A' || r > 'Z')
	})
	if end >= 0 {
		name = name[:end]
	}
	return name
}

func sortedUnique(names []string) []string {
	names = slices.Clone(names)
	slices.Sort(names)
	return slices.Compact(names)
}
