package centreonplugin

import (
	"bytes"
	"net"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/telegraf-mip/telegraf-mip/internal/mipsim"
)

// clapiFile is the CLAPI import file for a Centreon without the Plugin-Pack.
const clapiFile = "../../examples/centreon-clapi-mip.txt"

// clapiMinParams are the parameters CLAPI's classes require for each
// object and action the file uses (centreon/centreon,
// www/class/centreon-clapi: CentreonCommand's insertParams, CentreonHost's
// for HTPL, CentreonServiceTemplate's for STPL, their setmacro, setparam
// and __call), and the most they read.
var clapiParams = map[string][2]int{
	"CMD;ADD":              {3, 3}, // name;type;line: a ';' in the line would cut it
	"HTPL;ADD":             {6, 6}, // name;alias;address;templates;instance;hostgroups
	"HTPL;SETMACRO":        {3, 5}, // name;macro;value[;is_password;description]
	"STPL;ADD":             {3, 3}, // description;alias;template
	"STPL;SETPARAM":        {3, 3}, // description;param;value
	"STPL;SETMACRO":        {3, 4}, // description;macro;value[;description]
	"STPL;ADDHOSTTEMPLATE": {2, 2}, // description;host templates
}

// clapiIllegal are Centreon's default illegal characters in object names.
const clapiIllegal = "~!$%^&*\"|'<>?,()="

type clapiCommand struct{ name, kind, line string }

// TestCLAPIImportFile reads the import file as CLAPI's import() does (a
// line split on ';', the object, the action, the rest trimmed) and checks
// each line against what CLAPI's classes accept, that every object a line
// names exists by then, that every macro the commands use is defined with
// its default, and that the commands, their macros at their defaults,
// run: the check against the simulator, the discovery's XML.
func TestCLAPIImportFile(t *testing.T) {
	b, err := os.ReadFile(clapiFile)
	require.NoError(t, err)
	objects := map[string]bool{}
	commands := map[string]clapiCommand{}
	hostMacros, serviceMacros := map[string]string{}, map[string]string{}
	checkCommand := ""
	for i, line := range strings.Split(string(b), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		where := "line " + strconv.Itoa(i+1)
		tab := strings.Split(line, ";")
		require.GreaterOrEqual(t, len(tab), 2, where)
		object, action := strings.TrimSpace(tab[0]), strings.ToUpper(strings.TrimSpace(tab[1]))
		variables := strings.TrimSpace(line[len(tab[0]+";"+tab[1]+";"):])
		params := strings.Split(variables, ";")
		limits, known := clapiParams[object+";"+action]
		require.True(t, known, "%s: %s;%s is not an action this file may use", where, object, action)
		require.GreaterOrEqual(t, len(params), limits[0], "%s: too few parameters", where)
		require.LessOrEqual(t, len(params), limits[1], "%s: too many parameters (a ';' in a value?)", where)
		name := params[0]
		if action == "ADD" {
			require.False(t, strings.ContainsAny(name, clapiIllegal), "%s: %q has characters Centreon refuses", where, name)
			require.False(t, objects[object+";"+name], "%s: %s added twice", where, name)
			objects[object+";"+name] = true
		} else {
			require.True(t, objects[object+";"+name], "%s: %s %q is not added before", where, object, name)
		}
		switch object + ";" + action {
		case "CMD;ADD":
			require.Contains(t, []string{"check", "notif", "misc", "discovery"}, params[1], where)
			commands[name] = clapiCommand{name: name, kind: params[1], line: params[2]}
		case "HTPL;SETMACRO":
			if len(params) > 3 {
				require.Contains(t, []string{"0", "1"}, params[3], "%s: is_password", where)
			}
			hostMacros[params[1]] = params[2]
		case "STPL;SETMACRO":
			serviceMacros[params[1]] = params[2]
		case "STPL;SETPARAM":
			if params[1] == "check_command" {
				require.Contains(t, commands, params[2], "%s: the command is not added before", where)
				checkCommand = params[2]
			}
		case "STPL;ADDHOSTTEMPLATE":
			require.True(t, objects["HTPL;"+params[1]], "%s: host template %q is not added before", where, params[1])
		}
	}
	require.NotEmpty(t, checkCommand)
	for _, macro := range []string{"MIPAPIHOSTNAME", "MIPAPIPROTO", "MIPAPIPORT", "MIPAPIKEY", "MIPAPITIMEOUT", "MIPAPIEXTRAOPTIONS"} {
		require.Contains(t, hostMacros, macro, "the pack's host macro %s", macro)
	}
	require.Equal(t, map[string]string{"MIPAPIPROTO": "https", "MIPAPIPORT": "443", "MIPAPITIMEOUT": "10"},
		map[string]string{"MIPAPIPROTO": hostMacros["MIPAPIPROTO"], "MIPAPIPORT": hostMacros["MIPAPIPORT"], "MIPAPITIMEOUT": hostMacros["MIPAPITIMEOUT"]})

	// The commands, as Centreon Engine runs them, against the simulator.
	sim := newSimCheck(t, mipsim.Demo())
	host, port := "", ""
	for _, a := range sim.args {
		if v, ok := strings.CutPrefix(a, "--hostname="); ok {
			host = v
		}
		if v, ok := strings.CutPrefix(a, "--port="); ok {
			port = v
		}
	}
	_, err = net.LookupPort("tcp", port)
	require.NoError(t, err)
	hostMacros["MIPAPIHOSTNAME"], hostMacros["MIPAPIPORT"], hostMacros["MIPAPIPROTO"], hostMacros["MIPAPIKEY"] = host, port, "http", testKey
	// The host's extra options go to the discovery too, which knows no
	// --statefile-dir (as in the Perl plugin): the service's take it.
	hostMacros["MIPAPIEXTRAOPTIONS"] = "--cache-duration=30"
	serviceMacros["EXTRAOPTIONS"] = "--statefile-dir=" + sim.state
	macro := regexp.MustCompile(`\$_(HOST|SERVICE)([A-Z0-9_]+)\$`)
	expand := func(line string) []string {
		line = macro.ReplaceAllStringFunc(line, func(m string) string {
			sub := macro.FindStringSubmatch(m)
			values := hostMacros
			if sub[1] == "SERVICE" {
				values = serviceMacros
			}
			v, ok := values[sub[2]]
			require.True(t, ok, "macro %s is not defined", m)
			return v
		})
		// The packages' lean binary, which the docs recommend.
		args := shellWords(t, line)
		require.Equal(t, "/usr/bin/telegraf-mip-centreon", args[0])
		return args[1:]
	}
	var out bytes.Buffer
	code := runAt(expand(commands[checkCommand].line), &out, &out, time.Now)
	require.Contains(t, out.String(), "#scenario.metric.usage.", out.String())
	require.Contains(t, []int{0, 1, 2, 3}, code)
	require.NotContains(t, out.String(), "Unknown option")
	for _, c := range commands {
		if c.kind != "discovery" {
			continue
		}
		out.Reset()
		code := runAt(expand(c.line), &out, &out, time.Now)
		require.Equal(t, 0, code, out.String())
		require.True(t, strings.HasPrefix(out.String(), "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<data>\n  <label "), out.String())
	}
}

// shellWords splits a command line as /bin/sh does for what the file uses:
// words separated by spaces, single quotes kept together.
func shellWords(t *testing.T, line string) []string {
	t.Helper()
	var words []string
	var word strings.Builder
	inWord, quoted := false, false
	for _, r := range line {
		switch {
		case quoted && r == '\'':
			quoted = false
		case quoted:
			word.WriteRune(r)
		case r == '\'':
			quoted, inWord = true, true
		case r == ' ':
			if inWord {
				words = append(words, word.String())
				word.Reset()
				inWord = false
			}
		default:
			require.NotContains(t, `"\$`+"`", string(r), "a character the shell would read: %q", line)
			word.WriteRune(r)
			inWord = true
		}
	}
	require.False(t, quoted, "an unclosed quote")
	if inWord {
		words = append(words, word.String())
	}
	return words
}
