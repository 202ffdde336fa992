package main

import (
	"context"
	"flag"
	"fmt"
	"text/tabwriter"

	"runner/internal/sweep"
)

var validateCommand = &command{
	name:    "validate",
	summary: "check experiment files and list the runs they expand to",
	usage: `usage: runner validate [flags] FILE...

Parses and checks experiment files, applies the --set overrides, and prints
the runs each expands to as a table (run number, key, and the hyperparameters
that vary), with their count. Trains nothing and touches no database. Exits 2
with every problem found (file:line: field: message) when a file is wrong.
`,
	flags: func(fs *flag.FlagSet) func(context.Context, *Main, []string) error {
		specs := specFlags(fs)
		quiet := fs.Bool("quiet", false, "print only the count of runs per file")
		return func(ctx context.Context, m *Main, files []string) error {
			if len(files) == 0 {
				return usageErrorf("validate: no experiment file given")
			}
			plans, err := specs.load(files)
			if err != nil {
				return err
			}
			for i, p := range plans {
				if i > 0 && !*quiet {
					fmt.Fprintln(m.Stdout)
				}
				if p.Spec.Search.Batched() {
					n, _ := p.Spec.Count()
					fmt.Fprintf(m.Stdout, "%s: sweep %q, %d runs\n", p.Spec.File, p.Spec.Name, n)
					if !*quiet {
						fmt.Fprintf(m.Stdout, "%s search: batches of %d proposed from the trials before them; the %d runs of the first:\n",
							p.Spec.Search.Method, p.Spec.Search.Batch, len(p.Configs))
					}
				} else {
					fmt.Fprintf(m.Stdout, "%s: sweep %q, %d runs\n", p.Spec.File, p.Spec.Name, len(p.Configs))
				}
				if *quiet {
					continue
				}
				varying := sweep.Varying(p.Configs)
				tw := tabwriter.NewWriter(m.Stdout, 0, 0, 2, ' ', 0)
				fmt.Fprint(tw, "run\tkey")
				for _, name := range varying {
					fmt.Fprintf(tw, "\t%s", name)
				}
				fmt.Fprintln(tw)
				for j, cfg := range p.Configs {
					fmt.Fprintf(tw, "%d\t%s", j+1, cfg.Key())
					for _, name := range varying {
						fmt.Fprintf(tw, "\t%s", sweep.Param(cfg, name))
					}
					fmt.Fprintln(tw)
				}
				if err := tw.Flush(); err != nil {
					return withCode(exitOutput, err)
				}
			}
			return nil
		}
	},
}
