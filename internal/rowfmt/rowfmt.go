// Package rowfmt writes the rows of an SQL query as an aligned table, CSV,
// JSON or JSON lines: the output formats of runner query and runner export.
//
// NULL, infinities and blobs are written as each format can hold them: the
// table prints NULL, Inf and -Inf; CSV an empty field, inf and -inf (pandas
// reads both); JSON null for all three (JSON has no infinity). Floats are
// written in the fewest digits that read back exactly, except in the table
// (15 significant digits). Blobs are text when they are UTF-8, else SQL's
// hex notation X'…'.
package rowfmt

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Writer writes the rows of a query in one format: Header once, then Row
// for each row, then Flush. It is a store.RowSink.
type Writer interface {
	Header(cols []string) error
	Row(vals []any) error
	Flush() error
}

// Formats are the names New knows, in the order help texts give them.
var Formats = []string{"table", "csv", "json", "jsonl"}

// New returns the writer of the named format on w: table, csv, json or
// jsonl (JSON lines).
func New(format string, w io.Writer) (Writer, error) {
	switch format {
	case "table":
		return &tableWriter{w: w}, nil
	case "csv":
		return &csvWriter{w: csv.NewWriter(w)}, nil
	case "json":
		return newJSON(w, false), nil
	case "jsonl":
		return newJSON(w, true), nil
	}
	return nil, fmt.Errorf("unknown format %q: want %s", format, strings.Join(Formats, ", "))
}

// tableWriter buffers the rows and prints them as aligned columns: numbers
// to the right, text to the left, NULL as NULL.
type tableWriter struct {
	w       io.Writer
	cols    []string
	cells   [][]string
	numeric []bool // the column holds only numbers and NULLs
}

func (t *tableWriter) Header(cols []string) error {
	t.cols = cols
	t.numeric = make([]bool, len(cols))
	for i := range t.numeric {
		t.numeric[i] = true
	}
	return nil
}

func (t *tableWriter) Row(vals []any) error {
	cells := make([]string, len(vals))
	for i, v := range vals {
		switch v := v.(type) {
		case nil:
			cells[i] = "NULL"
		case int64:
			cells[i] = strconv.FormatInt(v, 10)
		case float64:
			cells[i] = formatFloat(v, 15, "Inf", "-Inf")
		default:
			cells[i] = strings.NewReplacer("\n", `\n`, "\r", `\r`, "\t", `\t`).Replace(textValue(v))
			t.numeric[i] = false
		}
	}
	t.cells = append(t.cells, cells)
	return nil
}

func (t *tableWriter) Flush() error {
	widths := make([]int, len(t.cols))
	for i, c := range t.cols {
		widths[i] = utf8.RuneCountInString(c)
	}
	for _, cells := range t.cells {
		for i, c := range cells {
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	bw := bufio.NewWriter(t.w)
	line := func(cells []string) {
		var b strings.Builder
		for i, c := range cells {
			pad := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c))
			if i > 0 {
				b.WriteString("  ")
			}
			if t.numeric[i] {
				b.WriteString(pad + c)
			} else {
				b.WriteString(c + pad)
			}
		}
		bw.WriteString(strings.TrimRight(b.String(), " ") + "\n")
	}
	line(t.cols)
	for _, cells := range t.cells {
		line(cells)
	}
	return bw.Flush()
}

// csvWriter writes CSV with a header line: NULL as an empty field,
// infinities as inf and -inf, floats in the fewest digits that read back
// exactly.
type csvWriter struct {
	w      *csv.Writer
	record []string
}

func (c *csvWriter) Header(cols []string) error {
	c.record = make([]string, len(cols))
	return c.w.Write(cols)
}

func (c *csvWriter) Row(vals []any) error {
	for i, v := range vals {
		switch v := v.(type) {
		case nil:
			c.record[i] = ""
		case int64:
			c.record[i] = strconv.FormatInt(v, 10)
		case float64:
			c.record[i] = formatFloat(v, -1, "inf", "-inf")
		default:
			c.record[i] = textValue(v)
		}
	}
	return c.w.Write(c.record)
}

func (c *csvWriter) Flush() error {
	c.w.Flush()
	return c.w.Error()
}

// jsonWriter writes JSON objects, one per row with the columns as keys in
// order: as an array (one object a line), or as JSON lines (lines). NULL
// and infinities are null.
type jsonWriter struct {
	w     *bufio.Writer
	lines bool
	keys  []string // the JSON-quoted column names
	n     int      // rows written
	buf   bytes.Buffer
	enc   *json.Encoder
}

func newJSON(w io.Writer, lines bool) *jsonWriter {
	j := &jsonWriter{w: bufio.NewWriter(w), lines: lines}
	j.enc = json.NewEncoder(&j.buf)
	j.enc.SetEscapeHTML(false)
	return j
}

func (j *jsonWriter) Header(cols []string) error {
	j.keys = make([]string, len(cols))
	for i, c := range cols {
		j.keys[i] = j.quote(c)
	}
	return nil
}

func (j *jsonWriter) Row(vals []any) error {
	switch {
	case j.lines:
	case j.n == 0:
		j.w.WriteString("[\n")
	default:
		j.w.WriteString(",\n")
	}
	j.n++
	j.w.WriteByte('{')
	for i, v := range vals {
		if i > 0 {
			j.w.WriteByte(',')
		}
		j.w.WriteString(j.keys[i])
		j.w.WriteByte(':')
		switch v := v.(type) {
		case nil:
			j.w.WriteString("null")
		case int64:
			j.w.WriteString(strconv.FormatInt(v, 10))
		case float64:
			j.w.WriteString(formatFloat(v, -1, "null", "null"))
		case bool:
			j.w.WriteString(strconv.FormatBool(v))
		default:
			j.w.WriteString(j.quote(textValue(v)))
		}
	}
	j.w.WriteByte('}')
	if j.lines {
		j.w.WriteByte('\n')
	}
	return nil
}

func (j *jsonWriter) Flush() error {
	switch {
	case j.lines:
	case j.n == 0:
		j.w.WriteString("[]\n")
	default:
		j.w.WriteString("\n]\n")
	}
	return j.w.Flush()
}

// quote returns s as a JSON string, <, > and & left as they are.
func (j *jsonWriter) quote(s string) string {
	j.buf.Reset()
	j.enc.Encode(s) // a string always encodes
	return strings.TrimSuffix(j.buf.String(), "\n")
}

// formatFloat formats f with prec significant digits (-1: the fewest that
// read back exactly), infinities as inf and negInf.
func formatFloat(f float64, prec int, inf, negInf string) string {
	switch {
	case math.IsInf(f, 1):
		return inf
	case math.IsInf(f, -1):
		return negInf
	}
	return strconv.FormatFloat(f, 'g', prec, 64)
}

// textValue formats a value the driver gives that is neither NULL nor a
// number: text, a blob (as text if it is UTF-8, else in SQL's hex
// notation), a time (columns declared DATE, DATETIME or TIMESTAMP) or a
// boolean.
func textValue(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case []byte:
		if utf8.Valid(v) {
			return string(v)
		}
		return fmt.Sprintf("X'%X'", v)
	case time.Time:
		return v.Format(time.RFC3339Nano)
	case bool:
		if v {
			return "1"
		}
		return "0"
	}
	return fmt.Sprint(v)
}
