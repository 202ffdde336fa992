// Package console is what runner run shows while it trains: timestamped
// log lines, or on a terminal a live display of the runs in flight; a line
// per finished run; the table that ends each sweep; and the one summary
// line that ends the command, for cron mail. It follows a run through
// execute.Hooks.
package console

import (
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
	"golang.org/x/term"

	"runner/internal/execute"
	"runner/internal/report"
	"runner/internal/sweep"
	"runner/internal/train"
)

// nowFunc is the clock of log lines; tests replace it.
var nowFunc = time.Now

// Output is where runner run writes what it says: log lines with
// timestamps, or a live display when standard output is a terminal.
type Output struct {
	stdout, stderr io.Writer
	quiet          bool
	tty            bool
	log            io.Writer // every line, whatever quiet and tty say; nil if none
}

// New returns an Output that writes to stdout and stderr; quiet prints
// only errors and the summaries. The live display is used only when stdout
// is a terminal of known width (a pseudo-terminal without a size, as some
// job runners allocate, gets plain lines).
func New(stdout, stderr io.Writer, quiet bool) *Output {
	tty := false
	if f, ok := stdout.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		w, _, err := term.GetSize(int(f.Fd()))
		tty = err == nil && w > 0
	}
	return &Output{stdout: stdout, stderr: stderr, quiet: quiet, tty: tty}
}

// logf prints one timestamped line, unless quiet, and writes it to the log file.
func (o *Output) logf(format string, args ...any) {
	line := fmt.Sprintf("%s %s\n", nowFunc().UTC().Format(time.RFC3339), fmt.Sprintf(format, args...))
	if !o.quiet {
		io.WriteString(o.stdout, line)
	}
	o.toLog(line)
}

// toLog writes s to the log file, if there is one.
func (o *Output) toLog(s string) {
	if o.log != nil {
		io.WriteString(o.log, s)
	}
}

// summaryWriter is where a sweep's summary table goes: standard output
// (even when quiet) and the log file.
func (o *Output) summaryWriter() io.Writer {
	if o.log != nil {
		return io.MultiWriter(o.stdout, o.log)
	}
	return o.stdout
}

// SetLog makes o also append every log line and the summaries to w (a
// --log-file).
func (o *Output) SetLog(w io.Writer) { o.log = w }

// Hooks returns the hooks through which execute.Run reports to o: log
// lines, the display of each sweep, and its summary table.
func (o *Output) Hooks() execute.Hooks {
	var d *sweepDisplay
	return execute.Hooks{
		Log:          func(msg string) { o.logf("%s", msg) },
		SweepStarted: func(s execute.SweepStart) { d = o.startSweep(s) },
		Event:        func(ev execute.Event) { d.event(ev) },
		SweepFinished: func(s execute.SweepOutcome) {
			d.finish()
			if s.Err == nil {
				outcomeSweep(s).Summarize(s.Elapsed, s.DB).WriteText(o.summaryWriter())
			}
		},
	}
}

// outcomeSweep is the sweep as the reports see it: each run with its
// last epoch.
func outcomeSweep(s execute.SweepOutcome) *report.Sweep {
	rs := &report.Sweep{ID: s.ID, Name: s.Plan.Spec.Name, Status: s.Status, Runs: make([]report.Run, len(s.Results))}
	for i, r := range s.Results {
		rs.Runs[i] = report.Run{Config: s.Plan.Configs[i], Status: r.Status}
		if r.Epochs > 0 {
			rs.Runs[i].Epochs = []train.EpochMetrics{r.Final}
		}
	}
	return rs
}

// SummaryLine prints the one line that ends a run command, for cron mail:
// what the sweeps did, how long it took, and the error if any (nil, or an
// error whose message was printed already, for none).
func (o *Output) SummaryLine(t execute.Tally, elapsed time.Duration, err error) {
	var parts []string
	total := 0
	for _, st := range []train.Status{train.Done, train.Pruned, train.Diverged, train.Failed, train.Interrupted, train.Pending} {
		total += t.Runs[st]
		if n := t.Runs[st]; n > 0 || st == train.Done {
			parts = append(parts, fmt.Sprintf("%d %s", n, st))
		}
	}
	line := fmt.Sprintf("%s summary: %d sweep(s), %d runs: %s in %s", nowFunc().UTC().Format(time.RFC3339),
		t.Sweeps, total, strings.Join(parts, ", "), elapsed.Round(time.Second))
	if err != nil && err.Error() != "" {
		line += "; error: " + strings.ReplaceAll(err.Error(), "\n", "; ")
	}
	fmt.Fprintln(o.summaryWriter(), line)
}

// sweepDisplay follows one sweep's events. Its event method is called on
// the runner's writer goroutine only.
type sweepDisplay struct {
	out     *Output
	plan    execute.Plan
	varying []string
	total   int
	started map[int]time.Time
	last    map[int]train.EpochMetrics

	mu   sync.Mutex // guards done, which mpb's renderer reads
	done int

	// The live display, on a terminal only.
	progress *mpb.Progress
	overall  *mpb.Bar
	bars     map[int]*runBar
}

// runBar is the live line of a run in flight. The renderer reads its text
// on mpb's goroutine, so it is guarded.
type runBar struct {
	bar  *mpb.Bar
	mu   sync.Mutex
	text string
}

func (r *runBar) set(s string) { r.mu.Lock(); r.text = s; r.mu.Unlock() }
func (r *runBar) get() string  { r.mu.Lock(); defer r.mu.Unlock(); return r.text }

// startSweep begins the display of a sweep, of which s.Ended runs ended
// before (on resume).
func (o *Output) startSweep(s execute.SweepStart) *sweepDisplay {
	d := &sweepDisplay{
		out: o, plan: s.Plan, varying: sweep.Varying(proposed(s.Plan.Configs)), total: len(s.Plan.Configs), done: s.Ended,
		started: map[int]time.Time{}, last: map[int]train.EpochMetrics{}, bars: map[int]*runBar{},
	}
	spec := s.Plan.Spec
	if s.Resumed {
		o.logf("resuming sweep %q (id %d) from %s: %d of %d runs left, on %d workers", spec.Name, s.ID, spec.File,
			d.total-s.Ended, d.total, s.Workers)
	} else {
		o.logf("sweep %q (id %d) from %s: %d runs on %d workers", spec.Name, s.ID, spec.File, d.total, s.Workers)
	}
	if o.tty && !o.quiet {
		epochs := 0
		for _, c := range s.Plan.Configs {
			if c.Optimizer.Name == "" { // not proposed yet: at most
				c.Epochs = slices.Max(spec.Train.Epochs)
			}
			epochs += c.Epochs
		}
		d.progress = mpb.New(mpb.WithOutput(o.stdout), mpb.WithWidth(30), mpb.WithRefreshRate(250*time.Millisecond))
		// One unit more than the epochs: the bar completes, and mpb draws
		// it for the last time, only in finish, once every run has
		// finished and been counted, never at the last epoch (before its
		// run is counted: "runs 35/36").
		d.overall = d.progress.New(int64(epochs)+1, mpb.BarStyle(),
			mpb.BarPriority(math.MaxInt),
			mpb.PrependDecorators(
				decor.Any(func(decor.Statistics) string { return fmt.Sprintf("runs %d/%d", d.doneCount(), d.total) }, decor.WCSyncSpaceR),
				decor.CountersNoUnit("epochs %d/%d", decor.WCSyncSpaceR),
			),
			mpb.AppendDecorators(decor.Percentage(decor.WCSyncSpace), decor.Name(" ETA "), decor.AverageETA(decor.ET_STYLE_GO)),
		)
	}
	return d
}

// proposed are the configs of the runs of a search proposed so far: a
// tpe search's plan holds a zero config for each run of a later batch
// until the batch is proposed.
func proposed(configs []train.Config) []train.Config {
	return slices.DeleteFunc(slices.Clone(configs), func(c train.Config) bool { return c.Optimizer.Name == "" })
}

func (d *sweepDisplay) doneCount() int { d.mu.Lock(); defer d.mu.Unlock(); return d.done }

func (d *sweepDisplay) event(ev execute.Event) {
	cfg := d.plan.Configs[ev.Job]
	switch ev.Kind {
	case execute.RunStarted:
		d.started[ev.Job] = nowFunc()
		if d.progress != nil {
			rb := &runBar{text: "starting"}
			rb.bar = d.progress.New(int64(cfg.Epochs+1), mpb.BarStyle(), mpb.BarRemoveOnComplete(),
				mpb.PrependDecorators(decor.Name(sweep.Describe(cfg, d.varying), decor.WCSyncSpaceR)),
				mpb.AppendDecorators(decor.Any(func(decor.Statistics) string { return rb.get() })),
			)
			d.bars[ev.Job] = rb
		}
	case execute.EpochDone:
		d.last[ev.Job] = ev.Metrics
		if rb := d.bars[ev.Job]; rb != nil {
			m := ev.Metrics
			rb.set(fmt.Sprintf("%s of %d", epochText(m, cfg), cfg.Epochs))
			rb.bar.Increment()
			if m.Epoch > 0 {
				d.overall.Increment()
			}
		}
	case execute.RunFinished:
		d.mu.Lock()
		d.done++
		d.mu.Unlock()
		line := d.finishedLine(ev, cfg)
		d.out.toLog(line + "\n")
		if rb := d.bars[ev.Job]; rb != nil {
			rb.bar.Abort(true)
			delete(d.bars, ev.Job)
			if ev.Status == train.Interrupted {
				d.overall.SetTotal(d.overall.Current()+1, false)
			}
		}
		switch {
		case ev.Status == train.Failed:
			fmt.Fprintln(d.out.stderr, line)
		case d.progress != nil:
			fmt.Fprintln(d.progress, line)
		case !d.out.quiet:
			fmt.Fprintln(d.out.stdout, line)
		}
	}
}

// finishedLine is the log line of a finished run.
func (d *sweepDisplay) finishedLine(ev execute.Event, cfg train.Config) string {
	secs := nowFunc().Sub(d.started[ev.Job]).Seconds()
	s := fmt.Sprintf("%s [%*d/%d] %-11s %s", nowFunc().UTC().Format(time.RFC3339), len(fmt.Sprint(d.total)), d.doneCount(), d.total,
		ev.Status, sweep.Describe(cfg, d.varying))
	if m, ok := d.last[ev.Job]; ok && m.Epoch > 0 && ev.Status != train.Diverged {
		s += ": " + epochText(m, cfg)
	}
	s += fmt.Sprintf(" (%.1fs)", secs)
	if ev.Err != nil && ev.Status != train.Interrupted {
		s += fmt.Sprintf(": %v", ev.Err)
	}
	return s
}

// epochText describes an epoch's metrics: the step, value and distance to
// the minimum of a run on an objective function, else the test accuracy
// and training loss.
func epochText(m train.EpochMetrics, cfg train.Config) string {
	if cfg.Dataset.Name == train.FunctionDataset {
		return fmt.Sprintf("step %d value %.6g distance %.4g", m.Epoch, m.TrainLoss, m.Distance)
	}
	return fmt.Sprintf("epoch %d test_acc %.4f train_loss %.4f", m.Epoch, m.TestAcc, m.TrainLoss)
}

// finish stops the live display: it completes the overall bar, whose last
// frame shows the final counts, and waits until it is drawn.
func (d *sweepDisplay) finish() {
	if d.progress == nil {
		return
	}
	for _, rb := range d.bars {
		rb.bar.Abort(true)
	}
	d.overall.SetTotal(-1, true)
	d.progress.Wait()
}
