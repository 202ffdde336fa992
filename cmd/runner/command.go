package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"runner/internal/version"
)

// A command is one subcommand of runner. Its usage text and its flags are
// the help that `runner help NAME`, `runner NAME -h` and `--help` print.
type command struct {
	name    string
	summary string // one line, for the overview
	usage   string // "usage: runner NAME …" and what it does; the flags follow
	// flags registers the command's flags on fs and returns the function
	// that runs it with the positional arguments, the flags then parsed.
	flags func(fs *flag.FlagSet) func(ctx context.Context, m *Main, args []string) error
	// rewrite, if set, rearranges the arguments before the flags are
	// parsed (query: SQL comments that look like flags).
	rewrite func(args []string) []string
}

// commands is the command table: dispatch, help and the overview all read
// it. It is filled in by init, as help refers to it.
var commands []*command

func init() {
	commands = []*command{
		runCommand, lrFindCommand, validateCommand, queryCommand, exportCommand, schemaCommand,
		compareCommand, analyzeCommand, plotCommand, serveCommand, mergeCommand, checkCommand, pruneCommand,
		versionCommand, helpCommand,
	}
}

// lookup returns the command named name, or nil.
func lookup(name string) *command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	return nil
}

// Run dispatches to the command named by args[0].
func (m *Main) Run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		writeOverview(m.Stderr)
		return withCode(exitUsage, errSilent)
	}
	name, rest := args[0], args[1:]
	switch name {
	case "-h", "-help", "--help":
		name = "help"
	case "-version", "--version":
		name = "version"
	}
	c := lookup(name)
	if c == nil {
		return usageErrorf("unknown command %q; run 'runner help' for the list", name)
	}
	return c.run(ctx, m, rest)
}

// run parses the command's flags from args and runs it. -h and --help
// print the help to standard output and succeed.
func (c *command) run(ctx context.Context, m *Main, args []string) error {
	fs, run := c.flagSet(m.Stderr)
	if c.rewrite != nil {
		args = c.rewrite(args)
	}
	pos, err := parseInterspersed(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return c.writeHelp(m.Stdout)
	}
	if err != nil {
		fmt.Fprintf(m.Stderr, "run 'runner help %s' for its usage\n", c.name)
		return withCode(exitUsage, errSilent) // the flag package printed what was wrong
	}
	return run(ctx, m, pos)
}

// flagSet returns the command's flags, which report errors to errs.
func (c *command) flagSet(errs io.Writer) (*flag.FlagSet, func(context.Context, *Main, []string) error) {
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	fs.SetOutput(errs)
	fs.Usage = func() {} // -h is answered by run, parse errors by the flag package's message
	return fs, c.flags(fs)
}

// writeHelp prints the command's usage text and its flags.
func (c *command) writeHelp(w io.Writer) error {
	fs, _ := c.flagSet(io.Discard)
	fs.SetOutput(w)
	fmt.Fprint(w, c.usage)
	hasFlags := false
	fs.VisitAll(func(*flag.Flag) { hasFlags = true })
	if hasFlags {
		fmt.Fprint(w, "\nFlags:\n")
		fs.PrintDefaults()
	}
	return nil
}

// writeOverview prints what runner is and the list of commands.
func writeOverview(w io.Writer) {
	fmt.Fprint(w, `runner trains the training techniques of "Deep Learning from Scratch",
chapter 6, on MNIST: YAML sweeps of optimizers, learning rates, schedules and
regularisers, trained in parallel, every epoch logged to SQLite.

Usage:

	runner <command> [arguments]

Commands:

`)
	for _, c := range commands {
		fmt.Fprintf(w, "\t%-10s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `
Exit codes: 0 all runs done, 1 some run failed or diverged (check: a
regression), 2 bad usage or input, 3 database unusable, 4 MNIST unavailable,
5 another runner is writing the database, 6 the output cannot be written,
70 an internal error (a bug), 130/143 interrupted by SIGINT/SIGTERM.
`)
}

var helpCommand = &command{
	name:    "help",
	summary: "describe a command: runner help <command>",
	usage: `usage: runner help [command]

Without a command, lists the commands; with one, prints its usage and
flags, as runner <command> -h does.
`,
	flags: func(fs *flag.FlagSet) func(context.Context, *Main, []string) error {
		return func(ctx context.Context, m *Main, args []string) error {
			switch len(args) {
			case 0:
				writeOverview(m.Stdout)
				return nil
			case 1:
				if c := lookup(args[0]); c != nil {
					return c.writeHelp(m.Stdout)
				}
				return usageErrorf("unknown command %q; run 'runner help' for the list", args[0])
			}
			return usageErrorf("help: one command at a time (got %d)", len(args))
		}
	},
}

var versionCommand = &command{
	name:    "version",
	summary: "print the version",
	usage: `usage: runner version

Prints the version of runner and of Go it was built with (also runner
--version). Each sweep records the version that trained it.
`,
	flags: func(fs *flag.FlagSet) func(context.Context, *Main, []string) error {
		return func(ctx context.Context, m *Main, args []string) error {
			if len(args) > 0 {
				return usageErrorf("version takes no arguments")
			}
			fmt.Fprintln(m.Stdout, "runner", version.String())
			return nil
		}
	},
}

// parseInterspersed parses flags that may come before, between or after the
// positional arguments (runner run ch6.yaml -j 2), and returns the positionals.
// A "--" ends the flags: everything after it is positional.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		// flag.Parse consumes a terminating "--" itself: detect it by the
		// argument just before what it left.
		if len(rest) < len(args) && args[len(args)-len(rest)-1] == "--" {
			return append(pos, rest...), nil
		}
		if len(rest) == 0 {
			return pos, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// stringList is a repeatable string flag (--set a=1 --set b=2).
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, " ") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

// dbFlag registers the --db flag of a command, described by what.
func dbFlag(fs *flag.FlagSet, what string) *string {
	return fs.String("db", "results.db", what)
}
