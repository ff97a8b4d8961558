package main

import (
	"errors"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/influxdata/telegraf"
	"github.com/influxdata/telegraf/config"

	"github.com/telegraf-mip/telegraf-mip/internal/mipsim"
	"github.com/telegraf-mip/telegraf-mip/plugins/inputs/mip"
)

// demoKey is the simulator's key; it protects nothing and is never printed.
const demoKey = "demo-key"

// runDemo starts the MIP simulator on a loopback port, gathers once from it
// and writes the points to w.
func runDemo(log telegraf.Logger, w io.Writer) int {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Errorf("demo: starting the MIP simulator: %v", err)
		return 1
	}
	sim := mipsim.New(demoKey, mipsim.Demo())
	server := &http.Server{Handler: sim, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := server.Serve(listener); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Errorf("demo: MIP simulator: %v", err)
		}
	}()
	defer server.Close()

	plugin := mip.New()
	plugin.URL = "http://" + listener.Addr().String()
	plugin.APIKey = config.NewSecret([]byte(demoKey))
	plugin.Log = log
	if err := plugin.Init(); err != nil {
		log.Errorf("demo: %v", err)
		return 1
	}
	defer plugin.Stop()
	log.Infof("demo: gathering from the MIP simulator at %s (%d scenarios)", plugin.URL, len(mipsim.Demo()))
	pw, err := newPointWriter(w, log)
	if err != nil {
		log.Errorf("demo: %v", err)
		return 1
	}
	if err := gatherOnce(plugin, pw); err != nil {
		log.Errorf("demo: gather failed: %v", err)
		return 1
	}
	return 0
}
