package report

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"

	"runner/internal/sweep"
	"runner/internal/train"
)

// ErrLRFindMix is wrapped by the errors of Compare, CompareLR and Check
// when one sweep records a learning-rate range test and the other training
// runs: the epochs of a range test are passes at growing rates, not
// training results, and a training run has no curve of loss against rate.
var ErrLRFindMix = errors.New("a range test and training runs cannot be compared")

// mixError is the error for comparing the range test lr with other, a
// sweep that records none.
func mixError(command string, lr, other *Sweep) error {
	return fmt.Errorf("%s: %s records a learning-rate range test, %s does not: %w; runner compare %d prints what the test found",
		command, lr, other, ErrLRFindMix, lr.ID)
}

// LRSummary is what a recorded range test found, read back from its sweep
// by train.AnalyzeLR, the rules runner lr-find applies as it runs: the
// facts runner lr-find prints when the test ends, and runner compare and
// runner check print of a test recorded before.
type LRSummary struct {
	Sweep  *Sweep
	Config train.Config // the run's
	// Status is the run's: done when the test reached its end rate,
	// diverged when the divergence rule stopped it (Curve.Reason), else
	// interrupted or failed.
	Status train.Status
	Curve  train.LRCurve
}

// SummarizeLR reads the range test s records (IsLRFind).
func SummarizeLR(s *Sweep) (*LRSummary, error) {
	if !IsLRFind(s) {
		return nil, fmt.Errorf("%s records no learning-rate range test", s)
	}
	r := s.Runs[0]
	return &LRSummary{Sweep: s, Config: r.Config, Status: r.Status, Curve: train.AnalyzeLR(r.Steps)}, nil
}

// Run describes the run the test trained: "adam, hidden 100-100, batch
// 128, seed 1 (key 9ba8d0f9f8da1745)".
func (s *LRSummary) Run() string {
	c := s.Config
	return fmt.Sprintf("%s, hidden %s, batch %d, seed %d (key %s)", c.Optimizer.Name, c.Model.HiddenString(), c.BatchSize, c.Seed, c.Key())
}

// Figure returns the test drawn.
func (s *LRSummary) Figure() *LRFindFigure {
	return &LRFindFigure{
		Title: fmt.Sprintf("%s: loss against the learning rate, %s", s.Sweep, s.Config.Optimizer.Name),
		Curve: s.Curve,
	}
}

// lrFactNames are the rows of a summary, in order.
var lrFactNames = []string{"steps", "rates", "ended", "loss at the start", "lowest smoothed loss", "steepest descent", "suggested lr"}

// lrFact is the value of one of lrFactNames, with what says more (why
// the test stopped, how the rate was suggested): in words, inline, for one
// test, a footnote, note, for two.
type lrFact struct {
	value, inline, note string
}

// facts returns the values of lrFactNames.
func (s *LRSummary) facts() []lrFact {
	c := s.Curve
	last := len(c.LR) - 1
	end := lrFact{value: "reached the end rate"}
	switch {
	case c.Stop >= 0:
		stop := fmt.Sprintf("stopped at step %d (lr %.3g)", c.Stop+1, c.LR[c.Stop])
		end = lrFact{stop, stop + ": " + c.Reason, "stopped: " + c.Reason}
	case s.Status != train.Done:
		end = lrFact{value: fmt.Sprintf("%s after step %d", s.Status, last+1)}
	}
	how := "a tenth of the rate of the lowest smoothed loss"
	if c.Clamped() {
		how = "the start rate: the loss was lowest within a decade of it; try a lower --start"
	}
	suggested := fmt.Sprintf("%.3g", c.Suggestion())
	return []lrFact{
		{value: fmt.Sprint(len(c.LR))},
		{value: fmt.Sprintf("%.3g to %.3g", c.LR[0], c.LR[last])},
		end,
		{value: fmt.Sprintf("%.4f", c.Loss[0])},
		{value: fmt.Sprintf("%.4f at lr %.3g", c.Smoothed[c.Min], c.MinRate())},
		{value: fmt.Sprintf("at lr %.3g", c.SteepestRate())},
		{suggested, suggested + " (" + how + ")", "suggested lr: " + how},
	}
}

// LRFact is one line of what a range test found, as runner compare
// prints it for one test: its name ("suggested lr"), its value
// ("0.00658") and the value with what says more of it (why the test
// stopped, how the rate was suggested), in words: Text, the line's
// second column.
type LRFact struct {
	Name, Value, Text string
}

// Facts returns the lines WriteText prints, in its order: the steps and
// their rates, how the test ended, the loss at the start, the lowest
// smoothed loss and its rate, the rate of the steepest descent and the
// suggested rate.
func (s *LRSummary) Facts() []LRFact {
	out := make([]LRFact, len(lrFactNames))
	for i, f := range s.facts() {
		text := f.value
		if f.note != "" { // as writeLRFacts prints one test
			text = f.inline
		}
		out[i] = LRFact{Name: lrFactNames[i], Value: f.value, Text: text}
	}
	return out
}

// WriteText prints the summary, one fact a line: the steps and their
// rates, how the test ended, the loss at the start, the lowest smoothed
// loss and its rate, the rate of the steepest descent and the suggested
// rate.
func (s *LRSummary) WriteText(w io.Writer) error {
	return writeLRFacts(w, nil, []*LRSummary{s}, nil)
}

// writeLRFacts prints the facts of tests side by side under heads (none
// for one test), the notes of two as footnotes, then lines.
func writeLRFacts(w io.Writer, heads []string, tests []*LRSummary, lines []string) error {
	var buf bytes.Buffer
	tw := tabwriter.NewWriter(&buf, 0, 0, 2, ' ', 0)
	var fn *footnotes
	if len(tests) > 1 {
		fn = &footnotes{}
		fmt.Fprintf(tw, "\t%s\n", strings.Join(heads, "\t"))
	}
	facts := make([][]lrFact, len(tests))
	for i, s := range tests {
		facts[i] = s.facts()
	}
	// The footnotes are numbered in reading order, row by row.
	for j, name := range lrFactNames {
		fmt.Fprint(tw, name)
		for i := range tests {
			f := facts[i][j]
			switch {
			case f.note == "":
				fmt.Fprintf(tw, "\t%s", f.value)
			case fn == nil:
				fmt.Fprintf(tw, "\t%s", f.inline)
			default:
				fmt.Fprintf(tw, "\t%s%s", f.value, fn.mark([]string{f.note}))
			}
		}
		fmt.Fprintln(tw)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if fn != nil {
		for i, note := range fn.notes {
			fmt.Fprintf(&buf, "%s  %s\n", superscript(i+1), note)
		}
	}
	for _, l := range lines {
		fmt.Fprintln(&buf, l)
	}
	// tabwriter pads the cells before an empty last one: trim the lines.
	out := strings.Split(buf.String(), "\n")
	for i, l := range out {
		out[i] = strings.TrimRight(l, " ")
	}
	_, err := io.WriteString(w, strings.Join(out, "\n"))
	return err
}

// lrHeading describes a range test's sweep and run: `sweep
// "optimizers-lrfind" (id 2, done): range test of adam, hidden 100-100,
// batch 128, seed 1 (key …)`.
func lrHeading(s *LRSummary) string {
	return fmt.Sprintf("sweep %q (id %d, %s): range test of %s", s.Sweep.Name, s.Sweep.ID, s.Sweep.Status, s.Run())
}

// lrDiffer names the hyperparameters in which the runs of two tests
// differ: "the tests differ in optimizer (adam vs sgd)", or "". Those a
// range test does not use, the run's rate, schedule and epochs, are left
// out.
func lrDiffer(a, b *LRSummary) string {
	used := func(c train.Config) train.Config {
		c.Optimizer.LR, c.Schedule, c.Epochs = 0, train.ScheduleConfig{}, 0
		return c
	}
	ca, cb := used(a.Config), used(b.Config)
	var parts []string
	for _, name := range sweep.Varying([]train.Config{ca, cb}) {
		parts = append(parts, fmt.Sprintf("%s (%s vs %s)", name, sweep.Param(ca, name), sweep.Param(cb, name)))
	}
	if len(parts) == 0 {
		return ""
	}
	return "the tests differ in " + strings.Join(parts, ", ")
}

// LRComparison is one range test, or two side by side: what runner
// compare prints for range tests, rather than a Table of final metrics.
type LRComparison struct {
	A, B *LRSummary // B is nil for one test
}

// CompareLR summarizes the range test a, and b beside it when b is not
// nil. It is an error when either records no range test: one that wraps
// ErrLRFindMix when the other does.
func CompareLR(a, b *Sweep) (*LRComparison, error) {
	sweeps := []*Sweep{a}
	if b != nil {
		sweeps = append(sweeps, b)
		if err := checkMix("compare", a, b); err != nil {
			return nil, err
		}
	}
	var sums []*LRSummary
	for _, s := range sweeps {
		sum, err := SummarizeLR(s)
		if err != nil {
			return nil, fmt.Errorf("compare: %w", err)
		}
		sums = append(sums, sum)
	}
	c := &LRComparison{A: sums[0]}
	if b != nil {
		c.B = sums[1]
	}
	return c, nil
}

// checkMix returns an error wrapping ErrLRFindMix when one of a and b
// records a range test and the other does not.
func checkMix(command string, a, b *Sweep) error {
	switch la, lb := IsLRFind(a), IsLRFind(b); {
	case la && !lb:
		return mixError(command, a, b)
	case lb && !la:
		return mixError(command, b, a)
	}
	return nil
}

// WriteText prints the comparison: a heading per test, then the facts of
// each (LRSummary.WriteText), side by side in columns A and B, and notes:
// whether the tests ran the same configuration, and how their suggestions
// compare.
func (c *LRComparison) WriteText(w io.Writer) error {
	var err error
	if c.B == nil {
		fmt.Fprintf(w, "%s\n\n", lrHeading(c.A))
		err = c.A.WriteText(w)
	} else {
		fmt.Fprintf(w, "A: %s\nB: %s\n\n", lrHeading(c.A), lrHeading(c.B))
		notes := []string{"suggested lr: " + lrChange(c.A, c.B)}
		if d := lrDiffer(c.A, c.B); d != "" {
			notes = append(notes, "note: "+d)
		}
		if c.A.Sweep.ID == c.B.Sweep.ID {
			notes = append(notes, "note: A and B are the same sweep")
		}
		err = writeLRFacts(w, []string{"A", "B"}, []*LRSummary{c.A, c.B}, append([]string{""}, notes...))
	}
	if err != nil {
		return fmt.Errorf("write range test: %w", err)
	}
	return nil
}

// lrChange says how the suggestion of b compares with a's: "0.00658 in
// both", "0.00658, then 0.0123 (×1.87)".
func lrChange(a, b *LRSummary) string {
	sa, sb := a.Curve.Suggestion(), b.Curve.Suggestion()
	if sa == sb {
		return fmt.Sprintf("%.3g in both", sa)
	}
	return fmt.Sprintf("%.3g, then %.3g (×%.3g)", sa, sb, sb/sa)
}

// LRCheck is Check of two range tests of a name: the facts of each and
// whether their steps agree. A range test ends in divergence as a rule and
// its suggestion is a reading of a noisy curve, so range tests are not
// checked for regressions: LRCheck makes no run worse.
type LRCheck struct {
	Baseline, Latest *LRSummary
	// Common is the number of steps both recorded; Differ is the first of
	// them (from 1) whose rate or loss is not bit for bit the same, 0
	// when none differs.
	Common, Differ int
}

// newLRCheck compares the range tests base and latest.
func newLRCheck(base, latest *LRSummary) *LRCheck {
	c := &LRCheck{Baseline: base, Latest: latest}
	b, l := base.Curve, latest.Curve
	c.Common = min(len(b.LR), len(l.LR))
	for i := range c.Common {
		if math.Float64bits(b.LR[i]) != math.Float64bits(l.LR[i]) || math.Float64bits(b.Loss[i]) != math.Float64bits(l.Loss[i]) {
			c.Differ = i + 1
			break
		}
	}
	return c
}

// writeText prints the check under its heading line.
func (c *LRCheck) writeText(w io.Writer, heading string) error {
	b, l := c.Baseline, c.Latest
	fmt.Fprintf(w, "%s\nbaseline: %s\nlatest:   %s\n\n", heading, lrHeading(b), lrHeading(l))
	var steps string
	switch nb, nl := len(b.Curve.LR), len(l.Curve.LR); {
	case c.Differ == 0 && nb == nl:
		steps = fmt.Sprintf("the %d steps of both have the same rates and losses, bit for bit", nb)
	case c.Differ == 0:
		steps = fmt.Sprintf("the first %d steps of both have the same rates and losses, bit for bit; the baseline took %d, the latest %d", c.Common, nb, nl)
	case b.Curve.LR[c.Differ-1] != l.Curve.LR[c.Differ-1]:
		steps = fmt.Sprintf("the rates differ from step %d: the tests ran other ranges", c.Differ)
	case lrDiffer(b, l) != "":
		steps = fmt.Sprintf("the losses differ from step %d (lr %.3g) on: the tests trained other runs", c.Differ, l.Curve.LR[c.Differ-1])
	default:
		steps = fmt.Sprintf("the losses differ from step %d (lr %.3g) on: the code, the data or the machine changed", c.Differ, l.Curve.LR[c.Differ-1])
	}
	lines := []string{"", steps, "suggested lr: " + lrChange(b, l)}
	if d := lrDiffer(b, l); d != "" {
		lines = append(lines, "note: "+d)
	}
	lines = append(lines, "range tests are not checked for regressions: the exit code is 0 whatever they found")
	return writeLRFacts(w, []string{"baseline", "latest"}, []*LRSummary{b, l}, lines)
}
