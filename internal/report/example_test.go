package report_test

import (
	"bytes"
	"go/parser"
	"go/token"
	"os"
	"strings"
	"testing"

	"runner/internal/report"
	"runner/internal/train"
)

// exampleSweeps are the sweeps of the package documentation's example:
// sweep 5 repeats sweep 4 (seeds 1–6) after a change that helped Adam
// only.
func exampleSweeps() (a, b *report.Sweep) {
	a = &report.Sweep{ID: 4, Name: "ch6", Status: "done"}
	a.Runs = append(a.Runs, runs("sgd", 0.01, 0.9399, 0.9412, 0.9385, 0.9404, 0.9391, 0.9408)...)
	a.Runs = append(a.Runs, runs("adam", 0.001, 0.9745, 0.9731, 0.9752, 0.9740, 0.9748, 0.9737)...)
	b = &report.Sweep{ID: 5, Name: "ch6", Status: "done"}
	b.Runs = append(b.Runs, runs("sgd", 0.01, 0.9402, 0.9391, 0.9420, 0.9398, 0.9405, 0.9410)...)
	b.Runs = append(b.Runs, runs("adam", 0.001, 0.9790, 0.9784, 0.9801, 0.9779, 0.9795, 0.9788)...)
	b.Runs = append(b.Runs, run(config("momentum", 0.01, 1), train.Done, 0.9689),
		run(config("momentum", 0.01, 2), train.Diverged, 0))
	return a, b
}

func ExampleCompare() {
	a, b := exampleSweeps()
	table, err := report.Compare(a, b, report.Options{Metric: report.TestAcc})
	if err != nil {
		panic(err)
	}
	table.WriteText(os.Stdout)
	// Output:
	// A: sweep "ch6" (id 4, done, 12 runs)
	// B: sweep "ch6" (id 5, done, 14 runs)
	// final test_acc, mean ± sd over seeds; B − A is ~ unless its test (in a footnote) gives p < 0.05
	//
	//    optimizer  lr     A                n  B                n     B − A
	// *  adam       0.001  0.9742 ± 0.0008  6  0.9789 ± 0.0008  6     +0.0047 (p=0.031 n=6) ¹
	//    momentum   0.01                       0.9689           1 ²³  only in B
	//    sgd        0.01   0.9400 ± 0.0010  6  0.9404 ± 0.0010  6     ~ (p=0.688 n=6) ¹
	//
	// *  best in B: adam lr=0.001 (highest mean test_acc; in A too)
	// ¹  Wilcoxon signed-rank test (exact), runs paired by seed
	// ²  1 run not done, left out: 1 diverged
	// ³  n = 1: no spread (run more seeds: train.seeds)
	// note: 1 configuration only in B: not compared
}

// TestDocExample checks that the example table in the package
// documentation is what Compare prints for the example's sweeps.
func TestDocExample(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "doc.go", nil, parser.ParseComments|parser.PackageClauseOnly)
	if err != nil {
		t.Fatal(err)
	}
	doc := f.Doc.Text()
	start := strings.Index(doc, "\tA: sweep")
	end := strings.Index(doc, "\tnote: 1 configuration only in B: not compared\n")
	if start < 0 || end < 0 {
		t.Fatalf("doc.go has no example table:\n%s", doc)
	}
	var want strings.Builder
	for _, line := range strings.SplitAfter(doc[start:end], "\n") {
		want.WriteString(strings.TrimPrefix(line, "\t"))
	}
	want.WriteString("note: 1 configuration only in B: not compared\n")

	a, b := exampleSweeps()
	table, err := report.Compare(a, b, report.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	table.WriteText(&got)
	if got.String() != want.String() {
		t.Errorf("doc.go's example differs from the output:\n--- doc.go\n%s--- output\n%s", want.String(), got.String())
	}
}
