// Command mipsim serves the MIP API simulator on a loopback port, for trying
// telegraf-mip by hand and for measuring it at scale (scripts/scale.sh).
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/telegraf-mip/telegraf-mip/internal/mipsim"
)

func main() {
	flag.Usage = func() {
		fmt.Fprint(flag.CommandLine.Output(), `Usage: MIP_API_KEY=<key> mipsim [flags]

Serves a simulated MIP API (/api/measures/details and /api/measures/) on a
loopback address and prints its URL on stdout. MIP_API_KEY is required: the
simulator answers only requests carrying that key in their MIP_API_KEY header,
so give telegraf-mip the same value. Stop it with Ctrl-C.

Example, then point url in the plugin configuration at the printed address:
  MIP_API_KEY=demo-key mipsim -listen 127.0.0.1:8090

Flags:
`)
		flag.PrintDefaults()
	}
	listen := flag.String("listen", "127.0.0.1:0", "address to listen on (loopback)")
	scenarios := flag.Int("scenarios", 0, "generate this many scenarios (0: the demo's five)")
	metrics := flag.Int("metrics", 6, "metrics per generated scenario")
	frequency := flag.Duration("frequency", time.Minute, "run frequency of generated scenarios (60 runs an hour at 1m)")
	prerender := flag.Bool("prerender", false,
		"build the /api/measures/details answer once, at start, and serve it as is (for measuring the client, not the simulator)")
	maxWindow := flag.Duration("max-window", 0,
		"answer at most this far back, whatever from asks (0: no limit); e.g. 2m gives telegraf-mip -once with a state_file "+
			"the answer a long-running plugin gets in steady state (scripts/compare.sh); not with -prerender")
	flag.Parse()

	apiKey := os.Getenv("MIP_API_KEY")
	if apiKey == "" {
		fmt.Fprintln(os.Stderr, "E! set MIP_API_KEY: the key the simulator accepts")
		os.Exit(2)
	}
	list := mipsim.Demo()
	if *scenarios > 0 {
		list = mipsim.Generate(*scenarios, *metrics, *frequency)
	}
	if *maxWindow != 0 && (*maxWindow < 0 || *prerender) {
		fmt.Fprintln(os.Stderr, "E! -max-window must be positive and cannot go with -prerender, whose answer is fixed")
		os.Exit(2)
	}
	sim := mipsim.New(apiKey, list)
	sim.SetMaxWindow(*maxWindow)
	var handler http.Handler = sim
	if *prerender {
		now := time.Now()
		sim.SetClock(func() time.Time { return now })
		var body bytes.Buffer
		if err := mipsim.WriteDetails(&body, list, now.Add(-time.Hour), now); err != nil {
			fmt.Fprintln(os.Stderr, "E!", err)
			os.Exit(1)
		}
		fmt.Fprintf(os.Stderr, "I! prerendered %d scenarios: %d bytes\n", len(list), body.Len())
		handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/api/measures/details" || r.Header.Get("MIP_API_KEY") != apiKey {
				sim.ServeHTTP(w, r)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			w.Write(body.Bytes()) //nolint:errcheck // a failed write is a client gone; the simulator has no one to tell
		})
	}

	listener, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Fprintln(os.Stderr, "E!", err)
		os.Exit(1)
	}
	fmt.Printf("http://%s\n", listener.Addr())
	server := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		stop := make(chan os.Signal, 1)
		signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
		<-stop
		server.Close()
	}()
	if err := server.Serve(listener); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintln(os.Stderr, "E!", err)
		os.Exit(1)
	}
}
