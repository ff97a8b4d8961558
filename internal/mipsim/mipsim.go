// Package mipsim simulates the MIP REST API for tests, the demo and
// benchmarks. It serves /api/measures/details and /api/measures/ in the shape
// described in the project brief, with deterministic runs computed from a
// controllable clock, so that every run it ever serves can be recomputed.
package mipsim

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Scenario is one simulated MIP measure.
type Scenario struct {
	ID           int64
	Name         string
	DisplayName  string
	ScenarioName string
	// Application is the application name; empty sends "application": null.
	Application string
	Frequency   time.Duration
	// Phase offsets the scenario's runs from the epoch, so scenarios of the
	// same frequency do not all run at the same instant.
	Phase   time.Duration
	Metrics []Metric
	// Formatted are labels of formatted metrics; API_VERSION and
	// SCRIPT_VERSION are always added.
	Formatted []string
	// Timeout is the measure's timeout (60 s when zero).
	Timeout time.Duration
	// Durations, when set, are how long runs take, in turn: MIP records a
	// run under its start time once it ends, so a long run appears late,
	// possibly after a shorter one that started after it.
	Durations []time.Duration
}

// duration is how long the run of sc started at t takes.
func (sc Scenario) duration(t time.Time) time.Duration {
	if len(sc.Durations) == 0 || sc.Frequency <= 0 {
		return 0
	}
	k := t.Sub(time.Unix(0, 0).Add(sc.Phase)) / sc.Frequency
	return sc.Durations[int(k)%len(sc.Durations)]
}

// Recorded returns the runs of sc started in (from, to] and recorded by to,
// that is ended: what MIP answers at to for that window.
func Recorded(sc Scenario, from, to time.Time) []Run {
	runs := Runs(sc, from, to)
	kept := runs[:0]
	for _, r := range runs {
		if !r.Time.Add(sc.duration(r.Time)).After(to) {
			kept = append(kept, r)
		}
	}
	return kept
}

// Metric is one entry of a measure's metricInfo.
type Metric struct {
	Key   string
	Alias string
	Unit  string
}

// Run is one simulated replay of a scenario.
type Run struct {
	Time      time.Time
	State     string
	Metrics   map[string]float64
	Formatted map[string]any
}

// Sim is a MIP API. Its fields may be changed between requests through the
// setters; the zero value is not usable, use New.
type Sim struct {
	mu        sync.Mutex
	apiKey    string
	scenarios []Scenario
	now       func() time.Time
	maxWindow time.Duration // when set, no answer reaches further back
	pageSize  int           // when set, answers come in pages of this many entries
	requests  int
	outage    int      // when set, every request fails with this HTTP status
	answers   []answer // the details answers, whole or cut
}

// answer is a details answer: its window (from, to] and the scenarios whose
// entries it began to send, in order. The plugin decodes and writes runs
// while the answer streams, so an entry counts as served as soon as it is
// handed to the connection, even when the answer is cut after it.
type answer struct {
	from, to  time.Time
	scenarios []Scenario
}

// span is a window (from, to].
type span struct{ from, to time.Time }

// New returns a simulator that accepts apiKey and serves scenarios.
func New(apiKey string, scenarios []Scenario) *Sim {
	return &Sim{
		apiKey:    apiKey,
		scenarios: scenarios,
		now:       time.Now,
	}
}

// SetClock makes the simulator read the time from now.
func (s *Sim) SetClock(now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = now
}

// SetMaxWindow makes every /api/measures/details answer reach at most d
// back, whatever its from asks (0: no limit). A `telegraf-mip -once` with a
// state_file asks further back than the same plugin in a long-running
// process, which knows each measure's timeout; this lets such a process be
// given the answer a steady gather gets (scripts/compare.sh).
func (s *Sim) SetMaxWindow(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.maxWindow = d
}

// SetPageSize makes the answers come in pages of n entries (0: one answer
// whole, as limit=-1 asks), as Django REST framework's
// PageNumberPagination pages them whatever limit says: {"count": all
// entries, "next": the absolute URL of the next page or null, "previous":
// the previous one's or null, "results": this page's}, the page in the
// query parameter page (1 when absent), and a page out of range a 404
// {"detail": "Invalid page."}. Each page is computed when asked, as
// Django computes it.
func (s *Sim) SetPageSize(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pageSize = n
}

// SetScenarios replaces the scenarios served, e.g. to leave one out of the
// answers for a while.
func (s *Sim) SetScenarios(scenarios []Scenario) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.scenarios = scenarios
}

// SetOutage makes every request fail with HTTP status (e.g. 503, as MIP
// under maintenance answers), until SetOutage(0): the tests' MIP that goes
// down.
func (s *Sim) SetOutage(status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.outage = status
}

// Answer is the window of a details answer: the runs in (From, At], At the
// simulator's clock when it answered.
type Answer struct{ From, At time.Time }

// Answers returns the windows of the details answers sent so far, oldest
// first, whole or cut.
func (s *Sim) Answers() []Answer {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Answer, 0, len(s.answers))
	for _, a := range s.answers {
		out = append(out, Answer{From: a.from, At: a.to})
	}
	return out
}

// Requests returns the number of requests served so far.
func (s *Sim) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// Served returns, per scenario id, the time of every run the simulator has
// begun to send in a /api/measures/details answer, oldest first, each once:
// an answer cut by a client gone counts up to the entry it was sending, the
// runs a streaming reader may have written.
func (s *Sim) Served() map[int64][]time.Time {
	s.mu.Lock()
	answers := slices.Clone(s.answers)
	s.mu.Unlock()
	windows := make(map[int64][]span)
	latest := make(map[int64]Scenario)
	for _, a := range answers {
		for _, sc := range a.scenarios {
			windows[sc.ID] = append(windows[sc.ID], span{a.from, a.to})
			latest[sc.ID] = sc
		}
	}
	out := make(map[int64][]time.Time, len(windows))
	for id, spans := range windows {
		sc := latest[id]
		if len(sc.Durations) == 0 {
			spans = union(spans) // otherwise what was recorded depends on each answer's time
		}
		var times []time.Time
		for _, sp := range spans {
			for _, r := range Recorded(sc, sp.from, sp.to) {
				times = append(times, r.Time)
			}
		}
		slices.SortFunc(times, time.Time.Compare)
		out[id] = slices.CompactFunc(times, time.Time.Equal)
	}
	return out
}

// union returns the union of spans as disjoint spans in order.
func union(spans []span) []span {
	slices.SortFunc(spans, func(a, b span) int { return a.from.Compare(b.from) })
	out := make([]span, 0, len(spans))
	for _, sp := range spans {
		if n := len(out); n > 0 && !sp.from.After(out[n-1].to) {
			if sp.to.After(out[n-1].to) {
				out[n-1].to = sp.to
			}
			continue
		}
		out = append(out, sp)
	}
	return out
}

// runKey writes a run's time as the key of "results", as MIP 6.4 does in
// the reference's examples.
func runKey(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z07:00") }

// Runs returns the runs of sc with a time in (from, to], oldest first.
func Runs(sc Scenario, from, to time.Time) []Run {
	if sc.Frequency <= 0 {
		return nil
	}
	freq := sc.Frequency
	// The first run time after from: phase + k*freq > from.
	k := from.Sub(time.Unix(0, 0).Add(sc.Phase)) / freq
	var runs []Run
	for t := time.Unix(0, 0).Add(sc.Phase).Add(k * freq); !t.After(to); t = t.Add(freq) {
		if t.After(from) {
			runs = append(runs, runAt(sc, t.UTC()))
		}
	}
	return runs
}

// runAt computes the run of sc at t: the same inputs always give the same run.
func runAt(sc Scenario, t time.Time) Run {
	r := Run{Time: t, Metrics: make(map[string]float64, len(sc.Metrics)), Formatted: make(map[string]any)}
	switch h := hash(sc.ID, t, "state") % 20; {
	case h == 0:
		r.State = "CRITICAL"
	case h <= 2:
		r.State = "WARNING"
	case h == 3:
		r.State = "UNKNOWN"
	default:
		r.State = "OK"
	}
	total := 0.0
	for _, m := range sc.Metrics {
		v := metricValue(m, hash(sc.ID, t, m.Key))
		r.Metrics[m.Key] = v
		if m.Unit == "ms" {
			total += v
		}
	}
	for _, label := range sc.Formatted {
		r.Formatted[label] = math.Round(total)
	}
	r.Formatted["API_VERSION"] = "6.4.90"
	r.Formatted["SCRIPT_VERSION"] = "1." + strconv.FormatInt(sc.ID%7, 10)
	return r
}

func metricValue(m Metric, h uint64) float64 {
	switch m.Unit {
	case "ms":
		return float64(100 + h%2900)
	case "bytes":
		return float64(10000 + h%500000)
	case "bps":
		return float64(1e5+h%1e7) / 10
	case "status":
		return 200
	}
	return float64(h % 100)
}

func hash(id int64, t time.Time, what string) uint64 {
	f := fnv.New64a()
	fmt.Fprintf(f, "%d|%d|%s", id, t.UnixNano(), what)
	return f.Sum64()
}

// ServeHTTP answers MIP's endpoints; any other path is a 404, as MIP's is.
func (s *Sim) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests++
	apiKey, scenarios, now, maxWindow, pageSize, outage := s.apiKey, s.scenarios, s.now(), s.maxWindow, s.pageSize, s.outage
	s.mu.Unlock()

	if outage != 0 {
		writeError(w, outage, "maintenance")
		return
	}
	if r.Header.Get("MIP_API_KEY") != apiKey {
		writeError(w, http.StatusUnauthorized, "invalid API key")
		return
	}
	var links *pageLinks
	if pageSize > 0 && r.Header.Get("MIP_API_KEY") == apiKey {
		var ok bool
		if scenarios, links, ok = paginate(r, scenarios, pageSize); !ok {
			writeJSON(w, http.StatusNotFound, map[string]string{"detail": "Invalid page."})
			return
		}
	}
	switch strings.TrimSuffix(r.URL.Path, "/") {
	case "/api/measures/details":
		from, err := parseFrom(r.URL.Query().Get("from"), now)
		if err != nil {
			writeError(w, http.StatusBadRequest, err.Error())
			return
		}
		if maxWindow > 0 && from.Before(now.Add(-maxWindow)) {
			from = now.Add(-maxWindow)
		}
		w.Header().Set("Content-Type", "application/json")
		bw := bufio.NewWriterSize(w, 64*1024)
		s.mu.Lock()
		s.answers = append(s.answers, answer{from: from, to: now})
		i := len(s.answers) - 1
		s.mu.Unlock()
		begin := func(n int) {
			s.mu.Lock()
			s.answers[i].scenarios = scenarios[:n]
			s.mu.Unlock()
		}
		if writeDetailsAfter(bw, links.head(), scenarios, from, now, begin) == nil {
			bw.Flush() // a failed write is a client gone: no one to tell
		}
	case "/api/measures":
		w.Header().Set("Content-Type", "application/json")
		answer := discovery(scenarios)
		if links != nil {
			answer["count"], answer["next"], answer["previous"] = links.Count, links.Next, links.Previous
		}
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		enc.Encode(answer) //nolint:errcheck // a failed write is a client gone: no one to tell
	default:
		writeError(w, http.StatusNotFound, "not found")
	}
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v) //nolint:errcheck // a failed write is a client gone: no one to tell
}

// pageLinks are the members Django REST framework puts before a page's
// results.
type pageLinks struct {
	Count    int     `json:"count"`
	Next     *string `json:"next"`
	Previous *string `json:"previous"`
}

// head is the start of a details answer: its links, then its results.
func (l *pageLinks) head() string {
	if l == nil {
		return `{"results":[`
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // Django writes & as is
	enc.Encode(l)            //nolint:errcheck // ints and strings always encode
	return strings.TrimSuffix(b.String(), "}\n") + `,"results":[`
}

// paginate is PageNumberPagination: the scenarios of the page r asks for,
// and its links, built from r's absolute URL as Django's
// build_absolute_uri builds it; false for a page out of range.
func paginate(r *http.Request, scenarios []Scenario, size int) ([]Scenario, *pageLinks, bool) {
	page := 1
	if v := r.URL.Query().Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return nil, nil, false
		}
		page = n
	}
	pages := max(1, (len(scenarios)+size-1)/size) // an empty answer is one empty page
	if page > pages {
		return nil, nil, false
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	link := func(p int) *string {
		u := url.URL{Scheme: scheme, Host: r.Host, Path: r.URL.Path}
		q := r.URL.Query()
		if p == 1 {
			q.Del("page") // Django's remove_query_param for the first page
		} else {
			q.Set("page", strconv.Itoa(p))
		}
		u.RawQuery = q.Encode()
		s := u.String()
		return &s
	}
	links := &pageLinks{Count: len(scenarios)}
	if page < pages {
		links.Next = link(page + 1)
	}
	if page > 1 {
		links.Previous = link(page - 1)
	}
	return scenarios[min((page-1)*size, len(scenarios)):min(page*size, len(scenarios))], links, true
}

// parseFrom reads MIP's relative time ("now-1h"); the API's default window
// is one hour.
func parseFrom(v string, now time.Time) (time.Time, error) {
	if v == "" {
		return now.Add(-time.Hour), nil
	}
	rel, ok := strings.CutPrefix(v, "now-")
	if !ok || len(rel) < 2 {
		return time.Time{}, fmt.Errorf("from=%q: expected now-<n><s|m|h|d>", v)
	}
	n, err := strconv.ParseInt(rel[:len(rel)-1], 10, 64)
	if err != nil || n < 0 {
		return time.Time{}, fmt.Errorf("from=%q: expected now-<n><s|m|h|d>", v)
	}
	unit := map[byte]time.Duration{'s': time.Second, 'm': time.Minute, 'h': time.Hour, 'd': 24 * time.Hour}[rel[len(rel)-1]]
	if unit == 0 {
		return time.Time{}, errors.New("from: unknown unit in " + v)
	}
	return now.Add(-time.Duration(n) * unit), nil
}
