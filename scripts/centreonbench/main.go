// Command centreonbench measures `telegraf-mip centreon` against the Centreon
// Perl plugin side by side in one run, as Centreon Engine runs them: one
// check per scenario (--filter-id='^ID$'), several at a time, against the
// simulator (a MIP of -scenarios scenarios, 6 metrics, a run a minute, the
// last hour prerendered once) served here, which counts the requests. Each
// process's CPU (user + sys) and peak RSS come from the kernel (wait4).
//
// Usage: go run ./scripts/centreonbench -perl CENTREON_PLUGINS_SRC [-scenarios 1000] [-checks 1000]
//
//	[-perl-checks 20] [-parallel 4] [-bin telegraf-mip-centreon]
//
// -bin is the check binary (telegraf-mip-centreon, or telegraf-mip, which
// is then given "centreon" first). Then, -warm N: the CPU and RSS of checks
// answered from a warm cache of an N-scenario MIP.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/telegraf-mip/telegraf-mip/internal/mipsim"
)

const apiKey = "bench-key"

type result struct {
	cpu []time.Duration
	rss []int64 // KiB
}

func (r *result) summary() string {
	slices.Sort(r.cpu)
	slices.Sort(r.rss)
	var total time.Duration
	for _, c := range r.cpu {
		total += c
	}
	n := len(r.cpu)
	return fmt.Sprintf("%d checks, CPU %.1f ms each (median %.1f, max %.1f), total %.2f s; peak RSS median %.1f MiB, max %.1f MiB",
		n, float64(total.Microseconds())/1000/float64(n), float64(r.cpu[n/2].Microseconds())/1000, float64(r.cpu[n-1].Microseconds())/1000,
		total.Seconds(), float64(r.rss[n/2])/1024, float64(r.rss[n-1])/1024)
}

// serve prerenders n scenarios and serves them, counting the requests.
func serve(n int) (url string, requests *atomic.Int64) {
	list := mipsim.Generate(n, 6, time.Minute)
	now := time.Now()
	var body bytes.Buffer
	if err := mipsim.WriteDetails(&body, list, now.Add(-time.Hour), now); err != nil {
		panic(err)
	}
	requests = new(atomic.Int64)
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		if r.Header.Get("MIP_API_KEY") != apiKey {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		if _, err := w.Write(body.Bytes()); err != nil {
			return // the check went away
		}
	})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	go http.Serve(l, handler) //nolint:errcheck,gosec // a benchmark server, ended with the process
	fmt.Fprintf(os.Stderr, "simulator: %d scenarios, answer %.1f MB\n", n, float64(body.Len())/1e6)
	return "127.0.0.1:" + strconv.Itoa(l.Addr().(*net.TCPAddr).Port), requests
}

// runChecks runs one check per id, parallel at a time. The peak RSS comes
// from GNU time (/usr/bin/time -f %M): a child of this process shares its
// memory until exec, and the kernel counts it.
func runChecks(command, ids []string, parallel int) (*result, error) {
	res := &result{}
	var mu sync.Mutex
	var failure error
	work := make(chan string)
	var wg sync.WaitGroup
	for range parallel {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for id := range work {
				cmd := exec.Command(command[0], append(slices.Clone(command[1:]), "--filter-id=^"+id+"$")...)
				var out bytes.Buffer
				cmd.Stdout = &out
				err := cmd.Run()
				rss, rssErr := peakRSS(command, id)
				mu.Lock()
				if cmd.ProcessState == nil || !bytes.Contains(out.Bytes(), []byte("Scenario '")) {
					failure = fmt.Errorf("check %s failed: %w: %s", id, err, out.String())
				} else if rssErr != nil {
					failure = rssErr
				}
				res.cpu = append(res.cpu, cmd.ProcessState.UserTime()+cmd.ProcessState.SystemTime())
				res.rss = append(res.rss, rss)
				mu.Unlock()
			}
		}()
	}
	for _, id := range ids {
		work <- id
	}
	close(work)
	wg.Wait()
	return res, failure
}

// peakRSS runs the check again under GNU time for its peak RSS, in KiB.
func peakRSS(command []string, id string) (int64, error) {
	args := append([]string{"-f", "%M"}, command...)
	cmd := exec.Command("/usr/bin/time", append(args, "--filter-id=^"+id+"$")...)
	var errOut bytes.Buffer
	cmd.Stderr = &errOut
	_ = cmd.Run() //nolint:errcheck // the exit code is the check's
	lines := bytes.Split(bytes.TrimSpace(errOut.Bytes()), []byte("\n"))
	kib, err := strconv.ParseInt(string(lines[len(lines)-1]), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("no peak RSS from GNU time: %s", errOut.String())
	}
	return kib, nil
}

type options struct {
	perlSrc                                       string
	scenarios, checks, perlChecks, parallel, warm int
	bin                                           string
}

func main() {
	perlSrc := flag.String("perl", "", "the src/ directory of a centreon-plugins checkout (empty: no Perl side)")
	scenarios := flag.Int("scenarios", 1000, "scenarios of the simulated MIP")
	checks := flag.Int("checks", 1000, "telegraf-mip checks, one scenario each")
	perlChecks := flag.Int("perl-checks", 20, "Perl checks (each downloads everything: a sample)")
	parallel := flag.Int("parallel", 4, "checks at a time")
	bin := flag.String("bin", "telegraf-mip-centreon", "the check binary")
	warm := flag.Int("warm", 10000, "then measure warm-cache checks against a MIP of this many scenarios (0: no)")
	flag.Parse()
	o := options{perlSrc: *perlSrc, scenarios: *scenarios, checks: *checks, perlChecks: *perlChecks, parallel: *parallel, warm: *warm, bin: *bin}
	if err := bench(&o); err != nil {
		fmt.Fprintln(os.Stderr, "E!", err)
		os.Exit(1)
	}
}

func bench(o *options) error {
	state, err := os.MkdirTemp("", "centreonbench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(state)
	addr, requests := serve(o.scenarios)
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	args := []string{"--plugin=apps::monitoring::mip::restapi::plugin", "--mode=scenarios", "--hostname=" + host, "--port=" + port,
		"--proto=http", "--api-key=" + apiKey, "--statefile-dir=" + state, "--verbose"}
	command := []string{o.bin}
	if filepath.Base(o.bin) == "telegraf-mip" {
		command = append(command, "centreon")
	}
	ids := make([]string, o.checks)
	for i := range ids {
		ids[i] = strconv.Itoa(1000 + i%o.scenarios)
	}
	start := time.Now()
	goRes, err := runChecks(append(command, args...), ids, o.parallel)
	if err != nil {
		return err
	}
	fmt.Printf("telegraf-mip centreon (%s): %s; %d MIP requests in %.0f s\n",
		filepath.Base(o.bin), goRes.summary(), requests.Load(), time.Since(start).Seconds())
	if o.perlSrc != "" && o.perlChecks > 0 {
		before := requests.Load()
		perl := append([]string{"perl", filepath.Join(o.perlSrc, "centreon_plugins.pl")}, args...)
		perlRes, err := runChecks(perl, ids[:o.perlChecks], o.parallel)
		if err != nil {
			return err
		}
		fmt.Printf("Perl plugin: %s; %d MIP requests\n", perlRes.summary(), requests.Load()-before)
		var g, p time.Duration
		for _, c := range goRes.cpu {
			g += c
		}
		for _, c := range perlRes.cpu {
			p += c
		}
		ratio := (p.Seconds() / float64(len(perlRes.cpu))) / (g.Seconds() / float64(len(goRes.cpu)))
		fmt.Printf("CPU per check: telegraf-mip is 1/%.0f of the Perl plugin's\n", ratio)
	}
	if o.warm > 0 {
		addr, requests := serve(o.warm)
		_, port, err := net.SplitHostPort(addr)
		if err != nil {
			return err
		}
		args[3] = "--port=" + port
		ids := []string{"1000"} // the first check downloads
		for i := range 200 {
			ids = append(ids, strconv.Itoa(1000+i*(o.warm/200)))
		}
		first, err := runChecks(append(command, args...), ids[:1], 1)
		if err != nil {
			return err
		}
		fmt.Printf("cold check, %d scenarios: %s\n", o.warm, first.summary())
		res, err := runChecks(append(command, args...), ids[1:], 1)
		if err != nil {
			return err
		}
		fmt.Printf("warm checks, %d scenarios: %s; %d MIP requests\n", o.warm, res.summary(), requests.Load())
	}
	return nil
}
