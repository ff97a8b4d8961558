// Command telegraf-mip-centreon is `telegraf-mip centreon` alone: the
// Centreon Perl plugin's command line (docs/centreon-plugin.md) in a binary
// that links neither Telegraf nor the execd plugin, so that each of the
// thousands of checks a poller runs pays no initialisation it does not use.
package main

import (
	"os"

	"github.com/telegraf-mip/telegraf-mip/internal/centreonplugin"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	centreonplugin.Version = version
	os.Exit(centreonplugin.Run(os.Args[1:], os.Stdout, os.Stderr))
}
