// Command runner runs chapter-6 training experiments: YAML sweeps of
// optimizers, learning rates, schedules and regularisers over a multi-layer
// perceptron on MNIST, trained in parallel and logged to SQLite.
//
// Usage:
//
//	runner <command> [arguments]
//
// The commands are listed by `runner help`; `runner help <command>` (or
// `runner <command> -h`) describes each. Every command parses its flags,
// calls one function of an internal package and prints what it returns.
//
// Exit codes:
//
//	0    success: every run of the sweep finished done
//	1    some run failed or diverged (the sweep still went on), or check
//	     found a regression
//	2    bad usage or bad input: flags, experiment files, SQL (nothing is written)
//	3    the database cannot be used: missing, not SQLite, a newer schema, a failed write
//	4    MNIST cannot be loaded: missing, corrupt, wrong digest
//	5    another runner is writing the database (run --wait waits instead)
//	6    the output cannot be written (a file given with -o, standard output)
//	70   an internal error: a bug in runner, please report it
//	130  interrupted by SIGINT; runs in flight are recorded as interrupted
//	143  terminated by SIGTERM; likewise
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"syscall"

	"runner/internal/atomicfile"
	"runner/internal/execute"
	"runner/internal/store"
	"runner/internal/sweep"
)

// Exit codes; see the package comment.
const (
	exitOK          = 0
	exitRunsFailed  = 1
	exitUsage       = 2
	exitDatabase    = 3
	exitData        = 4
	exitLocked      = 5 // another runner is writing the database
	exitOutput      = 6
	exitInternal    = 70  // sysexits.h's EX_SOFTWARE
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

// withCode wraps err so that main exits with code; nil stays nil.
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
		if err != nil && !errors.Is(err, errSilent) && !errors.Is(err, context.Canceled) && !errors.As(err, &sc) {
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
	code := codeOf(err)
	if !errors.Is(err, errSilent) {
		if code == exitInternal {
			fmt.Fprintln(stderr, "runner: internal error (please report it):", err)
		} else {
			fmt.Fprintln(stderr, "runner:", err)
		}
	}
	return code
}

// codeOf maps an error to its exit code: the code a command gave it, else
// the kind the internal packages marked it with (a sentinel, an error
// type, SQLite's result code), else exitInternal. This is the one table
// of exit codes.
func codeOf(err error) int {
	var ee *exitError
	var list sweep.ErrorList
	var sink *store.SinkError
	var file *atomicfile.Error
	switch {
	case errors.As(err, &ee):
		return ee.code
	case errors.Is(err, store.ErrLocked):
		return exitLocked
	case errors.Is(err, execute.ErrData):
		return exitData
	case errors.Is(err, execute.ErrInput), errors.As(err, &list):
		return exitUsage
	case errors.As(err, &sink), errors.As(err, &file):
		return exitOutput
	case errors.Is(err, store.ErrNotFound):
		return exitUsage // a sweep named on the command line
	case errors.Is(err, execute.ErrDatabase), errors.Is(err, fs.ErrNotExist), isDatabaseError(err),
		store.Classify(err) == store.DatabaseError:
		return exitDatabase
	}
	// What is left is a bug: an error of runner's own SQL
	// (store.StatementError: query maps the user's statements itself), a
	// failed invariant.
	return exitInternal
}

// isDatabaseError reports whether err is one of the store's errors about
// the file itself.
func isDatabaseError(err error) bool {
	for _, target := range []error{store.ErrNotSQLite, store.ErrNotRunnerDB, store.ErrNewerSchema, store.ErrOlderSchema} {
		if errors.Is(err, target) {
			return true
		}
	}
	return false
}

// Main holds the streams the commands read and write, so tests can run the
// command's own code path with buffers.
type Main struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer

	// serveReady, if set, is called with the dashboard's URL once runner
	// serve listens (tests).
	serveReady func(url string)
}
