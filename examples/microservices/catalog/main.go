// Command catalog serves the example stack's products from a JSON file.
//
// The file (PRODUCTS_FILE, default /data/products.json) is read on every
// request, so a new version synced into the container by `develop.watch`
// is served at once.
//
//	GET /products       → 200 [{"id":…,"name":…,"price_cents":…,"stock":…}, …]
//	GET /products/{id}  → 200 {…} or 404
//	GET /healthz        → 200 ok (500 while the file cannot be read)
//
// catalog -healthcheck probes /healthz on the local port and exits 0 or 1.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"time"
)

// Product is one entry of the products file.
type Product struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	PriceCents int    `json:"price_cents"`
	Stock      int    `json:"stock"`
}

func main() {
	addr := flag.String("addr", ":8082", "listen address")
	health := flag.Bool("healthcheck", false, "probe the running server's /healthz and exit 0 (healthy) or 1")
	flag.Parse()
	if flag.NArg() > 0 {
		// A flag after an argument would be ignored: fail instead.
		fmt.Fprintf(os.Stderr, "%s: unexpected arguments %q\n", os.Args[0], flag.Args())
		os.Exit(2)
	}
	if *health {
		os.Exit(healthcheck(*addr))
	}
	log := newLogger(os.Getenv("LOG_LEVEL"))
	file := os.Getenv("PRODUCTS_FILE")
	if file == "" {
		file = "/data/products.json"
	}
	if _, err := loadProducts(file); err != nil {
		log.Warn("products file unusable (will retry on each request)", "err", err)
	}
	srv := &http.Server{Addr: *addr, Handler: logRequests(log, newHandler(file, log)), ReadHeaderTimeout: 5 * time.Second}
	if err := serve(srv, log); err != nil {
		log.Error("server failed", "err", err)
		os.Exit(1)
	}
}

// loadProducts reads and checks the products file.
func loadProducts(path string) ([]Product, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var ps []Product
	if err := json.Unmarshal(b, &ps); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	seen := make(map[string]bool, len(ps))
	for i, p := range ps {
		switch {
		case p.ID == "":
			return nil, fmt.Errorf("%s: product %d has no id", path, i)
		case seen[p.ID]:
			return nil, fmt.Errorf("%s: duplicate product id %q", path, p.ID)
		case p.PriceCents < 0 || p.Stock < 0:
			return nil, fmt.Errorf("%s: product %q has a negative price or stock", path, p.ID)
		}
		seen[p.ID] = true
	}
	if ps == nil {
		ps = []Product{}
	}
	return ps, nil
}

func newHandler(file string, log *slog.Logger) http.Handler {
	load := func(w http.ResponseWriter) ([]Product, bool) {
		ps, err := loadProducts(file)
		if err != nil {
			log.Error("cannot load products", "err", err)
			writeError(w, http.StatusInternalServerError, "products unavailable")
			return nil, false
		}
		return ps, true
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		if _, err := loadProducts(file); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /products", func(w http.ResponseWriter, r *http.Request) {
		if ps, ok := load(w); ok {
			writeJSON(w, http.StatusOK, ps)
		}
	})
	mux.HandleFunc("GET /products/{id}", func(w http.ResponseWriter, r *http.Request) {
		ps, ok := load(w)
		if !ok {
			return
		}
		for _, p := range ps {
			if p.ID == r.PathValue("id") {
				writeJSON(w, http.StatusOK, p)
				return
			}
		}
		writeError(w, http.StatusNotFound, "no such product")
	})
	return mux
}
