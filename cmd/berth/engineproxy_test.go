package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/docker/docker/client"

	"github.com/berth-dev/berth/engine/enginetest"
)

// engineProxy is an Engine API proxy on a unix socket for tests: Berth is
// pointed at it with DOCKER_HOST=unix://<sock> (see env) and it forwards
// every request to the real engine, streams included (events, logs, and the
// hijacked connections of attach and exec start). It records every request,
// so tests can count the calls Berth makes, and applies fault rules: a 500,
// a dropped connection, or a delay before forwarding.
type engineProxy struct {
	t        testing.TB
	sock     string // the proxy's socket
	upstream string // the real engine's socket
	rp       *httputil.ReverseProxy
	tr       *http.Transport
	srv      *http.Server
	handlers sync.WaitGroup

	ln net.Listener

	mu     sync.Mutex
	open   int // client connections not yet closed or hijacked
	reqs   []proxiedRequest
	rules  []*faultRule
	conns  map[net.Conn]bool // hijacked connections, closed at cleanup
	closed bool
}

// proxiedRequest is one request the proxy received.
type proxiedRequest struct {
	Method string
	Path   string // without the /v1.xx prefix
	Query  url.Values
	Fault  faultAction // the fault applied to it, or faultNone
}

func (r proxiedRequest) String() string {
	s := r.Method + " " + r.Path
	if q := r.Query.Encode(); q != "" {
		s += "?" + q
	}
	if r.Fault != faultNone {
		s += " [" + r.Fault.String() + "]"
	}
	return s
}

// faultAction is what a fault rule does to the request it matches.
type faultAction int

const (
	faultNone faultAction = iota
	// faultError answers 500 {"message":"injected fault"}, without
	// forwarding.
	faultError
	// faultDrop hijacks the connection and closes it without forwarding
	// or answering.
	faultDrop
	// faultDropAfter forwards the request, so the engine carries it out,
	// then closes the client's connection without answering: a connection
	// lost after the engine acted. Not for streams: it reads the whole
	// answer first.
	faultDropAfter
	// faultDelay waits faultRule.Delay, then forwards.
	faultDelay
)

func (a faultAction) String() string {
	switch a {
	case faultError:
		return "500"
	case faultDrop:
		return "drop"
	case faultDropAfter:
		return "drop after forwarding"
	case faultDelay:
		return "delay"
	}
	return "none"
}

// faultRule matches requests by method, path (without the /v1.xx prefix)
// and query and, when Nth > 0, applies its action only to the Nth request
// it matches (1-based); with Nth == 0, to every one.
type faultRule struct {
	Method string         // "" matches any
	Path   *regexp.Regexp // matches the path without the /v1.xx prefix
	Query  *regexp.Regexp // nil, or matches the raw query
	Nth    int
	Action faultAction
	Delay  time.Duration // for faultDelay
	// Match, when set, must also accept the request.
	Match func(proxiedRequest) bool
	// Then, when set, is called once the action is applied (for
	// faultDropAfter: after the engine has answered), before the client
	// hears anything: a test kills Berth there.
	Then func()

	matched int
	fired   []proxiedRequest
}

// Fired returns the requests the rule has applied its action to.
func (p *engineProxy) Fired(r *faultRule) []proxiedRequest {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]proxiedRequest(nil), r.fired...)
}

// engineSocket is the unix socket of the real engine: DOCKER_HOST's when it
// names one, else /var/run/docker.sock. A DOCKER_HOST that is not a unix
// socket skips the test.
func engineSocket(t testing.TB) string {
	t.Helper()
	host := os.Getenv("DOCKER_HOST")
	if host == "" {
		return "/var/run/docker.sock"
	}
	if path, ok := strings.CutPrefix(host, "unix://"); ok {
		return path
	}
	t.Skipf("the engine proxy needs a unix socket engine; DOCKER_HOST is %s", host)
	return ""
}

// newEngineProxy starts a proxy to the real engine; it stops when the test
// ends.
func newEngineProxy(t testing.TB) *engineProxy {
	t.Helper()
	// unix socket paths are limited to about 108 bytes: t.TempDir() can be
	// longer for long test names, so use a short directory of our own
	dir, err := os.MkdirTemp("", "berth-proxy-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	p := &engineProxy{
		t:        t,
		sock:     filepath.Join(dir, "docker.sock"),
		upstream: engineSocket(t),
		conns:    map[net.Conn]bool{},
	}
	p.tr = &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", p.upstream)
		},
		DisableCompression: true,
	}
	p.rp = &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.Out.URL.Scheme = "http"
			pr.Out.URL.Host = "docker"
			pr.Out.Host = pr.In.Host
		},
		Transport:     p.tr,
		FlushInterval: -1,
		ErrorLog:      log.New(io.Discard, "", 0),
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			if r.Context().Err() == nil {
				http.Error(w, "engine proxy: "+err.Error(), http.StatusBadGateway)
			}
		},
	}
	ln, err := net.Listen("unix", p.sock)
	if err != nil {
		t.Fatal(err)
	}
	p.ln = ln
	p.srv = &http.Server{Handler: p, ErrorLog: log.New(io.Discard, "", 0), ConnState: p.connState}
	served := make(chan struct{})
	go func() {
		defer close(served)
		_ = p.srv.Serve(ln)
	}()
	t.Cleanup(func() {
		_ = p.srv.Close()
		<-served
		p.mu.Lock()
		p.closed = true
		for c := range p.conns {
			_ = c.Close()
		}
		p.mu.Unlock()
		p.handlers.Wait()
		p.tr.CloseIdleConnections()
	})
	return p
}

// env is the environment that points Berth at the proxy.
func (p *engineProxy) env() []string {
	return []string{"DOCKER_HOST=unix://" + p.sock}
}

// stopAccepting closes the proxy's socket: connections a client opened but
// the proxy had not accepted yet are refused, as a killed client's
// last connections are; those accepted are served to their end.
func (p *engineProxy) stopAccepting() {
	_ = p.ln.Close()
}

// connState counts the client connections that are open.
func (p *engineProxy) connState(_ net.Conn, state http.ConnState) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch state {
	case http.StateNew:
		p.open++
	case http.StateClosed, http.StateHijacked:
		p.open--
	}
}

// waitIdle waits until every client connection is closed and no request is
// in flight through the proxy: after Berth is killed, the engine finishes
// the calls it had under way (a stop goes on without its client; a request
// Berth wrote just before it died is still read and served), and a test
// that checks what the next run does must first let them end. Call it only
// when nothing opens new connections to the proxy.
func (p *engineProxy) waitIdle(d time.Duration) error {
	deadline := time.Now().Add(d)
	for {
		p.mu.Lock()
		open := p.open
		p.mu.Unlock()
		if open == 0 {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%d client connections still open on the engine proxy after %s", open, d)
		}
		time.Sleep(10 * time.Millisecond) // a poll with a deadline: connection states have no event to wait on
	}
	idle := make(chan struct{})
	go func() {
		p.handlers.Wait()
		close(idle)
	}()
	select {
	case <-idle:
		return nil
	case <-time.After(time.Until(deadline)):
		return fmt.Errorf("requests still in flight through the engine proxy after %s", d)
	}
}

// addFault adds a rule; it applies to the requests received from then on.
// The first rule that fires on a request decides what happens to it.
func (p *engineProxy) addFault(rule faultRule) *faultRule {
	r := &faultRule{Method: rule.Method, Path: rule.Path, Query: rule.Query, Nth: rule.Nth, Action: rule.Action, Delay: rule.Delay, Match: rule.Match, Then: rule.Then}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rules = append(p.rules, r)
	return r
}

// removeFaults removes every fault rule.
func (p *engineProxy) removeFaults() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rules = nil
}

// requests returns the requests received so far.
func (p *engineProxy) requests() []proxiedRequest {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]proxiedRequest(nil), p.reqs...)
}

// reset forgets the requests received so far.
func (p *engineProxy) reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.reqs = nil
}

var apiVersionPrefix = regexp.MustCompile(`^/v[0-9]+\.[0-9]+/`)

func (p *engineProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		http.Error(w, "engine proxy: closed", http.StatusServiceUnavailable)
		return
	}
	p.handlers.Add(1)
	p.mu.Unlock()
	defer p.handlers.Done()
	path := r.URL.Path
	if loc := apiVersionPrefix.FindStringIndex(path); loc != nil {
		path = path[loc[1]-1:]
	}
	req := proxiedRequest{Method: r.Method, Path: path, Query: r.URL.Query()}
	var rule *faultRule
	p.mu.Lock()
	for _, fr := range p.rules {
		if fr.Method != "" && fr.Method != r.Method || !fr.Path.MatchString(path) || fr.Query != nil && !fr.Query.MatchString(r.URL.RawQuery) ||
			fr.Match != nil && !fr.Match(req) {
			continue
		}
		fr.matched++
		if rule == nil && (fr.Nth == 0 || fr.Nth == fr.matched) {
			rule = fr
			req.Fault = fr.Action
			fr.fired = append(fr.fired, req)
		}
	}
	p.reqs = append(p.reqs, req)
	p.mu.Unlock()

	switch req.Fault {
	case faultError:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = io.WriteString(w, `{"message":"injected fault"}`+"\n")
		return
	case faultDrop:
		p.drop(w)
		return
	case faultDropAfter:
		// forward, let the engine answer into the void, then hang up
		rec := httptest.NewRecorder()
		p.rp.ServeHTTP(rec, r)
		if rule.Then != nil {
			rule.Then()
		}
		p.drop(w)
		return
	case faultDelay:
		select {
		case <-time.After(rule.Delay):
		case <-r.Context().Done():
			return
		}
	}
	if strings.Contains(strings.ToLower(r.Header.Get("Connection")), "upgrade") || r.Header.Get("Upgrade") != "" {
		p.splice(w, r)
		return
	}
	if r.Method != http.MethodGet && !strings.HasSuffix(path, "/wait") {
		// a call that changes something runs to its end on the engine
		// even when its client is gone, as the engine's own handlers do
		// for a stop: the proxy lets it, so waitIdle covers it
		// (a context that can be canceled, but is not by the client:
		// ReverseProxy watches the client's connection itself when the
		// request's context has no Done channel)
		ctx, cancel := context.WithCancel(context.WithoutCancel(r.Context()))
		defer cancel()
		r = r.WithContext(ctx)
	}
	p.rp.ServeHTTP(w, r)
}

// drop closes the client's connection without an answer.
func (p *engineProxy) drop(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		http.Error(w, "engine proxy: cannot hijack to drop the connection: "+err.Error(), http.StatusInternalServerError)
		return
	}
	_ = conn.Close()
}

// splice carries an upgraded connection (attach, exec start): it sends the
// request to the engine on a connection of its own, then copies bytes both
// ways between the client and the engine, the engine's 101 answer
// included, passing on half-closes, until both sides are done.
func (p *engineProxy) splice(w http.ResponseWriter, r *http.Request) {
	up, err := net.Dial("unix", p.upstream)
	if err != nil {
		http.Error(w, "engine proxy: "+err.Error(), http.StatusBadGateway)
		return
	}
	// the request, body included (exec start's JSON), goes before the
	// hijack: the body cannot be read after it
	if err := r.Write(up); err != nil {
		_ = up.Close()
		http.Error(w, "engine proxy: "+err.Error(), http.StatusBadGateway)
		return
	}
	conn, brw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		_ = up.Close()
		http.Error(w, "engine proxy: "+err.Error(), http.StatusInternalServerError)
		return
	}
	if !p.track(conn, up) {
		return
	}
	defer p.untrack(conn, up)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		_, _ = io.Copy(up, brw.Reader) // what the client had sent past the request, then the rest
		closeWrite(up)
	}()
	go func() {
		defer wg.Done()
		_, _ = io.Copy(conn, up)
		closeWrite(conn)
	}()
	wg.Wait()
}

// track registers hijacked connections for closing at cleanup; after
// cleanup it closes them at once and returns false.
func (p *engineProxy) track(conns ...net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		for _, c := range conns {
			_ = c.Close()
		}
		return false
	}
	for _, c := range conns {
		p.conns[c] = true
	}
	return true
}

func (p *engineProxy) untrack(conns ...net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range conns {
		_ = c.Close()
		delete(p.conns, c)
	}
}

func closeWrite(c net.Conn) {
	if cw, ok := c.(interface{ CloseWrite() error }); ok {
		_ = cw.CloseWrite()
	} else {
		_ = c.Close()
	}
}

// requestCategories are the categories requests are counted by, in the
// order they are printed; a request that matches none is "other".
var requestCategories = []struct {
	name   string
	method string
	path   *regexp.Regexp
}{
	{"container list", "GET", regexp.MustCompile(`^/containers/json$`)},
	{"container inspect", "GET", regexp.MustCompile(`^/containers/[^/]+/json$`)},
	{"events", "GET", regexp.MustCompile(`^/events$`)},
	{"image list", "GET", regexp.MustCompile(`^/images/json$`)},
	{"image inspect", "GET", regexp.MustCompile(`^/images/.+/json$`)},
	{"create", "POST", regexp.MustCompile(`^/containers/create$`)},
	{"start", "POST", regexp.MustCompile(`^/containers/[^/]+/start$`)},
	{"network", "", regexp.MustCompile(`^/networks(/|$)`)},
	{"volume", "", regexp.MustCompile(`^/volumes(/|$)`)},
}

// categorize returns the category of a request.
func categorize(r proxiedRequest) string {
	for _, c := range requestCategories {
		if (c.method == "" || c.method == r.Method) && c.path.MatchString(r.Path) {
			return c.name
		}
	}
	return "other"
}

// requestCounts is a count of requests by category.
type requestCounts map[string]int

func countRequests(reqs []proxiedRequest) requestCounts {
	counts := requestCounts{}
	for _, r := range reqs {
		counts[categorize(r)]++
	}
	return counts
}

func (c requestCounts) total() int {
	n := 0
	for _, v := range c {
		n += v
	}
	return n
}

// String prints every category, in a fixed order, then the total.
func (c requestCounts) String() string {
	var sb strings.Builder
	for _, cat := range requestCategories {
		fmt.Fprintf(&sb, "%s %d, ", cat.name, c[cat.name])
	}
	fmt.Fprintf(&sb, "other %d; total %d", c["other"], c.total())
	return sb.String()
}

var containerPath = regexp.MustCompile(`^/containers/[^/]+`)

// otherRequests lists, counted, the distinct requests of category "other",
// to tell what they are, with /containers/{id} for any container.
func otherRequests(reqs []proxiedRequest) string {
	n := map[string]int{}
	for _, r := range reqs {
		if categorize(r) == "other" {
			n[r.Method+" "+containerPath.ReplaceAllString(r.Path, "/containers/{id}")]++
		}
	}
	keys := make([]string, 0, len(n))
	for k := range n {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []string
	for _, k := range keys {
		out = append(out, fmt.Sprintf("%s ×%d", k, n[k]))
	}
	return strings.Join(out, ", ")
}

// TestFaultProxy: the proxy forwards plain calls, streams (the logs and
// events of an attached up) and hijacked connections (exec), records them,
// and applies faults.
func TestFaultProxy(t *testing.T) {
	s := newStack(t)
	p := newEngineProxy(t)
	s.write(`
services:
  job:
    image: IMAGE
    command: ["exit", "0"]
  server:
    image: IMAGE
`)
	code, out, errOut := s.berth(p.env(), "up", "job")
	if code != 0 {
		t.Fatalf("attached up through the proxy: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	t.Logf("attached up through the proxy: %s", countRequests(p.requests()))
	t.Logf("requests: %v", p.requests())

	s.ok(p.env(), "up", "-d", "server")
	api, err := client.NewClientWithOpts(client.WithHost("unix://"+p.sock), client.WithAPIVersionNegotiation())
	if err != nil {
		t.Fatal(err)
	}
	defer api.Close()
	ctr := s.container("server", 1)
	if code, out := enginetest.Exec(t, api, ctr, "/app", "write", "/x", "through the proxy"); code != 0 {
		t.Fatalf("exec write through the proxy: exit %d: %s", code, out)
	}
	if code, out := enginetest.Exec(t, api, ctr, "/app", "cat", "/x"); code != 0 || out != "through the proxy" {
		t.Fatalf("exec cat through the proxy: exit %d, output %q", code, out)
	}

	// every matching request: the client retries an idempotent request
	// whose reused connection was closed without an answer
	for _, action := range []faultAction{faultError, faultDrop} {
		rule := p.addFault(faultRule{Method: "GET", Path: regexp.MustCompile(`^/containers/json$`), Action: action})
		code, _, errOut = s.berth(p.env(), "ps")
		if code == 0 {
			t.Fatalf("ps with a %s on the container list: exit 0", action)
		}
		if action == faultError && !strings.Contains(errOut, "injected fault") {
			t.Errorf("ps with a 500 on the container list does not give the engine's message:\n%s", errOut)
		}
		if fired := p.Fired(rule); len(fired) == 0 {
			t.Fatalf("the %s rule did not fire", action)
		}
		p.removeFaults()
		t.Logf("ps with a %s on the container list: exit %d: %s", action, code, strings.TrimSpace(errOut))
	}
	s.ok(p.env(), "down")
}
