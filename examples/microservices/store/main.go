// Command store takes the example stack's orders and keeps them, one JSON
// object per line, in ORDERS_FILE (default /data/orders.jsonl, on the named
// volume "orders").
//
//	POST /orders  {"product_id":"p-100","quantity":2}
//	              Authorization: Bearer <token from auth>
//	              → 201 {"id":…,"user":…,"product_id":…,"quantity":…,"created":…}
//	GET  /orders  → 200 [{…}, …]   (?user=NAME to filter)
//	GET  /healthz → 200 ok (500 while the orders file cannot be opened)
//
// A token is checked by asking auth (AUTH_URL, default http://auth:8081)
// GET /verify. store -migrate prepares the orders file's directory and the
// file itself, then exits 0 (the compose file's one-shot "migrate");
// store -healthcheck probes /healthz on the local port and exits 0 or 1.
package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Order is one line of the orders file.
type Order struct {
	ID        string    `json:"id"`
	User      string    `json:"user"`
	ProductID string    `json:"product_id"`
	Quantity  int       `json:"quantity"`
	Created   time.Time `json:"created"`
}

func main() {
	addr := flag.String("addr", ":8083", "listen address")
	health := flag.Bool("healthcheck", false, "probe the running server's /healthz and exit 0 (healthy) or 1")
	migrateOnly := flag.Bool("migrate", false, "create the orders file and its directory, then exit")
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
	file := envOr("ORDERS_FILE", "/data/orders.jsonl")
	if *migrateOnly {
		n, err := migrate(file)
		if err != nil {
			log.Error("migrate failed", "err", err)
			os.Exit(1)
		}
		log.Info("migrate done", "file", file, "orders", n)
		return
	}
	if _, err := os.Stat(file); err != nil {
		log.Error("orders file missing: run store -migrate first", "err", err)
		os.Exit(1)
	}
	s := &Store{File: file, Verifier: &AuthClient{BaseURL: envOr("AUTH_URL", "http://auth:8081")}}
	srv := &http.Server{Addr: *addr, Handler: logRequests(log, newHandler(s, log)), ReadHeaderTimeout: 5 * time.Second}
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

// migrate creates file (and its directory) if missing and checks that the
// orders it holds parse; it returns how many there are. Running it again is
// harmless.
func migrate(file string) (int, error) {
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		return 0, err
	}
	f, err := os.OpenFile(file, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	orders, err := readOrders(f)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", file, err)
	}
	return len(orders), nil
}

func readOrders(r io.Reader) ([]Order, error) {
	orders := []Order{}
	sc := bufio.NewScanner(r)
	for line := 1; sc.Scan(); line++ {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var o Order
		if err := json.Unmarshal(sc.Bytes(), &o); err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		orders = append(orders, o)
	}
	return orders, sc.Err()
}

// Verifier turns a token into a user name.
type Verifier interface {
	Verify(ctx context.Context, token string) (string, error)
}

var errUnauthorized = errors.New("invalid or expired token")

// AuthClient verifies tokens with the auth service.
type AuthClient struct {
	BaseURL string
	Client  *http.Client // nil: a client with a 3s timeout
}

func (a *AuthClient) Verify(ctx context.Context, token string) (string, error) {
	c := a.Client
	if c == nil {
		c = &http.Client{Timeout: 3 * time.Second}
	}
	req, err := http.NewRequestWithContext(ctx, "GET", strings.TrimRight(a.BaseURL, "/")+"/verify?token="+url.QueryEscape(token), nil)
	if err != nil {
		return "", err
	}
	resp, err := c.Do(req)
	if err != nil {
		return "", fmt.Errorf("auth: %w", err)
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
		var v struct {
			User string `json:"user"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&v); err != nil || v.User == "" {
			return "", fmt.Errorf("auth: bad answer (%v)", err)
		}
		return v.User, nil
	case http.StatusUnauthorized:
		return "", errUnauthorized
	default:
		return "", fmt.Errorf("auth: %s", resp.Status)
	}
}

// Store appends orders to its file.
type Store struct {
	File     string
	Verifier Verifier
	Now      func() time.Time // nil: time.Now

	mu sync.Mutex
}

func (s *Store) Add(o Order) (Order, error) {
	var id [6]byte
	rand.Read(id[:])
	o.ID = "o-" + hex.EncodeToString(id[:])
	if s.Now != nil {
		o.Created = s.Now().UTC()
	} else {
		o.Created = time.Now().UTC().Truncate(time.Millisecond)
	}
	line, err := json.Marshal(o)
	if err != nil {
		return Order{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	// No O_CREATE: the file is migrate's to create; a missing one means the
	// volume is not what it should be.
	f, err := os.OpenFile(s.File, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return Order{}, err
	}
	if _, err := f.Write(append(line, '\n')); err != nil {
		f.Close()
		return Order{}, err
	}
	return o, f.Close()
}

func (s *Store) List() ([]Order, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, err := os.Open(s.File)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readOrders(f)
}

func newHandler(s *Store, log *slog.Logger) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		f, err := os.Open(s.File)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		f.Close()
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("POST /orders", func(w http.ResponseWriter, r *http.Request) {
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || token == "" {
			writeError(w, http.StatusUnauthorized, "Authorization: Bearer <token> required (POST /api/login)")
			return
		}
		user, err := s.Verifier.Verify(r.Context(), token)
		if errors.Is(err, errUnauthorized) {
			writeError(w, http.StatusUnauthorized, err.Error())
			return
		}
		if err != nil {
			log.Error("cannot verify token", "err", err)
			writeError(w, http.StatusBadGateway, "cannot verify token")
			return
		}
		var req struct {
			ProductID string `json:"product_id"`
			Quantity  int    `json:"quantity"`
		}
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&req); err != nil {
			writeError(w, http.StatusBadRequest, `body must be JSON: {"product_id": "…", "quantity": N}`)
			return
		}
		if req.ProductID == "" || req.Quantity < 1 || req.Quantity > 1000 {
			writeError(w, http.StatusBadRequest, "product_id is required and quantity must be 1 to 1000")
			return
		}
		o, err := s.Add(Order{User: user, ProductID: req.ProductID, Quantity: req.Quantity})
		if err != nil {
			log.Error("cannot store order", "err", err)
			writeError(w, http.StatusInternalServerError, "cannot store order")
			return
		}
		log.Info("order taken", "id", o.ID, "user", o.User, "product", o.ProductID, "quantity", o.Quantity)
		writeJSON(w, http.StatusCreated, o)
	})
	mux.HandleFunc("GET /orders", func(w http.ResponseWriter, r *http.Request) {
		orders, err := s.List()
		if err != nil {
			log.Error("cannot read orders", "err", err)
			writeError(w, http.StatusInternalServerError, "cannot read orders")
			return
		}
		if u := r.URL.Query().Get("user"); u != "" {
			kept := []Order{}
			for _, o := range orders {
				if o.User == u {
					kept = append(kept, o)
				}
			}
			orders = kept
		}
		writeJSON(w, http.StatusOK, orders)
	})
	return mux
}
