package main

import (
	"flag"
	"fmt"
	"strings"

	"runner/internal/sweep"
	"runner/internal/train"
)

// stringList is a repeatable string flag (--set a=1 --set b=2).
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, " ") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

// specFlags are the flags run and validate share.
type specFlags struct {
	sets    stringList
	maxRuns int
}

func (f *specFlags) register(fs *flag.FlagSet) {
	fs.Var(&f.sets, "set", "override a key of the experiment files: `path=value`, the value parsed as YAML (repeatable)")
	fs.IntVar(&f.maxRuns, "max-runs", sweep.DefaultMaxRuns, "refuse a file that expands to more than `N` runs")
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

// expanded is one experiment file, parsed and expanded to its runs.
type expanded struct {
	spec    *sweep.Spec
	configs []train.Config
}

// loadSpecs parses, validates and expands every file before anything is
// trained or written, so a mistake in the last file costs nothing.
func loadSpecs(files []string, f specFlags) ([]expanded, error) {
	if f.maxRuns < 1 {
		return nil, usageErrorf("-max-runs must be at least 1 (got %d)", f.maxRuns)
	}
	var out []expanded
	var problems []string
	for _, file := range files {
		spec, err := sweep.Load(file, f.sets)
		if err == nil {
			var configs []train.Config
			configs, err = spec.Expand(f.maxRuns)
			if err == nil {
				out = append(out, expanded{spec, configs})
				continue
			}
		}
		problems = append(problems, err.Error())
	}
	if len(problems) > 0 {
		return nil, withCode(exitUsage, fmt.Errorf("%s", strings.Join(problems, "\n")))
	}
	return out, nil
}

// describe names a run by the hyperparameters that vary across its sweep,
// e.g. "optimizer=adam lr=0.001 schedule=cosine seed=2".
func describe(c train.Config, varying []string) string {
	parts := make([]string, 0, len(varying))
	for _, name := range varying {
		if v := sweep.Param(c, name); v != "" {
			parts = append(parts, name+"="+v)
		}
	}
	if len(parts) == 0 {
		return "the only configuration"
	}
	return strings.Join(parts, " ")
}
