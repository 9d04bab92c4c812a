package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"strings"
	"text/tabwriter"
	"text/template"
	"time"
	"unicode/utf8"

	"github.com/docker/go-units"
)

// templateFuncs are the functions --format templates may call, as in the
// docker CLI and Compose.
var templateFuncs = template.FuncMap{
	"json": func(v any) (string, error) {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			return "", err
		}
		return strings.TrimSpace(b.String()), nil
	},
	"split": strings.Split,
	"join":  joinAny,
	"title": func(s string) string { // each word capitalised, as strings.Title did
		words := strings.Split(s, " ")
		for i, w := range words {
			if w != "" {
				words[i] = strings.ToUpper(w[:1]) + w[1:]
			}
		}
		return strings.Join(words, " ")
	},
	"lower": strings.ToLower,
	"upper": strings.ToUpper,
	"pad": func(s string, prefix, suffix int) string {
		if s == "" {
			return s
		}
		return strings.Repeat(" ", prefix) + s + strings.Repeat(" ", suffix)
	},
	"truncate": func(s string, n int) string {
		if len(s) < n {
			return s
		}
		return s[:n]
	},
}

// headerFuncs stand in for templateFuncs when a table's header row is
// rendered: each returns the column's name untouched.
var headerFuncs = template.FuncMap{
	"json":     func(v string) string { return v },
	"split":    func(v, _ string) string { return v },
	"join":     func(v, _ string) string { return v },
	"title":    func(v string) string { return v },
	"lower":    func(v string) string { return v },
	"upper":    func(v string) string { return v },
	"truncate": func(v string, _ int) string { return v },
}

func joinAny(elems any, sep string) (string, error) {
	if elems == nil {
		return "", nil
	}
	if ss, ok := elems.([]string); ok {
		return strings.Join(ss, sep), nil
	}
	rv := reflect.ValueOf(elems)
	if rv.Kind() != reflect.Slice && rv.Kind() != reflect.Array {
		return "", fmt.Errorf("join: expected a list, got %T", elems)
	}
	parts := make([]string, rv.Len())
	for i := range parts {
		parts[i] = fmt.Sprint(rv.Index(i).Interface())
	}
	return strings.Join(parts, sep), nil
}

// checkFormat parses a --format template that writeFormatted will apply,
// so that a bad one is a usage error before anything is read.
func checkFormat(format string) error {
	_, _, err := parseFormat(format, "")
	return err
}

// parseFormat is the template a --format names ("" and "table" are
// defaultTable, "json" one JSON object per row), and whether it is a table.
func parseFormat(format, defaultTable string) (*template.Template, bool, error) {
	switch format {
	case "", "table":
		format = defaultTable
	case "json":
		format = "{{json .}}"
	}
	text, table := strings.CutPrefix(format, "table")
	text = strings.Trim(text, " ")
	text = strings.NewReplacer(`\t`, "\t", `\n`, "\n").Replace(text)
	tmpl, err := template.New("format").Funcs(templateFuncs).Parse(text)
	if err != nil {
		return nil, false, usageError("invalid --format template: %w", err)
	}
	return tmpl, table, nil
}

// writeFormatted renders rows as the docker CLI's --format does: "table"
// is defaultTable, "json" one JSON object per line, anything else a Go
// template applied to each row; a template starting with "table" gets a
// header row (the column names in headers) and aligned columns.
func writeFormatted(w io.Writer, format, defaultTable string, headers map[string]string, rows []any) error {
	tmpl, table, err := parseFormat(format, defaultTable)
	if err != nil {
		return err
	}
	header, err := tmpl.Clone()
	if err != nil {
		return err
	}
	var body bytes.Buffer
	for _, r := range rows {
		if err := tmpl.Execute(&body, r); err != nil {
			return fmt.Errorf("--format template: %w", err)
		}
		body.WriteByte('\n')
	}
	if !table {
		_, err := body.WriteTo(w)
		return err
	}
	tw := tabwriter.NewWriter(w, 10, 1, 3, ' ', 0)
	// a header cell the header map cannot render (a function with an
	// argument) is left as far as it got, as the docker CLI does
	_ = header.Funcs(headerFuncs).Execute(tw, headers)
	fmt.Fprintln(tw)
	if _, err := body.WriteTo(tw); err != nil {
		return err
	}
	return tw.Flush()
}

// writeSection prints a table as Compose's ls and images do: the headers,
// then one tab-separated line per row, in columns at least 20 wide.
func writeSection(w io.Writer, headers []string, lines []string) error {
	tw := tabwriter.NewWriter(w, 20, 1, 3, ' ', 0)
	fmt.Fprintln(tw, strings.Join(headers, "\t"))
	for _, l := range lines {
		fmt.Fprintln(tw, l)
	}
	return tw.Flush()
}

// writeJSON prints v as one line of JSON, HTML characters unescaped, as
// Compose's --format json does.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// humanAgo is how long ago t was, in the docker CLI's words ("2 minutes
// ago", "About an hour ago").
func humanAgo(t time.Time) string {
	return units.HumanDuration(time.Now().UTC().Sub(t)) + " ago"
}

// humanSize is a size as the docker CLI prints it ("6.3MB").
func humanSize(n int64) string { return units.HumanSizeWithPrecision(float64(n), 3) }

// decimalSize is a size with decimal units and three significant digits,
// 1.23kB (the docker CLI's I/O columns of stats).
func decimalSize(n uint64) string { return units.HumanSizeWithPrecision(float64(n), 3) }

// binarySize is a size with binary units and four significant digits,
// 7.637GiB (the docker CLI's memory column of stats).
func binarySize(n uint64) string { return units.BytesSize(float64(n)) }

// shortID is an ID without its algorithm, cut to 12 characters.
func shortID(id string) string {
	if _, rest, ok := strings.Cut(id, ":"); ok {
		id = rest
	}
	if len(id) > 12 {
		id = id[:12]
	}
	return id
}

// ellipsis cuts s to n characters, the last one an ellipsis.
func ellipsis(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}
