package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// timeArgLayouts are the forms of an absolute --since or --until time, as
// the docker CLI takes them; those without a zone are in local time.
var timeArgLayouts = []struct {
	layout string
	local  bool
}{
	{time.RFC3339Nano, false},
	{"2006-01-02T15:04Z07:00", false},
	{"2006-01-02T15Z07:00", false},
	{"2006-01-02Z07:00", false},
	{"2006-01-02T15:04:05.999999999", true},
	{"2006-01-02T15:04", true},
	{"2006-01-02T15", true},
	{"2006-01-02", true},
}

// parseTimeArg reads a --since or --until value as the docker CLI does: a
// duration before now (42m, 1h30m), an RFC 3339 time or a part of one
// (2013-01-02T13:23:37Z, 2013-01-02T13:23, 2013-01-02; local time without
// a zone), or a Unix timestamp in seconds (1357133017, 1357133017.25).
func parseTimeArg(value string, now time.Time) (time.Time, error) {
	if value == "" {
		return time.Time{}, fmt.Errorf("empty time: give a duration (42m), an RFC 3339 time (2013-01-02T13:23:37Z) or a Unix timestamp")
	}
	if d, err := time.ParseDuration(value); err == nil && value != "0" {
		return now.Add(-d), nil
	}
	if t, ok := parseUnixTime(value); ok {
		return t, nil
	}
	for _, l := range timeArgLayouts {
		var t time.Time
		var err error
		if l.local {
			t, err = time.ParseInLocation(l.layout, value, now.Location())
		} else {
			t, err = time.Parse(l.layout, value)
		}
		if err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a time: give a duration (42m), an RFC 3339 time (2013-01-02T13:23:37Z) or a Unix timestamp", value)
}

// parseUnixTime reads seconds since the epoch, with up to nine digits of
// fraction.
func parseUnixTime(value string) (time.Time, bool) {
	secs, frac, hasFrac := strings.Cut(value, ".")
	if secs == "" || len(frac) > 9 || hasFrac && frac == "" || strings.Trim(secs+frac, "0123456789") != "" {
		return time.Time{}, false
	}
	s, err := strconv.ParseInt(secs, 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	ns, _ := strconv.ParseInt(frac+strings.Repeat("0", 9-len(frac)), 10, 64)
	return time.Unix(s, ns), true
}

// timeFlag is a --since or --until flag: its name, its value, and the time
// it sets.
type timeFlag struct {
	name, value string
	to          *time.Time
}

// parseTimeFlags sets each flag's time from its value, if it has one; a
// value that is not a time is a usage error naming the flag.
func parseTimeFlags(now time.Time, flags ...timeFlag) error {
	for _, f := range flags {
		if f.value == "" {
			continue
		}
		at, err := parseTimeArg(f.value, now)
		if err != nil {
			return usageError("invalid %s: %w", f.name, err)
		}
		*f.to = at
	}
	return nil
}
