package rowfmt_test

import (
	"math"
	"strings"
	"testing"
	"time"

	"runner/internal/rowfmt"
)

// TestFormats writes the same rows in every format: NULL, integers,
// floats that need all their digits, infinities, text with a newline and a
// quote, a blob that is not UTF-8, a time.
func TestFormats(t *testing.T) {
	cols := []string{"id", "lr", "loss", "name", "blob", "at"}
	at := time.Date(2026, 12, 2, 15, 4, 5, 0, time.UTC)
	rows := [][]any{
		{int64(1), 0.1, math.Inf(1), "sgd", []byte{0xff, 0x00}, at},
		{int64(22), 1.0 / 3, nil, "a \"b\"\nc", []byte("text"), nil},
	}
	for _, tt := range []struct {
		format string
		want   string
	}{
		{"table", "" +
			"id                 lr  loss  name      blob     at\n" +
			" 1                0.1   Inf  sgd       X'FF00'  2026-12-02T15:04:05Z\n" +
			"22  0.333333333333333  NULL  a \"b\"\\nc  text     NULL\n"},
		{"csv", "id,lr,loss,name,blob,at\n" +
			"1,0.1,inf,sgd,X'FF00',2026-12-02T15:04:05Z\n" +
			"22,0.3333333333333333,,\"a \"\"b\"\"\nc\",text,\n"},
		{"json", "[\n" +
			`{"id":1,"lr":0.1,"loss":null,"name":"sgd","blob":"X'FF00'","at":"2026-12-02T15:04:05Z"}` + ",\n" +
			`{"id":22,"lr":0.3333333333333333,"loss":null,"name":"a \"b\"\nc","blob":"text","at":null}` + "\n]\n"},
		{"jsonl", `{"id":1,"lr":0.1,"loss":null,"name":"sgd","blob":"X'FF00'","at":"2026-12-02T15:04:05Z"}` + "\n" +
			`{"id":22,"lr":0.3333333333333333,"loss":null,"name":"a \"b\"\nc","blob":"text","at":null}` + "\n"},
	} {
		t.Run(tt.format, func(t *testing.T) {
			var sb strings.Builder
			w, err := rowfmt.New(tt.format, &sb)
			if err != nil {
				t.Fatal(err)
			}
			if err := w.Header(cols); err != nil {
				t.Fatal(err)
			}
			for _, r := range rows {
				if err := w.Row(r); err != nil {
					t.Fatal(err)
				}
			}
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
			if sb.String() != tt.want {
				t.Errorf("got\n%s\nwant\n%s", sb.String(), tt.want)
			}
		})
	}
}

// TestEmpty checks the output of a query without rows: a header, or an
// empty JSON array.
func TestEmpty(t *testing.T) {
	for format, want := range map[string]string{"table": "a  b\n", "csv": "a,b\n", "json": "[]\n", "jsonl": ""} {
		var sb strings.Builder
		w, err := rowfmt.New(format, &sb)
		if err != nil {
			t.Fatal(err)
		}
		w.Header([]string{"a", "b"})
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		if sb.String() != want {
			t.Errorf("%s: %q, want %q", format, sb.String(), want)
		}
	}
	if _, err := rowfmt.New("xml", nil); err == nil || !strings.Contains(err.Error(), "table, csv, json, jsonl") {
		t.Errorf("an unknown format: %v, want an error listing the formats", err)
	}
}
