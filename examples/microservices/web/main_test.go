package main

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// backend records the last request it got and answers with a fixed status
// and JSON body.
type backend struct {
	*httptest.Server
	method, path, query, auth, ctype, body string
}

func newBackend(t *testing.T, code int, answer string) *backend {
	b := &backend{}
	b.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		b.method, b.path, b.query, b.body = r.Method, r.URL.Path, r.URL.RawQuery, string(body)
		b.auth, b.ctype = r.Header.Get("Authorization"), r.Header.Get("Content-Type")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		fmt.Fprint(w, answer)
	}))
	t.Cleanup(b.Close)
	return b
}

func do(t *testing.T, method, url, auth, body string) (int, string, string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Content-Type"), string(b)
}

func TestPage(t *testing.T) {
	srv := httptest.NewServer(newHandler(Backends{}, quiet))
	defer srv.Close()
	code, ctype, body := do(t, "GET", srv.URL+"/", "", "")
	if code != 200 || !strings.HasPrefix(ctype, "text/html") || !strings.Contains(body, "<title>Berth example shop</title>") {
		t.Errorf("GET / = %d %s %.60q", code, ctype, body)
	}
	if code, _, _ := do(t, "GET", srv.URL+"/nope", "", ""); code != 404 {
		t.Errorf("GET /nope = %d, want 404", code)
	}
	if code, _, _ := do(t, "DELETE", srv.URL+"/api/orders", "", ""); code != 405 {
		t.Errorf("DELETE /api/orders = %d, want 405", code)
	}
}

func TestRoutes(t *testing.T) {
	auth := newBackend(t, 200, `{"token":"t0k","user":"alice"}`)
	catalog := newBackend(t, 200, `[{"id":"p-100"}]`)
	store := newBackend(t, 201, `{"id":"o-1"}`)
	srv := httptest.NewServer(newHandler(Backends{Auth: auth.URL, Catalog: catalog.URL + "/", Store: store.URL}, quiet))
	defer srv.Close()

	cases := []struct {
		method, path, auth, body string
		be                       *backend
		wantPath, wantBody       string
	}{
		{"GET", "/api/products", "", "", catalog, "/products", `[{"id":"p-100"}]`},
		{"POST", "/api/login", "", `{"user":"alice"}`, auth, "/token", `{"token":"t0k","user":"alice"}`},
		{"POST", "/api/orders", "Bearer t0k", `{"product_id":"p-100","quantity":1}`, store, "/orders", `{"id":"o-1"}`},
		{"GET", "/api/orders?user=alice", "", "", store, "/orders", `{"id":"o-1"}`},
	}
	for _, c := range cases {
		code, ctype, body := do(t, c.method, srv.URL+c.path, c.auth, c.body)
		want := 200
		if c.be == store {
			want = 201
		}
		if code != want || ctype != "application/json" || body != c.wantBody {
			t.Errorf("%s %s = %d %s %s", c.method, c.path, code, ctype, body)
		}
		if c.be.method != c.method || c.be.path != c.wantPath || c.be.body != c.body || c.be.auth != c.auth {
			t.Errorf("%s %s reached %s %s body %q auth %q", c.method, c.path, c.be.method, c.be.path, c.be.body, c.be.auth)
		}
		if c.body != "" && c.be.ctype != "application/json" {
			t.Errorf("%s %s: Content-Type %q not passed on", c.method, c.path, c.be.ctype)
		}
	}
	if store.query != "user=alice" {
		t.Errorf("query passed to store = %q", store.query)
	}
}

func TestStatusPassedOn(t *testing.T) {
	store := newBackend(t, 401, `{"error":"invalid or expired token"}`)
	srv := httptest.NewServer(newHandler(Backends{Store: store.URL}, quiet))
	defer srv.Close()
	code, _, body := do(t, "POST", srv.URL+"/api/orders", "Bearer bad", `{}`)
	if code != 401 || !strings.Contains(body, "expired") {
		t.Errorf("= %d %s, want store's 401", code, body)
	}
}

func TestBackendDown(t *testing.T) {
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()
	srv := httptest.NewServer(newHandler(Backends{Catalog: down.URL}, quiet))
	defer srv.Close()
	code, _, body := do(t, "GET", srv.URL+"/api/products", "", "")
	var e struct{ Error string }
	json.Unmarshal([]byte(body), &e)
	if code != 502 || e.Error != "catalog unavailable" {
		t.Errorf("= %d %s, want 502 naming catalog", code, body)
	}
}

func TestHealthcheck(t *testing.T) {
	srv := httptest.NewServer(newHandler(Backends{}, quiet))
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	if got := healthcheck(":" + port); got != 0 {
		t.Errorf("healthcheck on a running server = %d", got)
	}
	srv.Close()
	if got := healthcheck(":" + port); got != 1 {
		t.Errorf("healthcheck on a closed port = %d", got)
	}
}
