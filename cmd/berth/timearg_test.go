package main

import (
	"testing"
	"time"
)

func TestParseTimeArg(t *testing.T) {
	loc := time.FixedZone("X", 2*3600)
	now := time.Date(2024, 5, 1, 12, 0, 0, 0, loc)
	for _, c := range []struct {
		in   string
		want time.Time
	}{
		{"42m", now.Add(-42 * time.Minute)},
		{"1h30m", now.Add(-90 * time.Minute)},
		{"2013-01-02T13:23:37Z", time.Date(2013, 1, 2, 13, 23, 37, 0, time.UTC)},
		{"2013-01-02T13:23:37.5+01:00", time.Date(2013, 1, 2, 12, 23, 37, 500000000, time.UTC)},
		{"2013-01-02T13:23:37", time.Date(2013, 1, 2, 13, 23, 37, 0, loc)},
		{"2013-01-02T13:23", time.Date(2013, 1, 2, 13, 23, 0, 0, loc)},
		{"2013-01-02", time.Date(2013, 1, 2, 0, 0, 0, 0, loc)},
		{"1357133017", time.Unix(1357133017, 0)},
		{"1357133017.25", time.Unix(1357133017, 250000000)},
		{"0", time.Unix(0, 0)},
	} {
		got, err := parseTimeArg(c.in, now)
		if err != nil || !got.Equal(c.want) {
			t.Errorf("parseTimeArg(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "yesterday", "12x", "2013-13-45", "1357133017.", "1.1234567890", "-5"} {
		if got, err := parseTimeArg(bad, now); err == nil {
			t.Errorf("parseTimeArg(%q) = %v, want an error", bad, got)
		}
	}
}
