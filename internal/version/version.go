// Package version says which build of runner is running; each sweep
// records it.
package version

import "runtime/debug"

// version is set at link time (-ldflags "-X runner/internal/version.version=v1.2.3");
// otherwise String derives one from the build's information.
var version = ""

// String returns the version of this binary: the link-time version, the
// module version, or the VCS revision (with "+dirty" for a modified tree),
// followed by the Go version: "devel-0123456789ab (go1.26.8)".
func String() string {
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
