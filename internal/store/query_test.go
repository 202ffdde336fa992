package store_test

import (
	"slices"
	"testing"

	"runner/internal/store"
)

func TestSplitStatements(t *testing.T) {
	for _, tt := range []struct {
		text string
		want []string
	}{
		{"", nil},
		{" ;\n; -- only a comment", nil},
		{"SELECT 1", []string{"SELECT 1"}},
		{"SELECT 1;", []string{"SELECT 1"}},
		{"SELECT 1; SELECT 2;", []string{"SELECT 1", "SELECT 2"}},
		{"SELECT ';' AS semi, \"a;b\", `c;d`, [e;f] FROM t", []string{"SELECT ';' AS semi, \"a;b\", `c;d`, [e;f] FROM t"}},
		{"SELECT 'it''s; here'", []string{"SELECT 'it''s; here'"}},
		{"-- a comment; with a semicolon\nSELECT 1 /* and ; another */", []string{"-- a comment; with a semicolon\nSELECT 1 /* and ; another */"}},
		{"SELECT 1; /* trailing */ -- comments", []string{"SELECT 1"}},
		{"SELECT 'unterminated; string", []string{"SELECT 'unterminated; string"}},
	} {
		if got := store.SplitStatements(tt.text); !slices.Equal(got, tt.want) {
			t.Errorf("SplitStatements(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}
