// Command auth issues and verifies signed tokens for the example stack.
//
// A token is base64url(user "." expiry-unix-seconds) "." base64url(HMAC-SHA256),
// keyed by the secret in AUTH_KEY_FILE (a compose secret).
//
//	POST /token   {"user":"alice"}  → 200 {"token":"…","user":"alice","expires":"…"}
//	GET  /verify?token=…            → 200 {"user":"alice"} or 401
//	     (or Authorization: Bearer …)
//	GET  /healthz                   → 200 ok
//
// auth -healthcheck probes /healthz on the local port and exits 0 or 1.
package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

const maxUserLen = 64

func main() {
	addr := flag.String("addr", ":8081", "listen address")
	health := flag.Bool("healthcheck", false, "probe the running server's /healthz and exit 0 (healthy) or 1")
	ttl := flag.Duration("ttl", time.Hour, "token lifetime")
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
	keyFile := os.Getenv("AUTH_KEY_FILE")
	if keyFile == "" {
		keyFile = "/run/secrets/auth_key"
	}
	key, err := loadKey(keyFile)
	if err != nil {
		log.Error("cannot load signing key", "err", err)
		os.Exit(1)
	}
	srv := &http.Server{Addr: *addr, Handler: logRequests(log, newHandler(&Signer{Key: key, TTL: *ttl}, log)), ReadHeaderTimeout: 5 * time.Second}
	if err := serve(srv, log); err != nil {
		log.Error("server failed", "err", err)
		os.Exit(1)
	}
}

// loadKey reads the signing key; surrounding whitespace (a trailing newline)
// is not part of it.
func loadKey(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	key := []byte(strings.TrimSpace(string(b)))
	if len(key) == 0 {
		return nil, fmt.Errorf("%s is empty", path)
	}
	return key, nil
}

// Signer issues and verifies tokens.
type Signer struct {
	Key []byte
	TTL time.Duration
	Now func() time.Time // nil: time.Now
}

var (
	errMalformed = errors.New("malformed token")
	errSignature = errors.New("bad signature")
	errExpired   = errors.New("token expired")
)

func (s *Signer) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Signer) mac(payload string) []byte {
	m := hmac.New(sha256.New, s.Key)
	m.Write([]byte(payload))
	return m.Sum(nil)
}

// Issue returns a token for user and its expiry.
func (s *Signer) Issue(user string) (string, time.Time) {
	exp := s.now().Add(s.TTL).Truncate(time.Second)
	payload := base64.RawURLEncoding.EncodeToString([]byte(user + "." + strconv.FormatInt(exp.Unix(), 10)))
	return payload + "." + base64.RawURLEncoding.EncodeToString(s.mac(payload)), exp
}

// Verify returns the token's user if its signature is good and it has not
// expired.
func (s *Signer) Verify(token string) (string, error) {
	payload, sig, ok := strings.Cut(token, ".")
	if !ok {
		return "", errMalformed
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil {
		return "", errMalformed
	}
	if !hmac.Equal(got, s.mac(payload)) {
		return "", errSignature
	}
	raw, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return "", errMalformed
	}
	i := strings.LastIndexByte(string(raw), '.')
	if i <= 0 {
		return "", errMalformed
	}
	exp, err := strconv.ParseInt(string(raw[i+1:]), 10, 64)
	if err != nil {
		return "", errMalformed
	}
	if !s.now().Before(time.Unix(exp, 0)) {
		return "", errExpired
	}
	return string(raw[:i]), nil
}

func validUser(u string) bool {
	if u == "" || len(u) > maxUserLen {
		return false
	}
	for _, r := range u {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	return true
}

func newHandler(s *Signer, log *slog.Logger) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			User string `json:"user"`
		}
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&req); err != nil {
			writeError(w, http.StatusBadRequest, "body must be JSON: {\"user\": \"name\"}")
			return
		}
		req.User = strings.TrimSpace(req.User)
		if !validUser(req.User) {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("user must be 1 to %d printable characters", maxUserLen))
			return
		}
		tok, exp := s.Issue(req.User)
		log.Info("token issued", "user", req.User, "expires", exp)
		writeJSON(w, http.StatusOK, map[string]string{"token": tok, "user": req.User, "expires": exp.UTC().Format(time.RFC3339)})
	})
	mux.HandleFunc("GET /verify", func(w http.ResponseWriter, r *http.Request) {
		tok := r.URL.Query().Get("token")
		if tok == "" {
			tok, _ = strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		}
		if tok == "" {
			writeError(w, http.StatusUnauthorized, "no token")
			return
		}
		user, err := s.Verify(tok)
		if err != nil {
			log.Debug("token rejected", "err", err)
			writeError(w, http.StatusUnauthorized, err.Error())
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"user": user})
	})
	return mux
}
