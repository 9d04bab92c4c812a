package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestExampleWatch drives `berth watch` on examples/microservices: it brings
// the stack up; an edit of catalog's products.json is synced, catalog
// restarted, and the new product is served through web; an edit of web's
// Go source rebuilds web and recreates only web.
func TestExampleWatch(t *testing.T) {
	s, dir := exampleStack(t)
	lines := s.watching()
	web := s.container("web", 1)
	before := s.ps()

	products := filepath.Join(dir, "catalog", "products.json")
	data, err := os.ReadFile(products)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(data), "[\n", "[\n  {\"id\": \"p-999\", \"name\": \"Watched lantern\", \"price_cents\": 999, \"stock\": 9},\n", 1)
	if err := os.WriteFile(products, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	s.waitLine(lines, "catalog: sync+restart 1 file (products.json)")
	deadline := time.Now().Add(time.Minute)
	for !strings.Contains(s.get(web, "/api/products"), "Watched lantern") {
		if time.Now().After(deadline) {
			t.Fatal("the edited products.json is not served through web")
		}
		time.Sleep(50 * time.Millisecond) // a poll with a deadline: catalog is restarting
	}

	main := filepath.Join(dir, "web", "main.go")
	f, err := os.OpenFile(main, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	// the same change every run, so the build cache serves it after the first
	fmt.Fprint(f, "\n// changed by TestExampleWatch\n")
	f.Close()
	s.waitLine(lines, "web: rebuild 1 file (main.go)")
	after := s.ps()
	for name, row := range after {
		replaced := row.ID != before[name].ID
		if replaced != (name == web) {
			t.Errorf("%s replaced = %v after web's source changed", name, replaced)
		}
	}
	if page := s.get(web, "/"); !strings.Contains(page, "<html") {
		t.Errorf("web after its rebuild: %q", page)
	}
	s.ok(nil, "down", "-v", "--rmi", "local")
}
