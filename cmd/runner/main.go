// Command runner runs chapter-6 training experiments: YAML sweeps of
// optimizers, learning rates, schedules and regularisers over a multi-layer
// perceptron on MNIST, trained in parallel and logged to SQLite.
//
// Usage:
//
//	runner <command> [arguments]
//
// The commands are run, validate, query, export, schema, compare, plot,
// serve, merge, check, prune, help and version; `runner help <command>`
// describes each.
// Exit codes:
//
//	0    success: every run of the sweep finished done
//	1    some run failed or diverged (the sweep still went on)
//	2    bad usage or bad input: flags, experiment files (nothing is written)
//	3    the database cannot be used: not SQLite, a newer schema, a failed write
//	4    MNIST cannot be loaded: missing, corrupt, wrong digest
//	5    another runner is writing the database (run --wait waits instead)
//	130  interrupted by SIGINT; runs in flight are recorded as interrupted
//	143  terminated by SIGTERM; likewise
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// Exit codes; see the package comment.
const (
	exitOK          = 0
	exitRunsFailed  = 1
	exitUsage       = 2
	exitDatabase    = 3
	exitData        = 4
	exitLocked      = 5   // another runner is writing the database
	exitInterrupted = 130 // 128 + SIGINT
	exitTerminated  = 143 // 128 + SIGTERM
)

// exitError carries an error and the exit code it maps to.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// withCode wraps err so that main exits with code.
func withCode(code int, err error) error {
	if err == nil {
		return nil
	}
	return &exitError{code: code, err: err}
}

// usageErrorf is a bad-usage error: exit code 2.
func usageErrorf(format string, args ...any) error {
	return withCode(exitUsage, fmt.Errorf(format, args...))
}

// errSilent marks an error whose message has already been printed.
var errSilent = errors.New("")

// signalCause is the cancellation cause recorded when a signal arrives.
type signalCause struct{ sig os.Signal }

func (s signalCause) Error() string { return "stopped by signal: " + s.sig.String() }

func main() {
	ctx, cancel := context.WithCancelCause(context.Background())
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		sig := <-sigs
		cancel(signalCause{sig})
		signal.Stop(sigs) // a second signal kills the process the usual way
	}()
	m := &Main{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}
	err := m.Run(ctx, os.Args[1:])
	os.Exit(exitCode(ctx, err, m.Stderr))
}

// exitCode prints err (unless already printed) and maps it to an exit code.
func exitCode(ctx context.Context, err error, stderr io.Writer) int {
	var sc signalCause
	if errors.As(context.Cause(ctx), &sc) {
		if err != nil && !errors.Is(err, errSilent) && !errors.Is(err, context.Canceled) {
			fmt.Fprintln(stderr, "runner:", err)
		}
		if sc.sig == syscall.SIGTERM {
			return exitTerminated
		}
		return exitInterrupted
	}
	if err == nil {
		return exitOK
	}
	if !errors.Is(err, errSilent) {
		fmt.Fprintln(stderr, "runner:", err)
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	return exitRunsFailed
}

// Main holds the streams the commands read and write, so tests can run the
// command's own code path with buffers.
type Main struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
}

// Run dispatches to the command named by args[0].
func (m *Main) Run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(m.Stderr, usage)
		return withCode(exitUsage, errSilent)
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "run":
		return (&RunCommand{Main: m}).Run(ctx, rest)
	case "validate":
		return (&ValidateCommand{Main: m}).Run(ctx, rest)
	case "merge":
		return (&MergeCommand{Main: m}).Run(ctx, rest)
	case "check":
		return (&CheckCommand{Main: m}).Run(ctx, rest)
	case "prune":
		return (&PruneCommand{Main: m}).Run(ctx, rest)
	case "query":
		return (&QueryCommand{Main: m}).Run(ctx, rest)
	case "export":
		return (&ExportCommand{Main: m}).Run(ctx, rest)
	case "schema":
		return (&SchemaCommand{Main: m}).Run(ctx, rest)
	case "compare":
		return (&CompareCommand{Main: m}).Run(ctx, rest)
	case "serve":
		return (&ServeCommand{Main: m}).Run(ctx, rest)
	case "plot":
		return (&PlotCommand{Main: m}).Run(ctx, rest)
	case "version":
		return (&VersionCommand{Main: m}).Run(ctx, rest)
	case "help", "-h", "-help", "--help":
		return (&HelpCommand{Main: m}).Run(ctx, rest)
	}
	return usageErrorf("unknown command %q; run 'runner help' for the list", cmd)
}

const usage = `runner trains the training techniques of "Deep Learning from Scratch",
chapter 6, on MNIST: YAML sweeps of optimizers, learning rates, schedules and
regularisers, trained in parallel, every epoch logged to SQLite.

Usage:

	runner <command> [arguments]

Commands:

	run        train the runs of experiment files and record them in results.db
	validate   check experiment files and list the runs they expand to
	query      run one read-only SQL query; print a table, CSV or JSON
	export     a sweep's runs, epochs or groups as CSV or JSON Lines
	schema     print the database schema and its views
	compare    mean ± std over seeds of a sweep's configurations, or two sweeps side by side
	plot       learning curves of a sweep as PNG and SVG
	serve      a local dashboard over results.db, live while a sweep trains
	merge      merge shard files (or any results databases) into one
	check      compare the latest sweep of a name with the previous one, run by run
	prune      delete old sweeps, keeping the newest N of each name
	version    print the version
	help       describe a command: runner help <command>

Exit codes: 0 all runs done, 1 some run failed or diverged, 2 bad usage or
input, 3 database unusable, 4 MNIST unavailable, 5 another runner is writing
the database, 130/143 interrupted by SIGINT/SIGTERM.
`
