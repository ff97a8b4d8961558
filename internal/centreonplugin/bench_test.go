package centreonplugin

import (
	"io"
	"net"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/telegraf-mip/telegraf-mip/internal/mipsim"
)

// BenchmarkWarmCheck is one check answered from a warm cache of a
// 10,000-scenario MIP (6 metrics each), in the process: what a check costs
// past the start of its process (scripts/centreonbench measures whole
// processes).
func BenchmarkWarmCheck(b *testing.B) {
	list := mipsim.Generate(10000, 6, time.Minute)
	sim := mipsim.New("bench-key", list)
	srv := httptest.NewServer(sim)
	defer srv.Close()
	host, port, err := net.SplitHostPort(strings.TrimPrefix(srv.URL, "http://"))
	if err != nil {
		b.Fatal(err)
	}
	args := []string{"--plugin=" + PluginName, "--mode=scenarios", "--hostname=" + host, "--port=" + port, "--proto=http",
		"--api-key=bench-key", "--statefile-dir=" + b.TempDir(), "--verbose", "--cache-duration=3600"}
	if code := Run(append(args, "--filter-id=^1000$"), io.Discard, io.Discard); code > 3 {
		b.Fatal(code)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		Run(append(args, "--filter-id=^"+strconv.Itoa(1000+i%10000)+"$"), io.Discard, io.Discard)
	}
	if sim.Requests() != 1 {
		b.Fatalf("%d requests", sim.Requests())
	}
}
