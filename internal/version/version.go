// Package version says which build of runner is running; each sweep
// records it.
package version

import "runtime/debug"

// version is set at link time (-ldflags "-X runner/internal/version.version=v1.2.3");
// otherwise String derives one from the build's information.
var version = ""

// String returns the version of this binary followed by the Go version,
// such as "v0.0.0-20261204163034-dc8008763574+dirty (go1.26.8)". See
// FromBuildInfo for where it comes from.
func String() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		info = nil
	}
	return FromBuildInfo(version, info)
}

// FromBuildInfo returns the version that String gives for a binary linked
// with -X version=linked (may be "") whose build information is info (nil
// when there is none). In order it takes:
//
//   - the link-time version;
//   - the main module's version: go build and go install in a git checkout
//     stamp a pseudo-version of the commit, "v0.0.0-TIME-REVISION", with
//     "+dirty" when the tree had changes, and go install of a tagged module
//     its tag;
//   - "devel-REVISION" (and "+dirty") from the vcs.revision and
//     vcs.modified settings, for a build that has them but no module version;
//   - "devel": go run does not stamp the version control information, nor
//     does a build with -buildvcs=false or outside a git checkout.
func FromBuildInfo(linked string, info *debug.BuildInfo) string {
	v := linked
	if v == "" && info != nil && info.Main.Version != "" && info.Main.Version != "(devel)" {
		v = info.Main.Version
	}
	if v == "" && info != nil {
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
	if info != nil && info.GoVersion != "" {
		goVersion = info.GoVersion
	}
	return v + " (" + goVersion + ")"
}
