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
	"strings"
	"testing"
	"time"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func TestIssueVerify(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	s := &Signer{Key: []byte("k"), TTL: time.Hour, Now: func() time.Time { return now }}
	for _, user := range []string{"alice", "bob.smith", "ünïcode user"} {
		tok, exp := s.Issue(user)
		if !exp.Equal(now.Add(time.Hour)) {
			t.Errorf("expiry = %v", exp)
		}
		got, err := s.Verify(tok)
		if err != nil || got != user {
			t.Errorf("Verify(Issue(%q)) = %q, %v", user, got, err)
		}
	}

	tok, _ := s.Issue("alice")
	other := &Signer{Key: []byte("other"), TTL: time.Hour, Now: s.Now}
	if _, err := other.Verify(tok); err != errSignature {
		t.Errorf("other key: err = %v, want %v", err, errSignature)
	}
	payload, sig, _ := strings.Cut(tok, ".")
	forged := strings.Replace(payload, payload[:2], "Ym", 1) + "." + sig
	if _, err := s.Verify(forged); err == nil {
		t.Error("a changed payload verified")
	}
	for _, bad := range []string{"", "nodot", "a.b", "!!.!!", payload + "."} {
		if _, err := s.Verify(bad); err == nil {
			t.Errorf("Verify(%q) succeeded", bad)
		}
	}

	now = now.Add(time.Hour)
	if _, err := s.Verify(tok); err != errExpired {
		t.Errorf("at expiry: err = %v, want %v", err, errExpired)
	}
}

func TestLoadKey(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "key")
	os.WriteFile(p, []byte("  secret\n"), 0o600)
	if k, err := loadKey(p); err != nil || string(k) != "secret" {
		t.Errorf("loadKey = %q, %v", k, err)
	}
	os.WriteFile(p, []byte("\n"), 0o600)
	if _, err := loadKey(p); err == nil {
		t.Error("an empty key loaded")
	}
	if _, err := loadKey(filepath.Join(dir, "missing")); err == nil {
		t.Error("a missing key file loaded")
	}
}

func TestHTTP(t *testing.T) {
	srv := httptest.NewServer(newHandler(&Signer{Key: []byte("k"), TTL: time.Minute}, quiet))
	defer srv.Close()

	resp, err := http.Post(srv.URL+"/token", "application/json", strings.NewReader(`{"user":"alice"}`))
	if err != nil {
		t.Fatal(err)
	}
	var issued struct{ Token, User, Expires string }
	json.NewDecoder(resp.Body).Decode(&issued)
	resp.Body.Close()
	if resp.StatusCode != 200 || issued.Token == "" || issued.User != "alice" || issued.Expires == "" {
		t.Fatalf("POST /token = %d %+v", resp.StatusCode, issued)
	}

	for _, body := range []string{``, `{`, `{"user":""}`, `{"user":"` + strings.Repeat("x", 65) + `"}`, `{"user":"a\nb"}`} {
		resp, err := http.Post(srv.URL+"/token", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("POST /token %s = %d, want 400", body, resp.StatusCode)
		}
	}

	verify := func(query, bearer string) (int, string) {
		req, _ := http.NewRequest("GET", srv.URL+"/verify"+query, nil)
		if bearer != "" {
			req.Header.Set("Authorization", "Bearer "+bearer)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var v struct{ User string }
		json.NewDecoder(resp.Body).Decode(&v)
		return resp.StatusCode, v.User
	}
	if code, user := verify("?token="+issued.Token, ""); code != 200 || user != "alice" {
		t.Errorf("verify by query = %d %q", code, user)
	}
	if code, user := verify("", issued.Token); code != 200 || user != "alice" {
		t.Errorf("verify by header = %d %q", code, user)
	}
	if code, _ := verify("?token=x"+issued.Token, ""); code != 401 {
		t.Errorf("verify tampered = %d, want 401", code)
	}
	if code, _ := verify("", ""); code != 401 {
		t.Errorf("verify without token = %d, want 401", code)
	}
}

func TestHealthcheck(t *testing.T) {
	srv := httptest.NewServer(newHandler(&Signer{Key: []byte("k"), TTL: time.Minute}, quiet))
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	if got := healthcheck(":" + port); got != 0 {
		t.Errorf("healthcheck on a running server = %d", got)
	}
	srv.Close()
	if got := healthcheck(":" + port); got != 1 {
		t.Errorf("healthcheck on a closed port = %d", got)
	}
}
