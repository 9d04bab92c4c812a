package main

import (
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func get(t *testing.T, url string, v any) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if v != nil {
		json.NewDecoder(resp.Body).Decode(v)
	}
	return resp.StatusCode
}

// The shipped products file must load: the image serves it.
func TestShippedProducts(t *testing.T) {
	ps, err := loadProducts("products.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) == 0 {
		t.Fatal("products.json is empty")
	}
}

func TestLoadProductsRejects(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"syntax":    `[{"id":"a"`,
		"no id":     `[{"name":"x"}]`,
		"duplicate": `[{"id":"a"},{"id":"a"}]`,
		"negative":  `[{"id":"a","price_cents":-1}]`,
		"object":    `{"id":"a"}`,
	} {
		p := filepath.Join(dir, "p.json")
		os.WriteFile(p, []byte(body), 0o644)
		if _, err := loadProducts(p); err == nil {
			t.Errorf("%s: loaded %s", name, body)
		}
	}
	if ps, err := func() ([]Product, error) {
		p := filepath.Join(dir, "empty.json")
		os.WriteFile(p, []byte(`[]`), 0o644)
		return loadProducts(p)
	}(); err != nil || ps == nil || len(ps) != 0 {
		t.Errorf("empty list = %v, %v", ps, err)
	}
}

// A changed file is served without a restart (develop.watch syncs it).
func TestServesCurrentFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "products.json")
	os.WriteFile(file, []byte(`[{"id":"a","name":"A","price_cents":100}]`), 0o644)
	srv := httptest.NewServer(newHandler(file, quiet))
	defer srv.Close()

	var ps []Product
	if code := get(t, srv.URL+"/products", &ps); code != 200 || len(ps) != 1 || ps[0].Name != "A" {
		t.Fatalf("GET /products = %d %+v", code, ps)
	}
	var p Product
	if code := get(t, srv.URL+"/products/a", &p); code != 200 || p.PriceCents != 100 {
		t.Errorf("GET /products/a = %d %+v", code, p)
	}
	if code := get(t, srv.URL+"/products/zz", nil); code != 404 {
		t.Errorf("GET /products/zz = %d, want 404", code)
	}

	os.WriteFile(file, []byte(`[{"id":"a","name":"A2","price_cents":100},{"id":"b","name":"B"}]`), 0o644)
	ps = nil
	if code := get(t, srv.URL+"/products", &ps); code != 200 || len(ps) != 2 || ps[0].Name != "A2" {
		t.Errorf("after the change GET /products = %d %+v", code, ps)
	}

	os.WriteFile(file, []byte(`not json`), 0o644)
	if code := get(t, srv.URL+"/products", nil); code != 500 {
		t.Errorf("broken file: GET /products = %d, want 500", code)
	}
	if code := get(t, srv.URL+"/healthz", nil); code != 500 {
		t.Errorf("broken file: GET /healthz = %d, want 500", code)
	}
}

func TestHealthcheck(t *testing.T) {
	srv := httptest.NewServer(newHandler("products.json", quiet))
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	if got := healthcheck(":" + port); got != 0 {
		t.Errorf("healthcheck on a running server = %d", got)
	}
	srv.Close()
	if got := healthcheck(":" + port); got != 1 {
		t.Errorf("healthcheck on a closed port = %d", got)
	}
}
