package report

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"

	"runner/internal/sweep"
)

// WriteText prints the table for a terminal: a heading, one aligned row per
// configuration, best first, then the notes as numbered footnotes. Each
// cell is the mean ± standard deviation over seeds, with n beside it; with
// two sweeps the last column is B − A, or "~" when its test does not find
// the difference significant, followed by (p=… n=…) and the footnote that
// names the test; n is the number of pairs of a paired test.
func (t *Table) WriteText(w io.Writer) error {
	var buf bytes.Buffer
	what := "final " + string(t.Metric)
	if t.Options.Best {
		what = "best " + string(t.Metric) + " over epochs"
	}
	if t.B == nil {
		fmt.Fprintf(&buf, "%s: %s, mean ± sd over seeds\n\n", heading(t.A), what)
	} else {
		fmt.Fprintf(&buf, "A: %s\nB: %s\n", heading(t.A), heading(t.B))
		fmt.Fprintf(&buf, "%s, mean ± sd over seeds; B − A is ~ unless its test (in a footnote) gives p < %g\n\n", what, t.Alpha)
	}

	var fn footnotes
	tw := tabwriter.NewWriter(&buf, 0, 0, 2, ' ', 0)
	fmt.Fprint(tw, " ")
	for _, c := range t.Columns {
		fmt.Fprintf(tw, "\t%s", c)
	}
	if t.B == nil {
		fmt.Fprintf(tw, "\t%s\tn\n", t.Metric)
	} else {
		fmt.Fprint(tw, "\tA\tn\tB\tn\tB − A\n")
	}
	for i, r := range t.Rows {
		mark := " "
		if i == t.BestRow {
			mark = "*"
		}
		fmt.Fprint(tw, mark)
		for _, p := range r.Params {
			fmt.Fprintf(tw, "\t%s", sweep.ShortNumber(p)) // the table shows 4 digits; Params keep the values whole
		}
		fmt.Fprintf(tw, "\t%s", t.cell(r.A, &fn))
		if t.B != nil {
			fmt.Fprintf(tw, "\t%s\t%s", t.cell(r.B, &fn), t.delta(r, &fn))
		}
		fmt.Fprintln(tw)
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write table: %w", err)
	}

	fmt.Fprintln(&buf)
	if t.BestRow >= 0 {
		how := "highest"
		if !t.Metric.HigherIsBetter() {
			how = "lowest"
		}
		fmt.Fprintf(&buf, "*  best")
		if t.B != nil {
			fmt.Fprint(&buf, " in B")
		}
		fmt.Fprintf(&buf, ": %s (%s mean %s", Label(t.Rows[t.BestRow].Config, t.Columns), how, t.Metric)
		switch {
		case t.B == nil || t.BestRowA < 0:
		case t.BestRowA == t.BestRow:
			fmt.Fprint(&buf, "; in A too")
		default:
			fmt.Fprintf(&buf, "; in A: %s", Label(t.Rows[t.BestRowA].Config, t.Columns))
		}
		fmt.Fprintln(&buf, ")")
	}
	for i, note := range fn.notes {
		fmt.Fprintf(&buf, "%s  %s\n", superscript(i+1), note)
	}
	for _, note := range t.Notes {
		fmt.Fprintf(&buf, "note: %s\n", note)
	}

	// tabwriter pads the cells before an empty last one: trim the lines.
	lines := strings.Split(buf.String(), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	if _, err := io.WriteString(w, strings.Join(lines, "\n")); err != nil {
		return fmt.Errorf("write table: %w", err)
	}
	return nil
}

// heading describes a sweep: `sweep "ch6" (id 3, done, 36 runs)`.
func heading(s *Sweep) string {
	return fmt.Sprintf("sweep %q (id %d, %s, %s)", s.Name, s.ID, s.Status, plural(len(s.Runs), "run"))
}

// cell formats a cell and its n: "0.9745 ± 0.0012\t3", with the markers of
// its notes after n; "—" for no value, and an empty cell for a
// configuration the sweep does not have.
func (t *Table) cell(c *Cell, fn *footnotes) string {
	if c == nil {
		return "\t"
	}
	v := "—"
	switch {
	case c.N == 1:
		v = formatValue(c.Mean)
	case c.N > 1:
		v = formatValue(c.Mean) + " ± " + formatValue(c.SD)
	}
	return v + "\t" + fmt.Sprint(c.N) + fn.mark(c.Notes)
}

// delta formats the B − A column of a row.
func (t *Table) delta(r Row, fn *footnotes) string {
	switch {
	case r.A == nil:
		return "only in B"
	case r.B == nil:
		return "only in A"
	case math.IsNaN(r.Delta):
		return "—" + fn.mark(r.Notes)
	}
	n := fmt.Sprint(r.A.N)
	if r.A.N != r.B.N {
		n = fmt.Sprintf("%d+%d", r.A.N, r.B.N)
	}
	if r.Test == nil {
		return fmt.Sprintf("~ (n=%s)", n) + fn.mark(r.Notes)
	}
	if r.Test.Pairs > 0 {
		n = fmt.Sprint(r.Test.Pairs)
	}
	p := fmt.Sprintf("p=%.3f", r.Test.P)
	if r.Test.P < 0.001 {
		p = "p<0.001"
	}
	d := "~"
	if r.Significant {
		d = fmt.Sprintf("%+.4f", r.Delta)
	}
	return fmt.Sprintf("%s (%s n=%s)", d, p, n) + fn.mark(append([]string{r.Test.String()}, r.Notes...))
}

// formatValue formats a metric: 4 decimals, which resolve one test image
// in 10,000.
func formatValue(x float64) string { return fmt.Sprintf("%.4f", x) }

// footnotes numbers distinct notes in the order they are first marked.
type footnotes struct {
	notes []string
	index map[string]int
}

// mark returns the markers of notes, " ¹²", numbering new ones.
func (f *footnotes) mark(notes []string) string {
	if len(notes) == 0 {
		return ""
	}
	if f.index == nil {
		f.index = map[string]int{}
	}
	var b strings.Builder
	b.WriteString(" ")
	for _, n := range notes {
		i, ok := f.index[n]
		if !ok {
			f.notes = append(f.notes, n)
			i = len(f.notes)
			f.index[n] = i
		}
		b.WriteString(superscript(i))
	}
	return b.String()
}

// superscript writes n in superscript digits.
func superscript(n int) string {
	const digits = "⁰¹²³⁴⁵⁶⁷⁸⁹"
	sup := []rune(digits)
	var b strings.Builder
	for _, d := range fmt.Sprint(n) {
		b.WriteRune(sup[d-'0'])
	}
	return b.String()
}
