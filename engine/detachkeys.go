package engine

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
)

// DefaultDetachKeys is the docker CLI's detach sequence.
const DefaultDetachKeys = "ctrl-p,ctrl-q"

// ErrDetached is the error a detach reader returns once it has read the
// detach keys.
var ErrDetached = errors.New("read the detach keys")

// ParseDetachKeys turns a comma-separated key sequence in the docker CLI's
// notation ("ctrl-p,ctrl-q", "ctrl-@", "a") into the bytes a terminal
// sends; empty means DefaultDetachKeys.
func ParseDetachKeys(s string) ([]byte, error) {
	if s == "" {
		s = DefaultDetachKeys
	}
	var out []byte
	for _, key := range strings.Split(s, ",") {
		k := strings.ToLower(strings.TrimSpace(key))
		switch {
		case len(k) == 1:
			out = append(out, k[0])
		case strings.HasPrefix(k, "ctrl-") && len(k) == 6 && k[5] >= 'a' && k[5] <= 'z':
			out = append(out, k[5]-'a'+1)
		case strings.HasPrefix(k, "ctrl-") && len(k) == 6 && strings.IndexByte("@[\\]^_", k[5]) >= 0:
			out = append(out, k[5]-'@')
		default:
			return nil, fmt.Errorf("invalid detach key %q in %q: use a letter, or ctrl- and one of a-z, @, [, \\, ], ^, _", key, s)
		}
	}
	return out, nil
}

// detachReader passes its input through until the detach keys appear,
// holding back a partial match until it completes or breaks.
type detachReader struct {
	r       io.Reader
	keys    []byte
	matched int    // bytes of keys seen at the end of the input so far
	pending []byte // bytes ready to be returned
	err     error
}

// NewDetachReader returns r, except that reading keys (in a row) ends it
// with ErrDetached; the keys themselves are not passed on.
func NewDetachReader(r io.Reader, keys []byte) io.Reader {
	return &detachReader{r: r, keys: keys}
}

func (d *detachReader) Read(p []byte) (int, error) {
	for len(d.pending) == 0 {
		if d.err != nil {
			return 0, d.err
		}
		buf := make([]byte, len(p))
		n, err := d.r.Read(buf)
		for _, c := range buf[:n] {
			d.scan(c)
			if d.err != nil {
				break
			}
		}
		if err != nil && d.err == nil {
			// a partial match at the end of the input is input after all
			d.pending = append(d.pending, d.keys[:d.matched]...)
			d.matched = 0
			d.err = err
		}
	}
	n := copy(p, d.pending)
	d.pending = d.pending[n:]
	return n, nil
}

// scan takes one input byte.
func (d *detachReader) scan(c byte) {
	if c == d.keys[d.matched] {
		d.matched++
		if d.matched == len(d.keys) {
			d.err = ErrDetached
		}
		return
	}
	// the partial match breaks: it was input, and c may start a new one
	held := append(append([]byte{}, d.keys[:d.matched]...), c)
	d.matched = 0
	for len(held) > 0 && !bytes.HasPrefix(d.keys, held) {
		d.pending = append(d.pending, held[0])
		held = held[1:]
	}
	d.matched = len(held)
}
