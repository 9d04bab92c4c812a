package main

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
)

type formatRow struct {
	Name   string
	Status string
	Tags   []string
}

func (r *formatRow) Label(k string) string { return "label-" + k }

func TestWriteFormatted(t *testing.T) {
	rows := []any{
		&formatRow{Name: "shop-web-1", Status: "Up 2 minutes", Tags: []string{"a", "b"}},
		&formatRow{Name: "shop-db-10", Status: "Exited (0)"},
	}
	headers := map[string]string{"Name": "NAME", "Status": "STATUS"}
	tests := []struct {
		format string
		want   string
	}{
		{"table", "NAME         STATUS\nshop-web-1   Up 2 minutes\nshop-db-10   Exited (0)\n"},
		{`table {{.Status}}\t{{.Name}}`, "STATUS         NAME\nUp 2 minutes   shop-web-1\nExited (0)     shop-db-10\n"},
		{"{{.Name}}", "shop-web-1\nshop-db-10\n"},
		{`{{.Name}}\t{{join .Tags ","}} {{upper .Status}} {{.Label "x"}}`, "shop-web-1\ta,b UP 2 MINUTES label-x\nshop-db-10\t EXITED (0) label-x\n"},
		{"json", `{"Name":"shop-web-1","Status":"Up 2 minutes","Tags":["a","b"]}` + "\n" + `{"Name":"shop-db-10","Status":"Exited (0)","Tags":null}` + "\n"},
		{"{{json .Name}} {{truncate .Name 4}} {{lower (title .Status)}} {{title .Status}}", "\"shop-web-1\" shop up 2 minutes Up 2 Minutes\n\"shop-db-10\" shop exited (0) Exited (0)\n"},
	}
	for _, tt := range tests {
		var b bytes.Buffer
		if err := writeFormatted(&b, tt.format, "table {{.Name}}\t{{.Status}}", headers, rows); err != nil {
			t.Fatalf("%q: %v", tt.format, err)
		}
		if b.String() != tt.want {
			t.Errorf("%q:\n%q\nwant\n%q", tt.format, b.String(), tt.want)
		}
	}
	var b bytes.Buffer
	if err := writeFormatted(&b, "{{.Name", "table", headers, rows); err == nil || !strings.Contains(err.Error(), "invalid --format template") {
		t.Errorf("a broken template: %v", err)
	}
	if err := writeFormatted(&b, "{{.Nope}}", "table", headers, rows); err == nil || !strings.Contains(err.Error(), "--format template") {
		t.Errorf("a template naming no field: %v", err)
	}
}

// TestUsageErrorsKeepTheirCause: a usage error made of another error (a
// template that does not parse, a time that is not one) wraps it, so the
// chain holds for errors.Is and errors.As.
func TestUsageErrorsKeepTheirCause(t *testing.T) {
	var at time.Time
	for name, err := range map[string]error{
		"template": writeFormatted(&bytes.Buffer{}, "{{.Name", "", nil, nil),
		"time":     parseTimeFlags(time.Now(), timeFlag{name: "--since", value: "yesterday-ish", to: &at}),
	} {
		var ee *exitError
		if !errors.As(err, &ee) || ee.code != 2 {
			t.Fatalf("%s: %v is not a usage error", name, err)
		}
		if errors.Unwrap(ee.err) == nil {
			t.Errorf("%s: %q does not wrap its cause", name, err)
		}
	}
}
