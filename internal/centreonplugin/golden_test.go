package centreonplugin

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"flag"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// updateDifferences rewrites the <case>.ours files of the cases that already
// have one (the documented differences), after a change was reviewed.
var updateDifferences = flag.Bool("update-differences", false, "rewrite the existing <case>.ours golden files")

const goldenDir = "../../testdata/goldens/centreon"

// goldenServer answers as scripts/centreon-goldens.sh's server does, by the
// MIP_API_KEY a case gives.
func goldenServer(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.Header.Get("MIP_API_KEY")
		kind := "measures"
		if strings.HasPrefix(r.URL.Path, "/api/measures/details") {
			kind = "details"
		}
		w.Header().Set("Content-Type", "application/json")
		switch {
		case strings.HasPrefix(key, "status-"):
			code, err := strconv.Atoi(key[7:])
			if err != nil {
				code = http.StatusBadRequest
			}
			w.WriteHeader(code)
			_, _ = w.Write([]byte(`{"detail": "refused"}`)) //nolint:errcheck // a test server
		case key == "empty":
		default:
			body, err := os.ReadFile(filepath.Join(goldenDir, kind+"_"+filepath.Base(key)+".json"))
			if err != nil {
				http.Error(w, err.Error(), http.StatusNotFound)
				return
			}
			_, _ = w.Write(body) //nolint:errcheck // a test server
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

type goldenCase struct {
	name string
	args []string
}

func readCases(t *testing.T) []goldenCase {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(goldenDir, "cases.txt"))
	require.NoError(t, err)
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	cases := make([]goldenCase, 0, len(lines))
	for _, line := range lines {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Split(line, "\t")
		cases = append(cases, goldenCase{name: fields[0], args: fields[1:]})
	}
	return cases
}

// TestGoldens runs every case of testdata/goldens/centreon/cases.txt, in
// order and in one state directory, as scripts/centreon-goldens.sh ran the
// Perl plugin, and compares the output and the exit code with the Perl
// plugin's (<case>.perl), or, where this command is documented to differ,
// with <case>.ours. The state files --memory left must be the Perl plugin's.
func TestGoldens(t *testing.T) {
	srv := goldenServer(t)
	_, port, err := net.SplitHostPort(strings.TrimPrefix(srv.URL, "http://"))
	require.NoError(t, err)
	state := t.TempDir()
	base := []string{"--plugin=" + PluginName, "--hostname=127.0.0.1", "--port=" + port, "--proto=http", "--statefile-dir=" + state}
	for _, c := range readCases(t) {
		var args []string
		outputFile := filepath.Join(state, "output.txt")
		for _, a := range c.args {
			switch a {
			case "@BASE":
				args = append(args, base...)
			case "@LIST":
				args = append(args, base[:len(base)-1]...)
			default:
				args = append(args, strings.ReplaceAll(a, "@FILE", outputFile))
			}
		}
		var stdout bytes.Buffer
		code := Run(args, &stdout, &stdout)
		got := strings.TrimSuffix(stdout.String(), "\n")
		if b, err := os.ReadFile(outputFile); err == nil {
			got = strings.TrimRight(got, "\n") + "\n--- file\n" + strings.TrimRight(string(b), "\n")
			require.NoError(t, os.Remove(outputFile))
		}
		got += "\nexit " + strconv.Itoa(code) + "\n"
		got = strings.ReplaceAll(got, state, "<dir>")
		got = strings.ReplaceAll(got, "127.0.0.1:"+port, "127.0.0.1:<port>")
		got = openMetricsTime.ReplaceAllString(got, "$1 <ms>")
		wantFile := filepath.Join(goldenDir, c.name+".ours")
		if _, err := os.Stat(wantFile); err != nil {
			wantFile = filepath.Join(goldenDir, c.name+".perl")
		} else if *updateDifferences {
			require.NoError(t, os.WriteFile(wantFile, []byte(got), 0o600))
		}
		want, err := os.ReadFile(wantFile)
		require.NoError(t, err)
		if !sameOutput(t, string(want), got) {
			t.Errorf("%s: %s differs:\n--- want\n%s--- got\n%s", c.name, filepath.Base(wantFile), want, got)
		}
	}

	// The state files: the same names, the same runs.
	b, err := os.ReadFile(filepath.Join(goldenDir, "statefiles.txt"))
	require.NoError(t, err)
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	require.Len(t, lines, 4)
	for i := 0; i < len(lines); i += 2 {
		name := strings.Replace(lines[i], "_<port>_", "_"+port+"_", 1)
		got, err := os.ReadFile(filepath.Join(state, name))
		require.NoError(t, err, "the state file %s", lines[i])
		var wantRuns, gotRuns map[string]*string
		require.NoError(t, json.Unmarshal([]byte(lines[i+1]), &wantRuns))
		require.NoError(t, json.Unmarshal(got, &gotRuns))
		require.Equal(t, wantRuns, gotRuns)
	}
}

// openMetricsTime is the time of an OpenMetrics line, which the goldens
// write <ms>.
var openMetricsTime = regexp.MustCompile(`(?m)^([a-z_.]+\{plugin=.*\} [^ ]+) [0-9]{13}$`)

// sameOutput compares an output with its golden: byte for byte, except
// JSON and XML documents (the Perl plugins write a hash's keys, and the
// short messages of each status, in their hash's order, which changes
// from run to run), compared as documents.
func sameOutput(t *testing.T, want, got string) bool {
	t.Helper()
	if want == got {
		return true
	}
	wantDoc, wantRest, _ := strings.Cut(want, "\nexit ")
	gotDoc, gotRest, _ := strings.Cut(got, "\nexit ")
	if wantRest != gotRest {
		return false
	}
	wantDoc, wantFile, _ := strings.Cut(wantDoc, "\n--- file\n")
	gotDoc, gotFile, _ := strings.Cut(gotDoc, "\n--- file\n")
	if wantFile != "" || gotFile != "" {
		return sameDocument(t, wantDoc, gotDoc) && sameDocument(t, wantFile, gotFile)
	}
	return sameDocument(t, wantDoc, gotDoc)
}

func sameDocument(t *testing.T, want, got string) bool {
	t.Helper()
	switch {
	case want == got:
		return true
	case strings.HasPrefix(want, "{"):
		return reflect.DeepEqual(jsonDocument(t, want), jsonDocument(t, got))
	case strings.HasPrefix(want, "<?xml"):
		return reflect.DeepEqual(xmlDocument(t, want), xmlDocument(t, got))
	}
	return false
}

// jsonDocument reads a JSON document with its numbers as text (the Perl
// plugins write a value as a number or a string as Perl last used it) and
// the short messages sorted by status, in order within one.
func jsonDocument(t *testing.T, doc string) any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(doc))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return doc
	}
	var text func(any) any
	text = func(v any) any {
		switch v := v.(type) {
		case json.Number:
			return string(v)
		case map[string]any:
			for k, e := range v {
				v[k] = text(e)
			}
		case []any:
			for i, e := range v {
				v[i] = text(e)
			}
		}
		return v
	}
	v = text(v)
	if plugin, ok := v.(map[string]any)["plugin"].(map[string]any); ok {
		if outputs, ok := plugin["outputs"].([]any); ok {
			sort.SliceStable(outputs, func(i, j int) bool {
				a, b := outputs[i].(map[string]any), outputs[j].(map[string]any)
				if a["type"] != b["type"] {
					return a["type"].(string) < b["type"].(string)
				}
				ea, _ := a["exit"].(string)
				eb, _ := b["exit"].(string)
				return ea < eb
			})
		}
	}
	return v
}

// xmlNode is an XML element: its name, text and children.
type xmlNode struct {
	Name     string
	Text     string
	Children []*xmlNode
}

// xmlDocument reads an XML document, a perfdata's children sorted by name
// and the short messages by status, as jsonDocument.
func xmlDocument(t *testing.T, doc string) *xmlNode {
	t.Helper()
	dec := xml.NewDecoder(strings.NewReader(doc))
	root := &xmlNode{}
	stack := []*xmlNode{root}
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		top := stack[len(stack)-1]
		switch tok := tok.(type) {
		case xml.StartElement:
			n := &xmlNode{Name: tok.Name.Local}
			for _, a := range tok.Attr {
				n.Children = append(n.Children, &xmlNode{Name: "@" + a.Name.Local, Text: a.Value})
			}
			top.Children = append(top.Children, n)
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if strings.TrimSpace(string(tok)) != "" {
				top.Text += string(tok)
			}
		}
	}
	var walk func(n *xmlNode)
	walk = func(n *xmlNode) {
		switch n.Name {
		case "perfdata":
			sort.Slice(n.Children, func(i, j int) bool { return n.Children[i].Name < n.Children[j].Name })
		case "outputs":
			key := func(o *xmlNode) string {
				var k strings.Builder
				for _, c := range o.Children {
					if c.Name == "type" || c.Name == "exit" {
						k.WriteString(c.Text + " ")
					}
				}
				return k.String()
			}
			sort.SliceStable(n.Children, func(i, j int) bool { return key(n.Children[i]) < key(n.Children[j]) })
		}
		for _, c := range n.Children {
			walk(c)
		}
	}
	walk(root)
	return root
}
