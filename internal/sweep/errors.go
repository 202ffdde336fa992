package sweep

import (
	"fmt"
	"sort"
	"strings"
)

// OverrideFile is the File of an Error found in a --set override rather than
// in the experiment file; its Line is then the override's 1-based position
// among the overrides given to Parse.
const OverrideFile = "--set"

// Error is one problem in an experiment file or an override. It prints as
// "file:line: field: message", for example
//
//	experiments/ch6.yaml:14: optimizers[2].lr: must be > 0 (got -0.1)
type Error struct {
	File  string // the file name given to Parse, or OverrideFile
	Line  int    // 1-based line in File (the override's position for OverrideFile); 0 if unknown
	Field string // path of the field, such as "optimizers[2].lr"; "" for YAML syntax errors
	Msg   string // what is wrong, with the offending value where there is one
}

// Error formats e as "file:line: field: message", leaving out the parts
// that are unknown.
func (e *Error) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		if e.Line > 0 {
			fmt.Fprintf(&b, ":%d", e.Line)
		}
		b.WriteString(": ")
	} else if e.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", e.Line)
	}
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// ErrorList is every problem found in one experiment file and its
// overrides, in file order and then override order. Parse, Expand and Count
// return their errors as an ErrorList; errors.As finds the single *Error
// values inside.
type ErrorList []*Error

// Error prints the errors one per line.
func (l ErrorList) Error() string {
	lines := make([]string, len(l))
	for i, e := range l {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap returns the errors in the list, for errors.Is and errors.As.
func (l ErrorList) Unwrap() []error {
	errs := make([]error, len(l))
	for i, e := range l {
		errs[i] = e
	}
	return errs
}

// add appends an error at l.
func (l *ErrorList) add(at loc, field, format string, args ...any) {
	*l = append(*l, &Error{File: at.file, Line: at.line, Field: field, Msg: fmt.Sprintf(format, args...)})
}

// err returns nil for an empty list and otherwise the list sorted: the
// file's errors by line, then the overrides' errors by position. Errors on
// the same line keep the order in which they were found.
func (l ErrorList) err() error {
	if len(l) == 0 {
		return nil
	}
	sort.SliceStable(l, func(i, j int) bool {
		oi, oj := l[i].File == OverrideFile, l[j].File == OverrideFile
		if oi != oj {
			return oj
		}
		return l[i].Line < l[j].Line
	})
	return l
}

// loc is where a value came from: a line of the file, or an override.
type loc struct {
	file string
	line int
}

// String formats l for messages that point at a second place.
func (l loc) String() string {
	switch {
	case l.file == OverrideFile:
		return fmt.Sprintf("--set #%d", l.line)
	case l.line > 0:
		return fmt.Sprintf("line %d", l.line)
	}
	return "the defaults"
}
