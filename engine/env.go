package engine

import (
	"fmt"
	"strings"

	"github.com/berth-dev/berth/project"
)

// ResolveEnv checks the -e entries of `exec` and `run` and turns them into
// KEY=VALUE: an entry with a value is kept as it is, a KEY alone takes its
// value from the project's environment (the process's and the .env
// file's) and is left out when that does not set it. An entry with no
// key, or a key with white space, is an error naming it.
func ResolveEnv(p *project.Project, entries []string) ([]string, error) {
	var out []string
	for _, e := range entries {
		k, _, hasValue := strings.Cut(e, "=")
		if k == "" || strings.ContainsAny(k, " \t\r\n") {
			return nil, fmt.Errorf("invalid environment variable %q: use KEY=VALUE, or KEY to take its value from the environment", e)
		}
		if hasValue {
			out = append(out, e)
			continue
		}
		if v, ok := p.Compose.Environment[k]; ok {
			out = append(out, k+"="+v)
		}
	}
	return out, nil
}
