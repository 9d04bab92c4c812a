package project

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/compose-spec/compose-go/v2/cli"
	"go.yaml.in/yaml/v4"
)

// ErrNoConfigFile is the error Load wraps when it finds no compose file:
// none named, and none in the working directory or its parents.
var ErrNoConfigFile = errors.New("no configuration file provided")

// FileError is a load error placed in a compose file: the file, and where
// known the line and column, then what is wrong.
type FileError struct {
	File   string
	Line   int // 0 when unknown
	Column int // 0 when unknown
	Err    error
}

func (e *FileError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
		if e.Column > 0 {
			fmt.Fprintf(&b, ":%d", e.Column)
		}
	}
	b.WriteString(": ")
	b.WriteString(e.Err.Error())
	return b.String()
}

func (e *FileError) Unwrap() error { return e.Err }

var (
	parseErrRe    = regexp.MustCompile(`(?s)^failed to parse (.+?): ((?:yaml: |go-yaml ).*)$`)
	validateErrRe = regexp.MustCompile(`^validating (.+?): (.*)$`)
	markRe        = regexp.MustCompile(`line (\d+)(?:, column (\d+))?`)
	leadingMarkRe = regexp.MustCompile(`^line (\d+)(?:, column (\d+))?: `)
	indexRe       = regexp.MustCompile(`\.?\[([^\]]+)\]`)
	yamlPathRe    = regexp.MustCompile(`\b((?:services|networks|volumes|secrets|configs|include|name|x-[\w-]+)(?:\.[\w.-]+)?)`)
	additionalRe  = regexp.MustCompile(`additional propert(?:y|ies) '([^']+)'`)
	serviceRe     = regexp.MustCompile(`^service "([^"]+)"`)
	trailingRe    = regexp.MustCompile(`: ([^:\s]+)$`)
)

// yamlPosition finds the YAML parser's error in err and returns where it
// is and what it says; ok is false when err holds none. data is the file's
// content (nil when it cannot be read). The construct the parser was in,
// when it started elsewhere, follows the message ("did not find expected
// key (while parsing a block mapping at line 2, column 3)"); an error found
// only at the end of the file, such as an unclosed [ or quote, is placed
// where that construct starts, or else on the file's last character, not
// on the empty line after it.
func yamlPosition(err error, data []byte) (line, col int, text string, ok bool) {
	var le *yaml.LoadError
	if !errors.As(err, &le) {
		var les *yaml.LoadErrors
		if !errors.As(err, &les) || len(les.Errors) == 0 {
			return 0, 0, "", false
		}
		le = les.Errors[0]
	}
	if leadingMarkRe.MatchString(le.Message) {
		// the constructor puts the line in the message ("line 4: mapping
		// key "image" already defined at line 3") and no mark of its own
		line, col, text = positioned(le.Message)
		return line, col, text, true
	}
	mark, text := le.Mark, le.Message
	hasContext := le.ContextMsg != "" && le.ContextMark.Line > 0 && le.ContextMark != le.Mark
	end := len(bytes.TrimRight(data, " \t\r\n"))
	if data != nil && mark.Index >= end {
		switch {
		case hasContext && le.ContextMark.Index < end:
			return le.ContextMark.Line, le.ContextMark.Column,
				fmt.Sprintf("%s (%s that starts here and is not closed before the file ends)", text, le.ContextMsg), true
		case end > 0:
			line, col := lineColumn(data, end-1)
			return line, col, text + " (at the end of the file)", true
		}
	}
	if hasContext {
		text += fmt.Sprintf(" (%s at line %d, column %d)", le.ContextMsg, le.ContextMark.Line, le.ContextMark.Column)
	}
	return mark.Line, mark.Column, text, true
}

// lineColumn is the 1-based line and column (in characters) of the byte at
// offset in data.
func lineColumn(data []byte, offset int) (line, col int) {
	before := data[:offset]
	start := bytes.LastIndexByte(before, '\n') + 1
	return bytes.Count(before, []byte{'\n'}) + 1, utf8.RuneCount(data[start:offset]) + 1
}

// located is where a YAML error in a file holding data is and what it
// says: from the parser's typed error when err holds one, else from the
// mark in msg.
func located(err error, data []byte, msg string) (line, col int, text string) {
	if line, col, text, ok := yamlPosition(err, data); ok {
		return line, col, text
	}
	return positioned(msg)
}

// positioned splits a YAML parser message into its line/column mark and the
// text after it: "line 3, column 4: did not find expected key". A list of
// construct errors ("construct errors:\n  line 1: line 4: mapping key ...")
// gives its first entry, placed by the innermost of its leading marks.
func positioned(msg string) (line, col int, text string) {
	text = strings.TrimPrefix(msg, "yaml: ")
	for _, list := range []string{"construct errors:", "unmarshal errors:"} {
		if rest, ok := strings.CutPrefix(text, list); ok {
			first, _, _ := strings.Cut(strings.TrimLeft(rest, "\n "), "\n")
			text = first
		}
	}
	for {
		m := leadingMarkRe.FindStringSubmatch(text)
		if m == nil {
			break
		}
		line, _ = strconv.Atoi(m[1])
		col, _ = strconv.Atoi(m[2]) // 0 when there is no column
		text = text[len(m[0]):]
	}
	if line > 0 {
		return line, col, text
	}
	marks := markRe.FindAllStringSubmatchIndex(text, -1)
	if len(marks) == 0 {
		return 0, 0, text
	}
	last := marks[len(marks)-1]
	line, _ = strconv.Atoi(text[last[2]:last[3]])
	if last[4] >= 0 {
		col, _ = strconv.Atoi(text[last[4]:last[5]])
	}
	if rest, ok := strings.CutPrefix(text[last[1]:], ": "); ok {
		text = rest
	}
	return line, col, text
}

// explain turns a compose-go load error into one that names the file and,
// where it can be found, the line: syntax errors keep the parser's line and
// column; schema, interpolation and consistency errors are placed at the key
// they are about. A dependency cycle is reported by Berth's own graph, which
// names the cycle the same way every time.
func explain(ctx context.Context, po *cli.ProjectOptions, opts Options, err error) error {
	if strings.Contains(err.Error(), "dependency cycle detected") || strings.Contains(err.Error(), "depends on undefined service") {
		// compose-go finds these in map order and cannot tell a missing
		// service from one disabled by a profile: ask Berth's graph
		relaxed := opts
		relaxed.NoConsistency = true
		if p, lerr := loadUnchecked(ctx, relaxed); lerr == nil {
			if _, gerr := NewGraph(p); gerr != nil {
				file := po.ConfigPaths[0]
				line, col := locate(po.ConfigPaths[:1], keyPath(gerr.Error()))
				return &FileError{File: display(opts, file), Line: line, Column: col, Err: gerr}
			}
		}
	}
	msg := err.Error()
	if msg == "project name must not be empty" {
		// compose-go's words for a directory name that normalises to ""
		return errEmptyName
	}
	if m := parseErrRe.FindStringSubmatch(msg); m != nil {
		data, _ := os.ReadFile(m[1])
		line, col, text := located(err, data, m[2])
		return &FileError{File: display(opts, m[1]), Line: line, Column: col, Err: errors.New(text)}
	}
	if m := validateErrRe.FindStringSubmatch(msg); m != nil {
		text, path := m[2], keyPath(m[2])
		if rest, ok := strings.CutPrefix(text, " "); ok {
			// the schema names no path for the top level: the message
			// starts with a space ("validating f:  additional properties
			// 'x' not allowed"), and the key is the offending one
			text, path = rest, ""
			if a := additionalRe.FindStringSubmatch(rest); a != nil {
				path = a[1]
			}
		}
		fe := &FileError{File: display(opts, m[1]), Err: errors.New(text)}
		fe.Line, fe.Column = locate([]string{m[1]}, path)
		return fe
	}
	if _, _, _, ok := yamlPosition(err, nil); ok || strings.HasPrefix(msg, "yaml: ") {
		// compose-go reads the top-level name with a bare YAML parse first
		for _, f := range po.ConfigPaths {
			if perr := yamlError(f); perr != nil {
				return perr(display(opts, f))
			}
		}
	}
	file := po.ConfigPaths[0]
	for _, f := range po.ConfigPaths {
		if strings.Contains(msg, f) {
			return err // already names its file
		}
	}
	line, col := 0, 0
	if path := keyPath(msg); path != "" {
		for _, f := range po.ConfigPaths {
			if l, c := locate([]string{f}, path); l > 0 {
				file, line, col = f, l, c
				break
			}
		}
	} else if m := trailingRe.FindStringSubmatch(msg); m != nil {
		// a bad value compose-go does not place, such as "Invalid
		// containerPort: abc": find the value in the files
		for _, f := range po.ConfigPaths {
			if l, c := findScalar(f, m[1]); l > 0 {
				file, line, col = f, l, c
				break
			}
		}
	}
	return &FileError{File: display(opts, file), Line: line, Column: col, Err: err}
}

// keyPath finds the dotted key path a compose-go message is about, such as
// services.web.ports, adding the offending key of an "additional
// properties" error.
func keyPath(msg string) string {
	if m := serviceRe.FindStringSubmatch(msg); m != nil {
		return "services." + m[1]
	}
	// mapstructure names keys as services[web].healthcheck
	m := yamlPathRe.FindStringSubmatch(indexRe.ReplaceAllString(msg, ".$1"))
	if m == nil {
		return ""
	}
	path := strings.TrimRight(m[1], ".")
	if a := additionalRe.FindStringSubmatch(msg); a != nil {
		path += "." + a[1]
	}
	return path
}

// locate returns the line and column of the deepest key of path found in the
// first of files that has it.
func locate(files []string, path string) (int, int) {
	if path == "" {
		return 0, 0
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		var doc yaml.Node
		if yaml.Unmarshal(data, &doc) != nil || len(doc.Content) == 0 {
			continue
		}
		node, line, col := doc.Content[0], 0, 0
		for _, key := range strings.Split(path, ".") {
			next, l, c := child(node, key)
			if next == nil {
				break
			}
			node, line, col = next, l, c
		}
		if line > 0 {
			return line, col
		}
	}
	return 0, 0
}

// findScalar returns the position of the only scalar in file that holds
// value, or zeros when there is none or more than one.
func findScalar(file, value string) (int, int) {
	data, err := os.ReadFile(file)
	if err != nil {
		return 0, 0
	}
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) != nil {
		return 0, 0
	}
	var hits []*yaml.Node
	var walk func(*yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Kind == yaml.ScalarNode && strings.Contains(n.Value, value) {
			hits = append(hits, n)
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(&doc)
	if len(hits) != 1 {
		return 0, 0
	}
	return hits[0].Line, hits[0].Column
}

// child finds key in a mapping node (or index key in a sequence) and returns
// its value node with the key's position.
func child(n *yaml.Node, key string) (*yaml.Node, int, int) {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				return n.Content[i+1], n.Content[i].Line, n.Content[i].Column
			}
		}
	case yaml.SequenceNode:
		if i, err := strconv.Atoi(key); err == nil && i >= 0 && i < len(n.Content) {
			return n.Content[i], n.Content[i].Line, n.Content[i].Column
		}
	}
	return nil, 0, 0
}

// yamlError parses file on its own and, if it is not valid YAML or its top
// level is not a mapping, returns a constructor for a FileError carrying
// the parser's position.
func yamlError(file string) func(string) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil
	}
	var doc yaml.Node
	perr := yaml.Unmarshal(data, &doc)
	if perr == nil {
		if len(doc.Content) > 0 && doc.Content[0].Kind != yaml.MappingNode {
			// the words compose-go uses when it gets this far
			return func(name string) error {
				return &FileError{File: name, Err: errors.New("top-level object must be a mapping")}
			}
		}
		return nil
	}
	return func(name string) error {
		line, col, text := located(perr, data, perr.Error())
		return &FileError{File: name, Line: line, Column: col, Err: errors.New(text)}
	}
}

// display shortens path to be relative to the working directory when it is
// inside it, which is how the user named it.
func display(opts Options, path string) string {
	wd := opts.WorkDir
	if wd == "" {
		wd, _ = os.Getwd()
	}
	if rel, err := filepath.Rel(wd, path); err == nil && !strings.HasPrefix(rel, "..") {
		return rel
	}
	return path
}
