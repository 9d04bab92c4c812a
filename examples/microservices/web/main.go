// Command web is the example stack's public gateway. It serves a small HTML
// page and forwards the /api routes to the internal services over the back
// network:
//
//	GET  /                → the page (index.html)
//	GET  /api/products    → catalog GET /products
//	POST /api/login       → auth POST /token       {"user":"alice"}
//	POST /api/orders      → store POST /orders     (Authorization: Bearer …)
//	GET  /api/orders      → store GET /orders      (query passed on)
//	GET  /healthz         → 200 ok
//
// The services' addresses come from AUTH_URL, CATALOG_URL and STORE_URL.
// web -healthcheck probes /healthz on the local port and exits 0 or 1.
package main

import (
	_ "embed"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"
)

//go:embed index.html
var indexHTML []byte

// Backends are the base URLs of the internal services.
type Backends struct {
	Auth, Catalog, Store string
}

func main() {
	addr := flag.String("addr", ":8080", "listen address")
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
	b := Backends{
		Auth:    envOr("AUTH_URL", "http://auth:8081"),
		Catalog: envOr("CATALOG_URL", "http://catalog:8082"),
		Store:   envOr("STORE_URL", "http://store:8083"),
	}
	srv := &http.Server{Addr: *addr, Handler: logRequests(log, newHandler(b, log)), ReadHeaderTimeout: 5 * time.Second}
	if err := serve(srv, log); err != nil {
		log.Error("server failed", "err", err)
		os.Exit(1)
	}
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

func newHandler(b Backends, log *slog.Logger) http.Handler {
	client := &http.Client{Timeout: 5 * time.Second}
	// forward sends r on to base+path (with r's query) and copies the answer
	// back; an unreachable service is a 502 naming it.
	forward := func(name, base, path string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			target := strings.TrimRight(base, "/") + path
			if r.URL.RawQuery != "" {
				target += "?" + r.URL.RawQuery
			}
			req, err := http.NewRequestWithContext(r.Context(), r.Method, target, http.MaxBytesReader(w, r.Body, 64<<10))
			if err != nil {
				writeError(w, http.StatusInternalServerError, err.Error())
				return
			}
			for _, h := range []string{"Content-Type", "Authorization", "Accept"} {
				if v := r.Header.Get(h); v != "" {
					req.Header.Set(h, v)
				}
			}
			resp, err := client.Do(req)
			if err != nil {
				log.Error("backend unreachable", "service", name, "err", err)
				writeError(w, http.StatusBadGateway, name+" unavailable")
				return
			}
			defer resp.Body.Close()
			if ct := resp.Header.Get("Content-Type"); ct != "" {
				w.Header().Set("Content-Type", ct)
			}
			w.WriteHeader(resp.StatusCode)
			io.Copy(w, resp.Body)
		}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(indexHTML)
	})
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /api/products", forward("catalog", b.Catalog, "/products"))
	mux.HandleFunc("POST /api/login", forward("auth", b.Auth, "/token"))
	mux.HandleFunc("POST /api/orders", forward("store", b.Store, "/orders"))
	mux.HandleFunc("GET /api/orders", forward("store", b.Store, "/orders"))
	return mux
}
