package main

import (
	"context"
	"fmt"
	"runtime/debug"
)

// HelpCommand prints the list of commands or one command's usage.
type HelpCommand struct{ *Main }

// Run prints help for args[0], or the overview.
func (c *HelpCommand) Run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(c.Stdout, usage)
		return nil
	}
	switch args[0] {
	case "run":
		fmt.Fprint(c.Stdout, runUsage)
	case "validate":
		fmt.Fprint(c.Stdout, validateUsage)
	case "query":
		fmt.Fprint(c.Stdout, queryUsage)
	case "export":
		fmt.Fprint(c.Stdout, exportUsage)
	case "schema":
		fmt.Fprint(c.Stdout, schemaUsage)
	case "compare":
		fmt.Fprint(c.Stdout, compareUsage)
	case "plot":
		fmt.Fprint(c.Stdout, plotUsage)
	case "serve":
		fmt.Fprint(c.Stdout, serveUsage)
	case "merge":
		fmt.Fprint(c.Stdout, mergeUsage)
	case "check":
		fmt.Fprint(c.Stdout, checkUsage)
	case "prune":
		fmt.Fprint(c.Stdout, pruneUsage)
	case "version":
		fmt.Fprint(c.Stdout, "usage: runner version\n\nPrints the version of runner and of Go it was built with.\n")
	case "help":
		fmt.Fprint(c.Stdout, "usage: runner help [command]\n")
	default:
		return usageErrorf("unknown command %q; run 'runner help' for the list", args[0])
	}
	return nil
}

// VersionCommand prints the version.
type VersionCommand struct{ *Main }

// Run prints "runner VERSION (go VERSION)".
func (c *VersionCommand) Run(ctx context.Context, args []string) error {
	if len(args) > 0 {
		return usageErrorf("version takes no arguments")
	}
	fmt.Fprintln(c.Stdout, "runner", Version())
	return nil
}

// version is set at link time (-ldflags "-X main.version=v1.2.3"); otherwise
// Version derives one from the build's VCS information.
var version = ""

// Version returns the version of this binary: the link-time version, the
// module version, or the VCS revision (with "+dirty" for a modified tree),
// followed by the Go version.
func Version() string {
	v := version
	info, ok := debug.ReadBuildInfo()
	if v == "" && ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
		v = info.Main.Version
	}
	if v == "" && ok {
		var rev, dirty string
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				if s.Value == "true" {
					dirty = "+dirty"
				}
			}
		}
		if len(rev) > 12 {
			rev = rev[:12]
		}
		if rev != "" {
			v = "devel-" + rev + dirty
		}
	}
	if v == "" {
		v = "devel"
	}
	goVersion := "unknown"
	if ok {
		goVersion = info.GoVersion
	}
	return v + " (" + goVersion + ")"
}
