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
	data := os.Expand(string(raw), func(name string) string { return envEscaper.Replace(os.Getenv(name)) })

	var conf struct {
		Inputs map[string][]toml.Primitive `toml:"inputs"`
	}
	md, err := toml.Decode(data, &conf)
	if err != nil {
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
	return p, nil
}
