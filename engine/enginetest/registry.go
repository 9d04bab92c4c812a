package enginetest

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// Registry is an in-memory image registry on the loopback interface,
// speaking as much of the registry HTTP API v2 as the Docker Engine uses to
// push (and pull) an image. The engine trusts plain HTTP on 127.0.0.0/8, so
// nothing needs TLS and nothing leaves the machine.
type Registry struct {
	// Host is its address, host:port, to put in image references.
	Host string

	mu        sync.Mutex
	blobs     map[string][]byte            // by digest
	manifests map[string]map[string]stored // by repository, then tag or digest
	uploads   map[string][]byte            // by upload ID
}

type stored struct {
	mediaType string
	data      []byte
}

// StartRegistry starts a registry on 127.0.0.1 for the test's duration.
func StartRegistry(t testing.TB) *Registry {
	t.Helper()
	r := &Registry{blobs: map[string][]byte{}, manifests: map[string]map[string]stored{}, uploads: map[string][]byte{}}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("starting the test registry: %v", err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(r.serve))
	srv.Listener.Close()
	srv.Listener = l
	srv.Start()
	t.Cleanup(srv.Close)
	r.Host = l.Addr().String()
	return r
}

// Has reports whether the registry holds a manifest for repository:tag.
func (r *Registry) Has(repository, tag string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, ok := r.manifests[repository][tag]
	return ok
}

func (r *Registry) serve(w http.ResponseWriter, req *http.Request) {
	p := strings.TrimPrefix(req.URL.Path, "/v2/")
	if p == "" || p == "/" || req.URL.Path == "/v2" {
		w.Header().Set("Docker-Distribution-API-Version", "registry/2.0")
		w.WriteHeader(http.StatusOK)
		return
	}
	switch {
	case strings.Contains(p, "/blobs/uploads/"):
		name, id, _ := strings.Cut(p, "/blobs/uploads/")
		r.upload(w, req, name, id)
	case strings.Contains(p, "/blobs/"):
		_, digest, _ := strings.Cut(p, "/blobs/")
		r.blob(w, req, digest)
	case strings.Contains(p, "/manifests/"):
		name, ref, _ := strings.Cut(p, "/manifests/")
		r.manifest(w, req, name, ref)
	default:
		http.NotFound(w, req)
	}
}

func (r *Registry) upload(w http.ResponseWriter, req *http.Request, name, id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if req.Method == http.MethodPost {
		// a cross-repository mount is answered as a fresh upload
		b := make([]byte, 8)
		_, _ = rand.Read(b)
		id = hex.EncodeToString(b)
		r.uploads[id] = nil
		w.Header().Set("Location", "/v2/"+name+"/blobs/uploads/"+id)
		w.Header().Set("Docker-Upload-UUID", id)
		w.Header().Set("Range", "0-0")
		w.WriteHeader(http.StatusAccepted)
		return
	}
	data, ok := r.uploads[id]
	if !ok {
		http.Error(w, `{"errors":[{"code":"BLOB_UPLOAD_UNKNOWN"}]}`, http.StatusNotFound)
		return
	}
	body, err := io.ReadAll(req.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	data = append(data, body...)
	switch req.Method {
	case http.MethodPatch:
		r.uploads[id] = data
		w.Header().Set("Location", "/v2/"+name+"/blobs/uploads/"+id)
		w.Header().Set("Docker-Upload-UUID", id)
		w.Header().Set("Range", fmt.Sprintf("0-%d", max(len(data)-1, 0)))
		w.WriteHeader(http.StatusAccepted)
	case http.MethodPut:
		digest := req.URL.Query().Get("digest")
		sum := sha256.Sum256(data)
		if digest != "sha256:"+hex.EncodeToString(sum[:]) {
			http.Error(w, `{"errors":[{"code":"DIGEST_INVALID"}]}`, http.StatusBadRequest)
			return
		}
		delete(r.uploads, id)
		r.blobs[digest] = data
		w.Header().Set("Location", "/v2/"+name+"/blobs/"+digest)
		w.Header().Set("Docker-Content-Digest", digest)
		w.WriteHeader(http.StatusCreated)
	default:
		w.WriteHeader(http.StatusMethodNotAllowed)
	}
}

func (r *Registry) blob(w http.ResponseWriter, req *http.Request, digest string) {
	r.mu.Lock()
	data, ok := r.blobs[digest]
	r.mu.Unlock()
	if !ok {
		http.Error(w, `{"errors":[{"code":"BLOB_UNKNOWN"}]}`, http.StatusNotFound)
		return
	}
	w.Header().Set("Docker-Content-Digest", digest)
	w.Header().Set("Content-Length", fmt.Sprint(len(data)))
	w.Header().Set("Content-Type", "application/octet-stream")
	if req.Method == http.MethodHead {
		return
	}
	_, _ = w.Write(data)
}

func (r *Registry) manifest(w http.ResponseWriter, req *http.Request, name, ref string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if req.Method == http.MethodPut {
		data, err := io.ReadAll(req.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		sum := sha256.Sum256(data)
		digest := "sha256:" + hex.EncodeToString(sum[:])
		if r.manifests[name] == nil {
			r.manifests[name] = map[string]stored{}
		}
		m := stored{mediaType: req.Header.Get("Content-Type"), data: data}
		r.manifests[name][ref] = m
		r.manifests[name][digest] = m
		w.Header().Set("Location", "/v2/"+name+"/manifests/"+digest)
		w.Header().Set("Docker-Content-Digest", digest)
		w.WriteHeader(http.StatusCreated)
		return
	}
	m, ok := r.manifests[name][ref]
	if !ok {
		http.Error(w, `{"errors":[{"code":"MANIFEST_UNKNOWN"}]}`, http.StatusNotFound)
		return
	}
	sum := sha256.Sum256(m.data)
	w.Header().Set("Docker-Content-Digest", "sha256:"+hex.EncodeToString(sum[:]))
	w.Header().Set("Content-Type", m.mediaType)
	w.Header().Set("Content-Length", fmt.Sprint(len(m.data)))
	if req.Method == http.MethodHead {
		return
	}
	_, _ = w.Write(m.data)
}
