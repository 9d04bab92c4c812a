package main

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// fakeAuth answers /verify like the auth service: token "good-<user>" is
// valid, anything else is not.
func fakeAuth(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/verify" {
			http.NotFound(w, r)
			return
		}
		user, ok := strings.CutPrefix(r.URL.Query().Get("token"), "good-")
		if !ok {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"error":"bad signature"}`)
			return
		}
		fmt.Fprintf(w, `{"user":%q}`, user)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestMigrate(t *testing.T) {
	file := filepath.Join(t.TempDir(), "data", "sub", "orders.jsonl")
	if n, err := migrate(file); err != nil || n != 0 {
		t.Fatalf("migrate = %d, %v", n, err)
	}
	if _, err := os.Stat(file); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(file, []byte(`{"id":"o-1","user":"a","product_id":"p","quantity":1}`+"\n\n"), 0o644)
	if n, err := migrate(file); err != nil || n != 1 {
		t.Errorf("second migrate = %d, %v; want 1 order kept", n, err)
	}
	os.WriteFile(file, []byte("garbage\n"), 0o644)
	if _, err := migrate(file); err == nil {
		t.Error("migrate accepted a corrupt file")
	}
}

func TestOrders(t *testing.T) {
	file := filepath.Join(t.TempDir(), "orders.jsonl")
	if _, err := migrate(file); err != nil {
		t.Fatal(err)
	}
	s := &Store{File: file, Verifier: &AuthClient{BaseURL: fakeAuth(t).URL}}
	srv := httptest.NewServer(newHandler(s, quiet))
	defer srv.Close()

	post := func(token, body string) (int, Order) {
		req, _ := http.NewRequest("POST", srv.URL+"/orders", strings.NewReader(body))
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var o Order
		json.NewDecoder(resp.Body).Decode(&o)
		return resp.StatusCode, o
	}
	list := func(query string) []Order {
		resp, err := http.Get(srv.URL + "/orders" + query)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var os []Order
		if err := json.NewDecoder(resp.Body).Decode(&os); err != nil || resp.StatusCode != 200 {
			t.Fatalf("GET /orders = %d, %v", resp.StatusCode, err)
		}
		return os
	}

	if got := list(""); len(got) != 0 || got == nil {
		t.Errorf("empty store lists %v", got)
	}
	code, o := post("good-alice", `{"product_id":"p-100","quantity":2}`)
	if code != 201 || o.User != "alice" || o.ProductID != "p-100" || o.Quantity != 2 || o.ID == "" || o.Created.IsZero() {
		t.Fatalf("POST /orders = %d %+v", code, o)
	}
	if code, _ := post("good-bob", `{"product_id":"p-200","quantity":1}`); code != 201 {
		t.Fatalf("second POST = %d", code)
	}
	for _, c := range []struct {
		token, body string
		want        int
	}{
		{"", `{"product_id":"p","quantity":1}`, 401},
		{"forged", `{"product_id":"p","quantity":1}`, 401},
		{"good-alice", `{"quantity":1}`, 400},
		{"good-alice", `{"product_id":"p","quantity":0}`, 400},
		{"good-alice", `{`, 400},
	} {
		if code, _ := post(c.token, c.body); code != c.want {
			t.Errorf("POST token %q body %s = %d, want %d", c.token, c.body, code, c.want)
		}
	}

	got := list("")
	if len(got) != 2 || got[0].ID != o.ID || got[1].User != "bob" {
		t.Errorf("GET /orders = %+v", got)
	}
	if got := list("?user=bob"); len(got) != 1 || got[0].ProductID != "p-200" {
		t.Errorf("GET /orders?user=bob = %+v", got)
	}
	// The orders are in the file, one per line: a new store sees them.
	again := &Store{File: file}
	if all, err := again.List(); err != nil || len(all) != 2 {
		t.Errorf("reloaded = %d orders, %v", len(all), err)
	}
}

func TestConcurrentAdds(t *testing.T) {
	file := filepath.Join(t.TempDir(), "orders.jsonl")
	migrate(file)
	s := &Store{File: file}
	var wg sync.WaitGroup
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := s.Add(Order{User: "u", ProductID: "p", Quantity: 1}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if all, err := s.List(); err != nil || len(all) != 50 {
		t.Errorf("after 50 concurrent adds: %d orders, %v", len(all), err)
	}
}

func TestAuthDown(t *testing.T) {
	file := filepath.Join(t.TempDir(), "orders.jsonl")
	migrate(file)
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()
	srv := httptest.NewServer(newHandler(&Store{File: file, Verifier: &AuthClient{BaseURL: down.URL}}, quiet))
	defer srv.Close()
	req, _ := http.NewRequest("POST", srv.URL+"/orders", strings.NewReader(`{"product_id":"p","quantity":1}`))
	req.Header.Set("Authorization", "Bearer good-alice")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadGateway {
		t.Errorf("auth unreachable: %d, want 502", resp.StatusCode)
	}
}

func TestHealthcheck(t *testing.T) {
	file := filepath.Join(t.TempDir(), "orders.jsonl")
	srv := httptest.NewServer(newHandler(&Store{File: file}, quiet))
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	if got := healthcheck(":" + port); got != 1 {
		t.Errorf("healthcheck before migrate = %d, want 1", got)
	}
	migrate(file)
	if got := healthcheck(":" + port); got != 0 {
		t.Errorf("healthcheck after migrate = %d", got)
	}
	srv.Close()
	if got := healthcheck(":" + port); got != 1 {
		t.Errorf("healthcheck on a closed port = %d", got)
	}
}
