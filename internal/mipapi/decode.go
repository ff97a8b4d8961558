package mipapi

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"time"
	"unicode"

	"github.com/go-json-experiment/json/jsontext"
)

// The response is scanned with jsontext, a streaming tokenizer (jsontext.go),
// and only the small parts a gather needs (the measure, its metricInfo, the
// runs it emits) are decoded into Go values, by hand (wire.go): the runs of
// a measure stay raw bytes until they are chosen.

// entryError is a scenario of the response that could not be read; the
// other scenarios of the same response are not affected by it.
type entryError struct {
	Index int    // position in the "results" array
	ID    string // measure id, when it could be read
	Err   error
}

func (e *entryError) Error() string {
	if e.ID != "" {
		return fmt.Sprintf("scenario id %s (results[%d]): %v", e.ID, e.Index, e.Err)
	}
	return fmt.Sprintf("results[%d]: %v", e.Index, e.Err)
}

func (e *entryError) Unwrap() error { return e.Err }

// DetailsDecoder reads a /api/measures/details response one entry of its
// "results" array at a time, so that memory is bounded by the largest
// entry, not by the response. For each entry, Next reads it up to its runs,
// Measure tells whose runs they are, and Entry reads the rest, keeping the
// runs its selection chooses:
//
//	d := mipapi.DecodeMeasureDetails(body)
//	for d.Next() {
//		entry, err := d.Entry(choose(d.Measure()))
//		...
//	}
//	if err := d.Err(); err != nil { ... }
//
// When r is a *Response, the pages it links with "next" are read too, in
// order, as one answer. A measure sent twice in one answer is read once,
// at its first entry.
type DetailsDecoder struct {
	c    *Cache
	r    io.Reader
	resp *Response // nil: one page
	br   *bufio.Reader
	dec  *decoder  // the page being read; nil between pages
	page pageLinks // what the page says besides its results

	foundResults bool // the page's "results" was met
	inResults    bool // the decoder is in its array
	read         int  // entries, on every page
	done         bool // the last page was read whole
	err          error

	// The entry being read, and where its reading is.
	entry   *MeasureEntry
	index   int          // its position in the answer
	problem error        // the first problem of its shape
	sel     RunSelection // the selection its runs were read with
	chosen  bool         // its runs were chosen, for the measure read so far
	paused  bool         // at its runs, for Entry to choose them
	current bool         // Next returned it
}

// DecodeMeasureDetails returns a decoder of the /api/measures/details
// response r.
func DecodeMeasureDetails(r io.Reader) *DetailsDecoder {
	return new(Cache).DecodeMeasureDetails(r)
}

// DecodeMeasureDetails is the package's DecodeMeasureDetails taking from c
// the measures and metricInfo it decoded before. An entry's Measure and
// MetricInfo may be shared with later entries and gathers: the caller must
// not change them. One decoder reads through c at a time: the next one
// takes its place.
func (c *Cache) DecodeMeasureDetails(r io.Reader) *DetailsDecoder {
	c.begin()
	// The decoder is the cache's, made anew for each answer: a gather
	// allocates none.
	d := &c.details
	*d = DetailsDecoder{c: c, r: r, entry: &MeasureEntry{}}
	d.resp, _ = r.(*Response)
	c.warnings = nil
	if d.resp != nil {
		c.warnings = &d.resp.warn
	}
	d.br = bufio.NewReaderSize(&squeezedInput{r: r}, 64*1024)
	return d
}

// Next reads the next entry of the answer up to its runs (whole when it
// sends them before its measure, or none), and reports whether there is
// one; at the end, or when the answer cannot be read further, it reports
// false, and Err says which.
func (d *DetailsDecoder) Next() bool {
	if d.paused {
		d.Entry(RunSelection{Skip: true}) //nolint:errcheck // the caller left the entry: its runs are skipped
	}
	d.current = false
	for d.err == nil && !d.done {
		if !d.inResults {
			d.err = d.nextResults()
			continue
		}
		switch d.dec.PeekKind() {
		case jsontext.KindEndArray, jsontext.KindInvalid:
			_, err := d.dec.ReadToken()
			d.err, d.inResults = syntaxError(err), false
			continue
		}
		d.entry.reset()
		d.index, d.problem, d.chosen = d.read, nil, false
		d.read++
		paused, err := d.readEntry()
		switch {
		case err != nil:
			d.err = syntaxError(err)
		case paused:
			d.paused, d.current = true, true
			return true
		case d.first():
			d.current = true
			return true
		}
	}
	d.c.warnings = nil
	return false
}

// Measure returns the measure of the entry Next read, nil when it has none
// (Entry then says why): the runs Entry keeps are chosen for it.
func (d *DetailsDecoder) Measure() *Measure {
	if !d.current {
		return nil
	}
	return d.entry.Measure
}

// Entry reads the rest of the entry Next read, keeping of its runs those
// sel chooses (the runs an entry sends before its measure are all kept),
// and returns it. An entry that cannot be decoded is an error, and the
// answer goes on. An entry left out, of a measure sent before in the
// answer, is nil and no error; so is an entry the answer breaks off in:
// Next then reports false, and Err says why. The entry's memory is reused
// for the next one: the caller must not keep it.
func (d *DetailsDecoder) Entry(sel RunSelection) (*MeasureEntry, error) {
	if !d.current {
		return nil, nil
	}
	d.current = false
	if d.paused {
		d.paused, d.sel, d.chosen = false, sel, true
		problem, err := decodeRuns(d.dec, d.entry, sel)
		if err == nil {
			d.keep(problem)
			_, err = d.readMembers()
		}
		if err != nil {
			d.err = syntaxError(err)
			return nil, nil
		}
		if !d.first() {
			return nil, nil // another measure after the runs, sent before
		}
	}
	e := d.entry
	switch {
	case d.problem != nil:
		return nil, &entryError{Index: d.index, ID: e.id(), Err: d.problem}
	case e.Measure == nil:
		return nil, &entryError{Index: d.index, Err: errors.New(`no "measure" object`)}
	case e.Measure.ID == "":
		return nil, &entryError{Index: d.index, Err: errors.New(`the measure has no "id"`)}
	}
	return e, nil
}

// Err is why the answer could not be read whole, nil once it was: a
// response that is not JSON, or ends early. The problems of an entry are
// Entry's.
func (d *DetailsDecoder) Err() error { return d.err }

// first tells whether the entry read whole is the first of its measure in
// the answer, and counts it: the others are left out (warnDuplicates).
func (d *DetailsDecoder) first() bool {
	return d.entry.id() == "" || d.c.firstOf(d.entry.Measure.ID)
}

// keep keeps the first problem of the entry's shape.
func (d *DetailsDecoder) keep(problem error) {
	if d.problem == nil {
		d.problem = problem
	}
}

// nextResults reads the answer up to the next "results" array, page after
// page, and ends the answer once its last page is read whole.
func (d *DetailsDecoder) nextResults() error {
	if d.dec == nil {
		if err := expectJSONObject(d.br); err != nil {
			return err
		}
		d.dec = newDecoder(d.br)
		if _, err := d.dec.ReadToken(); err != nil { // the opening '{', checked above
			return syntaxError(err)
		}
		d.page, d.foundResults = pageLinks{}, false
	}
	for d.dec.PeekKind() == jsontext.KindString {
		name, err := d.dec.ReadToken()
		if err != nil {
			return syntaxError(err)
		}
		switch n := name.String(); n {
		case "results":
			if d.foundResults {
				// The first array was streamed: it cannot count less than a
				// later one, as a member sent twice elsewhere would.
				return errors.New(`the response has "results" twice: the scenarios of the first were read, the second is refused`)
			}
			d.foundResults = true
			if d.inResults, err = openResults(d.dec); d.inResults || err != nil {
				return err
			}
		case "next", "count":
			raw, err := d.dec.ReadValue()
			if err != nil {
				return syntaxError(err)
			}
			if err := d.page.read(n, raw); err != nil {
				return err
			}
		default:
			if err := d.dec.SkipValue(); err != nil {
				return syntaxError(err)
			}
		}
	}
	if _, err := d.dec.ReadToken(); err != nil { // the closing '}'
		return syntaxError(err)
	}
	if !d.foundResults {
		return errors.New(`the response has no "results" array`)
	}
	return d.endPage()
}

// endPage follows the link to the next page, or ends the answer.
func (d *DetailsDecoder) endPage() error {
	d.dec = nil
	if d.resp != nil && d.page.next != "" {
		if err := d.resp.follow(d.page.next); err != nil {
			return err
		}
		d.br.Reset(&squeezedInput{r: d.r})
		return nil
	}
	if d.resp != nil {
		d.resp.checkCount(d.page.count, d.read)
	}
	d.c.warnDuplicates()
	d.c.end()
	d.done = true
	return nil
}

// pageLinks is what a page says besides its results: Django REST
// framework's "next" and "count".
type pageLinks struct {
	next  string
	count *int64
}

// read keeps the member "next" (a URL, or null on the last page) or
// "count" (the entries of every page).
func (p *pageLinks) read(name string, raw []byte) error {
	switch {
	case name == "count" && kindOf(raw) == jsontext.KindNumber:
		if n := ParseNumber(raw); n.Valid && n.Value >= 0 && n.Value <= math.MaxInt32 && n.Value == math.Trunc(n.Value) {
			count := int64(n.Value)
			p.count = &count
		}
	case name == "next" && kindOf(raw) == jsontext.KindString:
		next, err := unquote(raw)
		if err != nil {
			return fmt.Errorf(`"next" is not a valid string: %w`, err)
		}
		p.next = strings.TrimSpace(next)
	case name == "next" && kindOf(raw) != jsontext.KindNull:
		return fmt.Errorf(`"next" is %s, expected the URL of the next page or null`, kindName(kindOf(raw)))
	}
	return nil
}

// DecodeMeasures reads a /api/measures/ response whole and returns the
// measures of its "results" array; when r is a *Response, those of the
// pages it links with "next" too.
func DecodeMeasures(r io.Reader) ([]DiscoveredMeasure, error) {
	resp, paged := r.(*Response)
	var all []DiscoveredMeasure
	for {
		var answer struct {
			Results *[]DiscoveredMeasure `json:"results"`
			Next    json.RawMessage      `json:"next"`
			Count   json.RawMessage      `json:"count"`
		}
		if err := json.NewDecoder(&squeezedInput{r: r}).Decode(&answer); err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return nil, errors.New("the response ends early or is empty")
			}
			return nil, err
		}
		if answer.Results == nil {
			return nil, errors.New(`the response has no "results" array`)
		}
		all = append(all, *answer.Results...)
		var page pageLinks
		for name, raw := range map[string]json.RawMessage{"next": answer.Next, "count": answer.Count} {
			if len(raw) > 0 {
				if err := page.read(name, raw); err != nil {
					return nil, err
				}
			}
		}
		if !paged {
			return all, nil
		}
		if page.next == "" {
			resp.checkCount(page.count, len(all))
			return all, nil
		}
		if err := resp.follow(page.next); err != nil {
			return nil, err
		}
	}
}

// openResults opens the "results" array of a page, and reports whether
// there is one to read: "results": null is an empty list.
func openResults(dec *decoder) (open bool, err error) {
	switch dec.PeekKind() {
	case jsontext.KindNull:
		_, err := dec.ReadToken()
		return false, syntaxError(err)
	case jsontext.KindBeginArray:
	case jsontext.KindInvalid:
		_, err := dec.ReadToken()
		return false, syntaxError(err)
	default:
		return false, fmt.Errorf(`"results" is %s, expected an array`, kindName(dec.PeekKind()))
	}
	if _, err := dec.ReadToken(); err != nil {
		return false, syntaxError(err)
	}
	return true, nil
}

// readEntry opens the entry of "results" the decoder is at, and reads it as
// readMembers does. A problem is an entry that is read whole but has not
// the expected shape (kept in d.problem); err is a stream the decoder
// cannot go on with.
func (d *DetailsDecoder) readEntry() (paused bool, err error) {
	var shape problems
	if open, err := openObject(d.dec, fieldPath{}, "an object", &shape); !open {
		d.keep(shape.first)
		return false, err
	}
	return d.readMembers()
}

// readMembers reads the members of the entry up to its end, or stops at
// the runs of a measure first met in the answer, for Entry to choose them
// (paused).
func (d *DetailsDecoder) readMembers() (paused bool, err error) {
	dec, c, entry := d.dec, d.c, d.entry
	for dec.PeekKind() == jsontext.KindString {
		name, err := dec.ReadToken()
		if err != nil {
			return false, err
		}
		var fieldProblem error
		var probs problems
		switch n := name.String(); {
		case strings.EqualFold(n, "measure"):
			entry.Measure, err = c.measure(dec, &probs, entry)
			if d.chosen {
				// Its runs were chosen for another measure.
				fieldProblem = errors.New(`"measure" is sent again after "results"`)
			}
		case strings.EqualFold(n, "metricInfo"):
			entry.MetricInfo, err = c.metricInfo(dec, &probs, entry)
		case strings.EqualFold(n, "results"):
			switch {
			case entry.Measure != nil && c.ids[string(entry.Measure.ID)] > 0:
				// A measure sent again: left out.
				fieldProblem, err = decodeRuns(dec, entry, RunSelection{Skip: true})
			case d.chosen:
				fieldProblem, err = decodeRuns(dec, entry, d.sel)
			case entry.Measure != nil && entry.Measure.ID != "":
				return true, nil
			default:
				fieldProblem, err = decodeRuns(dec, entry, RunSelection{})
			}
		default:
			err = dec.SkipValue()
		}
		if err != nil {
			return false, err
		}
		if fieldProblem == nil {
			fieldProblem = probs.first
		}
		d.keep(fieldProblem)
	}
	_, err = dec.ReadToken() // the closing '}'
	return false, err
}

// RunSelection says which runs of a measure a gather may emit, so that the
// decoder keeps those only and skips the others as it reads them: memory
// then follows what a gather emits, not how many runs MIP sends.
type RunSelection struct {
	// Skip is for a measure the filters leave out: no run is kept.
	Skip bool
	// After keeps only the runs after it (zero: all).
	After time.Time
	// Until is the newest time a run may have; the runs after it wait for
	// their time (zero: none waits).
	Until time.Time
	// NewestOnly keeps, of the runs up to Until, the newest only.
	NewestOnly bool
	// Behind is where the windows MIP was asked for since the start began,
	// the oldest (or an older run written): the runs left out as settled
	// that are stamped before it and after Reported were in no window
	// asked, so no gather decided on them, and they are counted (see
	// MeasureEntry.Behind). Zero: none.
	Behind, Reported time.Time
}

// maxBadKeys bounds the run keys that are not times kept for messages;
// the others are counted.
const maxBadKeys = 10

// decodeRuns reads the runs of an entry: it parses their keys as times and
// keeps, as raw bytes, those sel selects. A "results" member sent twice
// counts last, as any member does, and so does a run time sent twice (under
// the same key, or another that reads as the same time).
func decodeRuns(dec *decoder, entry *MeasureEntry, sel RunSelection) (problem, err error) {
	entry.results, entry.badKeys, entry.badKeyCount = entry.results[:0], entry.badKeys[:0], 0
	entry.runs.reset()
	entry.behind = Behind{}
	var shape problems
	if open, err := openObject(dec, pathOf("results"), "an object of runs", &shape); !open {
		return shape.first, err
	}
	afterNs, untilNs := runNanosBound(sel.After), int64(math.MaxInt64)
	if !sel.Until.IsZero() {
		untilNs = runNanosBound(sel.Until)
	}
	behindNs, reportedNs := int64(math.MinInt64), runNanosBound(sel.Reported)
	if !sel.Behind.IsZero() {
		behindNs = runNanosBound(sel.Behind)
	}
	// In newest-only mode the newest run up to until is held apart, and
	// kept once all are read.
	newest, newestNs := entry.newest[:0], int64(math.MinInt64)
	entry.newestKey = entry.newestKey[:0]
	defer func() { entry.newest = newest }()
	for dec.PeekKind() == jsontext.KindString {
		// Read as a raw value: no string is made for the keys of the runs
		// a gather does not emit.
		name, err := dec.ReadValue()
		if err != nil {
			return nil, err
		}
		if sel.Skip {
			if err := dec.SkipValue(); err != nil {
				return nil, err
			}
			continue
		}
		ns, timed, err := entry.runTime(name)
		if err != nil {
			return nil, err
		}
		if timed && ns <= afterNs && ns < behindNs && ns > reportedNs {
			entry.behind.add(ns)
		}
		held := sel.NewestOnly && ns <= untilNs
		if !timed || ns <= afterNs || (held && ns < newestNs) {
			if err := dec.SkipValue(); err != nil {
				return nil, err
			}
			continue
		}
		raw, err := dec.ReadValue()
		if err != nil {
			return nil, err
		}
		if len(raw) > maxTextBytes {
			if entry.shrunk, err = shrinkTexts(entry.shrunk[:0], raw); err != nil {
				return nil, err
			}
			raw = entry.shrunk
		}
		if held {
			// The same time sent again counts last.
			newest, newestNs = append(newest[:0], raw...), ns
			entry.newestKey = append(entry.newestKey[:0], entry.keyBuf...)
			continue
		}
		entry.addRun(ns, raw)
	}
	if newestNs != math.MinInt64 {
		entry.addRun(newestNs, newest)
	}
	_, err = dec.ReadToken() // the closing '}'
	return nil, err
}

// runTime reads the key of a run, name as read (quoted), as nanoseconds
// since 1970; a key that is no time is counted, and kept for messages, and
// timed is false. err is a stream the decoder cannot go on with.
func (e *MeasureEntry) runTime(name []byte) (ns int64, timed bool, err error) {
	var terr error
	if len(name) > maxRunKeyBytes {
		terr = fmt.Errorf("run time %.40q… (%d bytes) is neither RFC 3339 nor a Unix epoch", name[1:], len(name)-2)
	} else {
		// The key is copied before the next read, which voids name.
		if e.keyBuf, err = unquoteName(e.keyBuf[:0], name); err != nil {
			return 0, false, err
		}
		ns, terr = runNanos(e.keyBuf)
	}
	if terr != nil {
		e.badKeyCount++
		if len(e.badKeys) < maxBadKeys {
			e.badKeys = append(e.badKeys, terr)
		}
		return 0, false, nil
	}
	return ns, true, nil
}

// shrinkTexts appends to dst the JSON value raw with every string longer
// than maxTextBytes replaced by tooLongText: what is refused later is then
// not kept whole until then, and a run of a hundred megabytes costs a few
// hundred kilobytes.
func shrinkTexts(dst, raw []byte) ([]byte, error) {
	dec := jsontext.NewDecoder(bytes.NewBuffer(raw), decoderOptions...)
	out := bytes.NewBuffer(dst)
	enc := jsontext.NewEncoder(out, jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))
	for {
		if dec.PeekKind() == '"' {
			s, err := dec.ReadValue()
			if err != nil {
				return nil, err
			}
			if len(s) > maxTextBytes {
				s = tooLongText
			}
			if err := enc.WriteValue(s); err != nil {
				return nil, err
			}
			continue
		}
		tok, err := dec.ReadToken()
		if errors.Is(err, io.EOF) {
			return out.Bytes(), nil
		}
		if err != nil {
			return nil, err
		}
		if err := enc.WriteToken(tok); err != nil {
			return nil, err
		}
	}
}

// TextLimit is the most bytes of text a point can carry: the line-protocol
// size of one point, escaping included, well under the 64 KiB line buffer
// of Telegraf's inputs.execd. A longer text is not kept whole.
const TextLimit = 32 * 1024

// maxTextBytes is the longest JSON text that may still unquote to one a
// point can carry: an escape takes at most six bytes for one.
const maxTextBytes = 6 * TextLimit

// tooLongText stands for a text longer than maxTextBytes: as long, and
// cheap.
var tooLongText = []byte(`"` + strings.Repeat("x", maxTextBytes) + `"`)

// TooLong tells whether a formatted metric's value was too long for any
// point: the decoder keeps a stand-in of the same length for it, which a
// point made of it is refused for.
func TooLong(raw json.RawMessage) bool { return len(raw) > maxTextBytes }

// maxRunKeyBytes is more than any run time takes, quoted and escaped: a
// longer key is refused before it is copied.
const maxRunKeyBytes = 128

// runNanos reads a run key as nanoseconds since 1970. RFC 3339, the
// layout MIP is seen to use, is read from the bytes, without a copy: a
// response holds a key for every run.
func runNanos(key []byte) (int64, error) {
	var t time.Time
	if len(key) > len("2006-01-02T15:04:05") && key[10] == 'T' && t.UnmarshalText(key) == nil && offsetInRange(key) && inRunTimeRange(t) {
		return t.UnixNano(), nil
	}
	t, err := parseRunTime(string(key))
	if err != nil {
		return 0, err
	}
	return t.UnixNano(), nil
}

func (e *MeasureEntry) id() string {
	if e == nil || e.Measure == nil {
		return ""
	}
	return string(e.Measure.ID)
}

// expectJSONObject fails early, with a useful message, on the most common
// wrong answer: an HTML page from a proxy or a login portal.
func expectJSONObject(br *bufio.Reader) error {
	for {
		c, _, err := br.ReadRune()
		if errors.Is(err, io.EOF) {
			return errors.New("the response body is empty")
		}
		if err != nil {
			return fmt.Errorf("reading the response: %w", err)
		}
		if unicode.IsSpace(c) || c == '\uFEFF' {
			continue
		}
		if err := br.UnreadRune(); err != nil {
			return err
		}
		switch c {
		case '{':
			return nil
		case '<':
			return errors.New("the response is HTML, not JSON: check that url is the MIP API (and not a proxy or login page)")
		}
		if head, _ := br.Peek(4); compression(head) != "" { //nolint:errcheck // a shorter head is still worth a look
			return fmt.Errorf("the response is compressed (%s), which the plugin does not read: "+
				"the server, or a proxy in front of it, compresses without being asked", compression(head))
		}
		return fmt.Errorf("the response is not a JSON object (it starts with %q)", c)
	}
}

// compression names the format whose magic number starts head, if any.
func compression(head []byte) string {
	switch {
	case len(head) >= 2 && head[0] == 0x1f && head[1] == 0x8b:
		return "gzip"
	case len(head) >= 2 && head[0]&0x0f == 8 && (uint16(head[0])<<8|uint16(head[1]))%31 == 0:
		return "zlib, as HTTP's deflate encoding"
	case len(head) >= 4 && head[0] == 0x28 && head[1] == 0xb5 && head[2] == 0x2f && head[3] == 0xfd:
		return "zstd"
	}
	return ""
}

// syntaxError words an error that stops the stream; nil stays nil.
func syntaxError(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("the response ends early (truncated JSON)")
	}
	// Limits say what they are, without the tokenizer's wrapping.
	var bodyTooLarge *BodyTooLargeError
	if errors.As(err, &bodyTooLarge) {
		return bodyTooLarge
	}
	var valueTooLarge *ValueTooLargeError
	if errors.As(err, &valueTooLarge) {
		return valueTooLarge
	}
	var se *jsontext.SyntacticError
	if errors.As(err, &se) {
		if errors.Is(se.Err, io.ErrUnexpectedEOF) {
			return errors.New("the response ends early (truncated JSON)")
		}
		return fmt.Errorf("invalid JSON at byte %d: %w", se.ByteOffset, se.Err)
	}
	return fmt.Errorf("reading the response: %w", err)
}

// kindName names a kind with its article, for messages.
func kindName(k jsontext.Kind) string {
	switch w := kindWord(k); w {
	case "null":
		return w
	case "object", "array":
		return "an " + w
	default:
		return "a " + w
	}
}

// kindWord names a kind for messages; an invalid kind, which no value
// read whole has, is "nothing".
func kindWord(k jsontext.Kind) string {
	switch k {
	case jsontext.KindBeginObject:
		return "object"
	case jsontext.KindBeginArray:
		return "array"
	case jsontext.KindString:
		return "string"
	case jsontext.KindNumber:
		return "number"
	case jsontext.KindTrue, jsontext.KindFalse:
		return "boolean"
	case jsontext.KindNull:
		return "null"
	}
	return "nothing"
}
