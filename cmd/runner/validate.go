package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"text/tabwriter"

	"runner/internal/sweep"
)

const validateUsage = `usage: runner validate [flags] FILE...

Parses and checks experiment files, applies the --set overrides, and prints
the runs each expands to as a table (run number, key, and the hyperparameters
that vary), with their count. Trains nothing and touches no database. Exits 2
with every problem found (file:line: field: message) when a file is wrong.

Flags:
`

// ValidateCommand checks experiment files and lists their runs.
type ValidateCommand struct{ *Main }

// Run validates the files named in args.
func (c *ValidateCommand) Run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("validate", flag.ContinueOnError)
	fs.SetOutput(c.Stderr)
	var sf specFlags
	sf.register(fs)
	quiet := fs.Bool("quiet", false, "print only the count of runs per file")
	fs.Usage = func() { fmt.Fprint(c.Stderr, validateUsage); fs.PrintDefaults() }
	files, err := parseInterspersed(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return withCode(exitUsage, errSilent)
	}
	if len(files) == 0 {
		return usageErrorf("validate: no experiment file given")
	}
	specs, err := loadSpecs(files, sf)
	if err != nil {
		return err
	}
	for i, e := range specs {
		if i > 0 && !*quiet {
			fmt.Fprintln(c.Stdout)
		}
		fmt.Fprintf(c.Stdout, "%s: sweep %q, %d runs\n", e.spec.File, e.spec.Name, len(e.configs))
		if *quiet {
			continue
		}
		varying := sweep.Varying(e.configs)
		tw := tabwriter.NewWriter(c.Stdout, 0, 0, 2, ' ', 0)
		fmt.Fprint(tw, "run\tkey")
		for _, name := range varying {
			fmt.Fprintf(tw, "\t%s", name)
		}
		fmt.Fprintln(tw)
		for j, cfg := range e.configs {
			fmt.Fprintf(tw, "%d\t%s", j+1, cfg.Key())
			for _, name := range varying {
				fmt.Fprintf(tw, "\t%s", sweep.Param(cfg, name))
			}
			fmt.Fprintln(tw)
		}
		tw.Flush()
	}
	return nil
}
