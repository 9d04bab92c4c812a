package project

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/compose-spec/compose-go/v2/dotenv"
)

// The `raw` env_file format takes each line literally, like `docker run
// --env-file`: no quotes, no interpolation. Compose registers it too.
func init() {
	dotenv.RegisterFormat("raw", parseRawEnv)
}

// parseRawEnv reads KEY=VALUE lines as docker's --env-file does: blank lines
// and lines starting with # are skipped, a bare KEY takes its value from the
// environment (and is dropped if unset), the value is kept as written.
func parseRawEnv(r io.Reader, filename string, vars map[string]string, lookup func(string) (string, bool)) error {
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := sc.Bytes()
		if n == 1 {
			line = bytes.TrimPrefix(line, []byte("\xEF\xBB\xBF"))
		}
		if !utf8.Valid(line) {
			return fmt.Errorf("env file %s line %d: invalid UTF-8", filename, n)
		}
		text := strings.TrimLeftFunc(string(line), unicode.IsSpace)
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		key, value, hasValue := strings.Cut(text, "=")
		if key == "" {
			return fmt.Errorf("env file %s line %d: no variable name before '='", filename, n)
		}
		if strings.ContainsFunc(key, unicode.IsSpace) {
			return fmt.Errorf("env file %s line %d: variable %q contains whitespace", filename, n, key)
		}
		if !hasValue {
			v, ok := lookup(key)
			if !ok {
				continue
			}
			value = v
		}
		vars[key] = value
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("reading env file %s: %w", filename, err)
	}
	return nil
}
