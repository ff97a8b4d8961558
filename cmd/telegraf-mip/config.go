package main

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/telegraf-mip/telegraf-mip/plugins/inputs/mip"
)

// envEscaper escapes what an environment value could break in a TOML
// string, as Telegraf's execd shim does.
var envEscaper = strings.NewReplacer(`"`, `\"`, `\`, `\\`)

// loadPlugin reads the [[inputs.mip]] block of a configuration file. Unlike
// the execd shim's loader it refuses what it does not understand: an unknown
// key, another plugin, or a second block, so that a typo never silently does
// nothing.
func loadPlugin(path string) (*mip.MIP, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var unset, broken []string // the variables the file refers to that are unset or empty, or hold a line break
	data := os.Expand(string(raw), func(name string) string {
		v := os.Getenv(name)
		switch {
		case v == "":
			unset = append(unset, name)
		case strings.ContainsAny(v, "\r\n"):
			broken = append(broken, name)
		}
		return envEscaper.Replace(v)
	})

	var conf struct {
		Inputs map[string][]toml.Primitive `toml:"inputs"`
	}
	md, err := toml.Decode(data, &conf)
	if err != nil {
		if len(broken) > 0 {
			return nil, fmt.Errorf("%s: the environment variable %s holds a line break, which breaks the configuration once expanded: "+
				"remove it from the variable", path, strings.Join(sortedUnique(broken), ", "))
		}
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	for name := range conf.Inputs {
		if name != "mip" {
			return nil, fmt.Errorf("%s: [[inputs.%s]] is not supported: this program runs [[inputs.mip]] only", path, name)
		}
	}
	blocks := conf.Inputs["mip"]
	switch len(blocks) {
	case 0:
		return nil, fmt.Errorf("%s: no [[inputs.mip]] block", path)
	case 1:
	default:
		return nil, fmt.Errorf("%s: %d [[inputs.mip]] blocks: run one telegraf-mip per block (one [[inputs.execd]] each)", path, len(blocks))
	}

	p := mip.New()
	if err := md.PrimitiveDecode(blocks[0], p); err != nil {
		return nil, fmt.Errorf("%s: [[inputs.mip]]: %w", path, err)
	}
	if unknown := md.Undecoded(); len(unknown) > 0 {
		keys := make([]string, 0, len(unknown))
		for _, k := range unknown {
			keys = append(keys, k.String())
		}
		slices.Sort(keys)
		return nil, errors.New(path + ": unknown configuration keys: " + strings.Join(keys, ", ") + " (see sample.conf for the valid ones)")
	}
	if p.APIKey.Empty() && p.APIKeyFile == "" {
		if names := keyVariables(string(raw), unset); len(names) > 0 {
			return nil, fmt.Errorf("%s: api_key comes from the environment variable %s, which is not set or empty in the environment of telegraf-mip: "+
				"set it where Telegraf is started (e.g. /etc/default/telegraf), or use api_key_file", path, strings.Join(names, ", "))
		}
	}
	return p, nil
}

func sortedUnique(names []string) []string {
	slices.Sort(names)
	return slices.Compact(names)
}

// keyVariables returns those of the unset variables that the api_key line
// of the unexpanded file refers to.
func keyVariables(raw string, unset []string) []string {
	var names []string
	for line := range strings.SplitSeq(raw, "\n") {
		key, value, ok := strings.Cut(line, "=")
		if !ok || strings.TrimSpace(key) != "api_key" {
			continue
		}
		os.Expand(value, func(name string) string {
			if slices.Contains(unset, name) && !slices.Contains(names, name) {
				names = append(names, name)
			}
			return ""
		})
	}
	return names
}
