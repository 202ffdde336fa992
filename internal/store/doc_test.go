package store_test

import (
	"bufio"
	"context"
	"math"
	"os"
	"strings"
	"testing"

	"runner/internal/train"
)

// The SQL examples in the package comment run against a real database.
func TestDoc_SQLExamples(t *testing.T) {
	queries := docQueries(t, "doc.go")
	if len(queries) < 3 {
		t.Fatalf("found %d SQL examples in doc.go, want at least 3", len(queries))
	}
	ctx := context.Background()
	db := MustOpen(t)
	sweepID, runIDs := MustCreateSweep(t, db, "doc", baseConfig(), withSeed(baseConfig(), 2))
	for i, id := range runIDs {
		if err := db.StartRun(ctx, id); err != nil {
			t.Fatal(err)
		}
		for e := 0; e <= 5; e++ {
			loss := 1 / float64(e+1)
			if i == 1 && e == 5 {
				loss = math.Inf(1)
			}
			if err := db.AddEpoch(ctx, id, train.EpochMetrics{Epoch: e, TrainLoss: loss, TestAcc: 0.9}); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.FinishRun(ctx, id, train.Done, ""); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.FinishSweep(ctx, sweepID, "done"); err != nil {
		t.Fatal(err)
	}

	for _, q := range queries {
		rows, err := db.SQLDB().QueryContext(ctx, q)
		if err != nil {
			t.Errorf("%s: %v", q, err)
			continue
		}
		n := 0
		for rows.Next() {
			n++
		}
		if err := rows.Err(); err != nil {
			t.Errorf("%s: %v", q, err)
		}
		rows.Close()
		if n == 0 {
			t.Errorf("%s: no rows", q)
		}
	}
}

// docQueries returns the indented SELECT statements in a Go file's comments,
// each up to its semicolon.
func docQueries(tb testing.TB, path string) []string {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var queries []string
	var cur []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line, ok := strings.CutPrefix(sc.Text(), "//\t")
		if !ok {
			cur = nil
			continue
		}
		if cur == nil && !strings.HasPrefix(line, "SELECT") {
			continue
		}
		cur = append(cur, strings.TrimSpace(line))
		if strings.HasSuffix(line, ";") {
			queries = append(queries, strings.Join(cur, " "))
			cur = nil
		}
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return queries
}
