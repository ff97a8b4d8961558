// Package centreonplugin is `telegraf-mip centreon`: a drop-in for the
// Centreon Perl plugin apps::monitoring::mip::restapi (its command line, its
// output byte for byte where it is right) whose checks on one poller share
// one MIP download for a while (--cache-duration). It imports nothing from
// Telegraf: a check is a short process, and what it links it initialises.
package centreonplugin

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/telegraf-mip/telegraf-mip/internal/centreonoutput"
	"github.com/telegraf-mip/telegraf-mip/internal/centreonrules"
	"github.com/telegraf-mip/telegraf-mip/internal/mipapi"
	"github.com/telegraf-mip/telegraf-mip/internal/perlre"
)

// PluginName is the only --plugin accepted.
const PluginName = "apps::monitoring::mip::restapi::plugin"

// Defaults of the options this command adds or sets.
const (
	defaultStatefileDir  = "/var/lib/centreon/centplugins"
	defaultCacheDuration = 60 * time.Second
	// maxBody bounds MIP's answer, decompressed: the hour of runs the
	// check asks for is about 131 MB for 10,000 scenarios, so 512 MiB
	// (the Telegraf side's max_body_size) is about 40,000, more than the
	// Perl plugin can decode on a poller; a gzip bomb stops there.
	maxBody = 512 << 20
)

// Version is printed by --version.
var Version = "dev"

// exitError ends a check with a message and an exit status, the way
// option_exit does: the message takes the --opt-exit status unless the
// error has its own.
type exitError struct {
	msg    string
	status int
	// own tells that status is the error's, not --opt-exit's.
	own bool
	// display: the Perl plugins write this error as a result (display()),
	// not as an option error (option_exit()): an HTTP or network failure.
	display bool
}

func (e *exitError) Error() string { return e.msg }

func optionError(format string, a ...any) error {
	return &exitError{msg: fmt.Sprintf(format, a...)}
}

// check is one run of the command.
type check struct {
	args   *args
	out    *centreonoutput.Output
	stdout io.Writer
	now    func() time.Time
	// notices say why a file of the state directory could not be used
	// (see notice.go).
	notices []string
}

// Run runs the command with the Perl plugin's arguments and returns the
// exit code.
func Run(argv []string, stdout, stderr io.Writer) int {
	return runAt(argv, stdout, stderr, time.Now)
}

// runAt is Run with a clock.
func runAt(argv []string, stdout, _ io.Writer, now func() time.Time) int {
	a := parseArgs(argv)
	// The output options come first, as centreon-plugins reads them before
	// the plugin: every error is written as they say.
	out, err := centreonoutput.New(a, a.str("plugin", ""), "")
	out.SetClock(now)
	c := &check{args: a, out: out, stdout: stdout, now: now}
	if err == nil {
		err = c.run()
	}
	if err == nil {
		return 0
	}
	var done *writtenError
	if errors.As(err, &done) {
		return done.code
	}
	literal := out.OptExit()
	var oe *centreonoutput.OptionError
	if errors.As(err, &oe) {
		if oe.Literal != "" {
			literal = oe.Literal
		}
		out.AddSep(centreonoutput.Unqualified, oe.Msg, " - ")
		return out.OptionExit(stdout, literal)
	}
	var ee *exitError
	if !errors.As(err, &ee) {
		ee = &exitError{msg: err.Error()}
	}
	if ee.display {
		out.Add(ee.status, ee.msg)
		code := out.Display(stdout)
		c.writeNotices()
		return code
	}
	if ee.own {
		literal = centreonrules.StatusNames[ee.status]
	}
	out.AddSep(centreonoutput.Unqualified, ee.msg, " - ")
	code := out.OptionExit(stdout, literal)
	c.writeNotices()
	return code
}

func (c *check) run() error {
	a := c.args
	if a.Has("help") {
		_, _ = io.WriteString(c.stdout, usage) //nolint:errcheck // nothing to do if stdout is gone
		return &exitError{msg: "telegraf-mip centreon: the options are in docs/centreon-plugin.md", status: centreonrules.Unknown, own: true}
	}
	plugin, _ := a.Get("plugin")
	switch {
	case plugin == "":
		return optionError("Need to specify '--plugin' option.")
	case plugin != PluginName:
		return optionError("telegraf-mip centreon runs --plugin=%s only, not '%s'.", PluginName, plugin)
	}
	c.out.SetMode(a.str("mode", ""))
	if a.Has("list-mode") {
		_, _ = io.WriteString(c.stdout, "Modes Available:\n   list-scenarios\n   scenarios\n") //nolint:errcheck // as above
		return &exitError{msg: "List modes", status: centreonrules.Unknown, own: true}
	}
	if a.Has("list-custommode") {
		_, _ = io.WriteString(c.stdout, "Custom Modes Available:\n   api\n") //nolint:errcheck // as above
		return &exitError{msg: "List custom modes", status: centreonrules.Unknown, own: true}
	}
	if a.Has("version") {
		return &exitError{msg: "Plugin Version: telegraf-mip " + Version, status: centreonrules.Unknown, own: true}
	}
	mode, _ := a.Get("mode")
	if custom := a.str("custommode", "api"); custom != "api" {
		return optionError("Custom mode '%s' doesn't exist (use --list-custommode option to show available custom modes).", custom)
	}
	switch mode {
	case "":
		return optionError("Need to specify '--mode' or '--dyn-mode' option.")
	case "scenarios", "list-scenarios":
	default:
		return optionError("mode '%s' doesn't exist (use --list-mode option to show available modes).", mode)
	}
	if a.unknown != "" {
		return optionError("Unknown option: %s", a.unknown)
	}
	if name, spec, ok := a.refusedOption(); ok {
		return optionError("telegraf-mip centreon does not support --%s: %s.", name, spec.why)
	}
	if mode == "list-scenarios" {
		return c.listScenarios()
	}
	if a.Has("disco-format") || a.Has("disco-show") {
		// The Perl plugin's scenarios mode has no discovery: an empty list.
		if _, err := c.connect(); err != nil {
			return err
		}
		c.writeDisco(nil)
		return nil
	}
	return c.scenarios()
}

// compileRegexp reads an option's Perl regular expression: every regular
// expression of the check's own options goes through it (the status
// expressions' through centreonrules.ParseExpr, which uses perlre too).
func compileRegexp(option, pattern string) (*perlre.Regexp, error) {
	re, err := perlre.Compile(pattern)
	if err != nil {
		return nil, optionError("%s '%s' is not a regular expression this command reads: %v.", option, pattern, err)
	}
	return re, nil
}

// matchError is a regular expression of option that failed on a value,
// as an UNKNOWN a user can act on.
func matchError(option string, re *perlre.Regexp, err error) error {
	if errors.Is(err, perlre.ErrTooSlow) {
		return optionError("%s '%s' took too long to match (catastrophic backtracking): simplify it.", option, re)
	}
	return optionError("%s '%s': %v", option, re, err)
}

// matchDeadline is when the regular expressions of a check must have
// matched: --timeout from now, within --global-timeout. It is read on the
// wall clock, as the engine's timer runs (c.now may be a test's).
func matchDeadline(ctx context.Context, timeout time.Duration) time.Time {
	by := time.Now().Add(timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(by) {
		return d
	}
	return by
}

// connection is the MIP a check talks to.
type connection struct {
	hostname, port, proto, apiKey, peerAddr string
	// proxy is --proxyurl's host:port, without credentials.
	proxy string
	// insecure: certificates not verified. It and proxy change what an
	// answer may be trusted for: both are in the cache's name.
	insecure  bool
	timeout   time.Duration
	client    *mipapi.Client
	httpRules [3]*centreonrules.Expr // critical, warning, unknown
}

// connect reads the options of the API and of the HTTP layer.
func (c *check) connect() (*connection, error) {
	a := c.args
	conn := &connection{
		hostname: a.str("hostname", ""),
		port:     a.str("port", "443"),
		proto:    a.str("proto", "https"),
		apiKey:   a.str("api-key", ""),
		peerAddr: a.str("http-peer-addr", ""),
	}
	if conn.hostname == "" {
		return nil, optionError("Need to specify --hostname option.")
	}
	if conn.apiKey == "" {
		return nil, optionError("Need to specify --api-key option.")
	}
	if conn.port == "" {
		conn.port = "443"
	}
	if conn.proto == "" {
		conn.proto = "https"
	}
	if p, err := strconv.Atoi(conn.port); err != nil || p < 1 || p > 65535 {
		return nil, optionError("Bad value provided for option --port: '%s'. '%s' must be a numeric TCP port value between 1 and 65535.", conn.port, conn.port)
	}
	if conn.proto != "http" && conn.proto != "https" {
		return nil, optionError("Bad value provided for option --proto: '%s'. '%s' must be a valid HTTP protocol ('http' or 'https').", conn.proto, conn.proto)
	}
	timeout := a.str("timeout", "10")
	if timeout == "" {
		timeout = "10"
	}
	secs, err := strconv.ParseFloat(timeout, 64)
	if err != nil || secs <= 0 {
		return nil, optionError("Bad value provided for option --timeout: '%s'. It must be a number of seconds.", timeout)
	}
	conn.timeout = time.Duration(secs * float64(time.Second))
	for i, kind := range []string{"critical", "warning", "unknown"} {
		def := ""
		if kind == "unknown" {
			def = "%{http_code} < 200 or %{http_code} >= 300"
		}
		src := a.str(kind+"-http-status", def)
		if src == "" {
			continue
		}
		if conn.httpRules[i], err = centreonrules.ParseExpr(src); err != nil {
			return nil, optionError("Unsafe code evaluation: --%s-http-status '%s': %v", kind, src, err)
		}
	}

	transport := &http.Transport{
		Proxy:                 nil,
		TLSHandshakeTimeout:   conn.timeout,
		ResponseHeaderTimeout: conn.timeout,
		DisableCompression:    false,
		MaxIdleConns:          1,
	}
	if proxy := a.str("proxyurl", ""); proxy != "" {
		u, err := url.Parse(proxy)
		if err != nil || u.Host == "" {
			// Without its password, which Centreon would show to every
			// user who sees the service.
			return nil, optionError("Bad value provided for option --proxyurl: '%s'. It must be a URL such as http://[user:password@]host:port.",
				mipapi.RedactRawURL(proxy))
		}
		transport.Proxy = http.ProxyURL(u)
		conn.proxy = u.Host
	}
	// A proxy's refusal of the tunnel is an error of its own, not the bare
	// status text net/http gives.
	transport.OnProxyConnectResponse = mipapi.CheckProxyConnect
	insecure := a.Has("insecure")
	for _, opt := range a.lists["ssl-opt"] {
		norm := strings.Join(strings.Fields(opt), " ")
		switch norm {
		case "SSL_verify_mode => SSL_VERIFY_NONE", "SSL_verify_mode => 0", `SSL_verify_mode => "SSL_VERIFY_NONE"`:
			insecure = true
		default:
			return nil, optionError("telegraf-mip centreon does not support --ssl-opt='%s': only 'SSL_verify_mode => SSL_VERIFY_NONE'.", opt)
		}
	}
	for _, opt := range a.lists["curl-opt"] {
		norm := strings.Join(strings.Fields(opt), " ")
		switch norm {
		case "CURLOPT_SSL_VERIFYPEER => 0", "CURLOPT_SSL_VERIFYHOST => 0":
			insecure = true
		default:
			return nil, optionError("telegraf-mip centreon does not support --curl-opt='%s': "+
				"only CURLOPT_SSL_VERIFYPEER => 0 and CURLOPT_SSL_VERIFYHOST => 0.", opt)
		}
	}
	conn.insecure = insecure
	if insecure {
		// Asked for with --insecure, as in the Perl plugin.
		transport.TLSClientConfig = &tls.Config{InsecureSkipVerify: true}
	}
	dialer := &net.Dialer{Timeout: conn.timeout}
	transport.DialContext = dialer.DialContext
	if conn.peerAddr != "" {
		peer := conn.peerAddr
		transport.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
			_, port, err := net.SplitHostPort(addr)
			if err != nil {
				return nil, err
			}
			return dialer.DialContext(ctx, network, net.JoinHostPort(peer, port))
		}
	}
	base := &url.URL{Scheme: conn.proto, Host: net.JoinHostPort(conn.hostname, conn.port)}
	key := conn.apiKey
	conn.client = mipapi.NewClient(transport, base, func() (string, error) { return key, nil }, maxBody, conn.timeout)
	return conn, nil
}

// cacheIdentity is what names the shared cache of this connection: every
// option that changes which server answers or whether its answer may be
// trusted (the timeout does neither).
func (conn *connection) cacheIdentity() []string {
	return []string{conn.proto, conn.hostname, conn.port, conn.peerAddr, conn.apiKey,
		"insecure=" + strconv.FormatBool(conn.insecure), "proxy=" + conn.proxy}
}

// requestError words a failed request as the Perl plugin does where it can:
// the HTTP status line, with the status the --*-http-status rules give it.
func (conn *connection) requestError(err error) error {
	var se *mipapi.StatusError
	if errors.As(err, &se) {
		status := centreonrules.OK
		code := strconv.Itoa(se.Code)
		vars := func(name string) string {
			if name == "http_code" || name == "code" {
				return code
			}
			return ""
		}
		deadline := time.Now().Add(conn.timeout)
		for i, st := range []int{centreonrules.Critical, centreonrules.Warning, centreonrules.Unknown} {
			if conn.httpRules[i] == nil {
				continue
			}
			holds, err := conn.httpRules[i].Eval(vars, deadline)
			if err != nil {
				return &exitError{msg: fmt.Sprintf("--%s-http-status: %v", strings.ToLower(centreonrules.StatusNames[st]), err)}
			}
			if holds {
				status = st
				break
			}
		}
		if status == centreonrules.OK {
			status = centreonrules.Unknown // an answer without content
		}
		line := se.Status
		if !strings.HasPrefix(line, code) {
			line = code + " " + line
		}
		switch se.Code {
		case http.StatusUnauthorized, http.StatusForbidden:
			line += " (MIP refused the API key: check --api-key)"
		case http.StatusNotFound:
			line += " (no MIP API at this address: check --hostname, --port and --proto)"
		case http.StatusProxyAuthRequired:
			line += " (the proxy asks for credentials: put them in --proxyurl, http://user:password@host:port)"
		}
		return &exitError{msg: line, status: status, own: true, display: true}
	}
	var de *decodeError
	if errors.As(err, &de) {
		return &exitError{msg: "Cannot decode response: " + de.err.Error()}
	}
	var ne *netError
	if errors.As(err, &ne) {
		return &exitError{msg: ne.msg, status: centreonrules.Unknown, own: true, display: true}
	}
	return &exitError{msg: describeNetError(conn, err), status: centreonrules.Unknown, own: true, display: true}
}

// netError is a request that got no answer, worded for the output.
type netError struct{ msg string }

func (e *netError) Error() string { return e.msg }

// describeNetError says why MIP could not be reached, without the URL's
// query.
func describeNetError(conn *connection, err error) string {
	var refused *mipapi.ProxyConnectError
	if errors.As(err, &refused) {
		advice := "check that the proxy lets this poller reach " + refused.Target
		if refused.Code == http.StatusProxyAuthRequired {
			advice = "the proxy asks for credentials: put them in --proxyurl, http://user:password@host:port"
		}
		return fmt.Sprintf("Proxy %s refused to open a tunnel to %s (%s): %s", conn.proxy, refused.Target, refused.Status, advice)
	}
	// No password of a URL in any message: net/http's errors repeat the
	// proxy's URL.
	return mipapi.RedactURLs(netErrorText(conn, err))
}

func netErrorText(conn *connection, err error) string {
	addr := net.JoinHostPort(conn.hostname, conn.port)
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "proxyconnect" {
		// The proxy, not MIP, could not be reached.
		addr = "the proxy " + conn.proxy + " given by --proxyurl"
	}
	if advice := certificateAdvice(err); advice != "" {
		return fmt.Sprintf("Can't connect to %s (%s)", addr, advice)
	}
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Sprintf("Can't connect to %s (Connection refused)", addr)
	case errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), "timeout"):
		return fmt.Sprintf("Timeout reached: no complete answer from %s within %s", addr, conn.timeout)
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return fmt.Sprintf("Can't connect to %s (cannot resolve %s)", addr, dnsErr.Name)
	}
	msg := err.Error()
	if i := strings.Index(msg, ": "); strings.HasPrefix(msg, "GET ") && i >= 0 {
		msg = msg[i+2:]
	}
	return fmt.Sprintf("Can't connect to %s (%s)", addr, msg)
}

// certificateAdvice says what to do about a certificate the check refused,
// in the check's own options (mipapi's advice names the Telegraf keys).
func certificateAdvice(err error) string {
	var unknownAuthority x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var invalid x509.CertificateInvalidError
	switch {
	case errors.As(err, &hostname):
		return fmt.Sprintf("%v: give in --hostname a name the certificate holds", hostname)
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
		return fmt.Sprintf("%v: renew the certificate on MIP, and check this poller's clock", invalid)
	case errors.As(err, &invalid):
		return fmt.Sprintf("%v: the certificate is not valid for a server", invalid)
	case errors.As(err, &unknownAuthority):
		return fmt.Sprintf("%v: add the CA that signed MIP's certificate to this poller's trusted CAs "+
			"(or name it in SSL_CERT_FILE); for a test instance only, --insecure or --ssl-opt='SSL_verify_mode => SSL_VERIFY_NONE'", unknownAuthority)
	}
	return ""
}

// deadline is the check's context: --global-timeout bounds it all.
func (c *check) deadline() (context.Context, context.CancelFunc, error) {
	v := c.args.str("global-timeout", "")
	if v == "" {
		ctx, cancel := context.WithCancel(context.Background())
		return ctx, cancel, nil
	}
	secs, err := strconv.ParseFloat(v, 64)
	if err != nil || secs <= 0 {
		return nil, nil, optionError("Bad value provided for option --global-timeout: '%s'. It must be a number of seconds.", v)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Duration(secs*float64(time.Second)))
	return ctx, cancel, nil
}

// statefileDir is where --memory's state and the shared cache live.
func (c *check) statefileDir() string {
	dir := c.args.str("statefile-dir", defaultStatefileDir)
	if c.args.Has("statefile-concat-cwd") {
		if wd, err := os.Getwd(); err == nil {
			dir = wd + "/" + dir
		}
	}
	return dir
}

const usage = `Usage: telegraf-mip centreon --plugin=apps::monitoring::mip::restapi::plugin
         --mode=scenarios|list-scenarios --hostname=HOST --api-key=KEY [OPTIONS]

The command line of the Centreon plugin centreon_monitoring_mip_restapi.pl;
the options and what this command does with each: docs/centreon-plugin.md.
Own option: --cache-duration=SECONDS (default 60, 0: no shared cache), or
the environment variable TELEGRAF_MIP_CACHE_DURATION (the option wins).
`
