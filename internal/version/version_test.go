package version_test

import (
	"runtime/debug"
	"testing"

	"runner/internal/version"
)

func TestFromBuildInfo(t *testing.T) {
	vcs := func(rev, modified string) []debug.BuildSetting {
		return []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: rev}, {Key: "vcs.modified", Value: modified}}
	}
	const rev = "dc8008763574a9332788c4cf993786f79cc1c293"
	for _, tt := range []struct {
		name   string
		linked string
		info   *debug.BuildInfo
		want   string
	}{
		{"linked", "v1.2.3", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v0.0.0-x"}}, "v1.2.3 (go1.26.8)"},
		{"go build in a checkout", "", &debug.BuildInfo{GoVersion: "go1.26.8",
			Main:     debug.Module{Path: "runner", Version: "v0.0.0-20261204163034-dc8008763574"},
			Settings: vcs(rev, "false")}, "v0.0.0-20261204163034-dc8008763574 (go1.26.8)"},
		{"go build of a changed tree", "", &debug.BuildInfo{GoVersion: "go1.26.8",
			Main:     debug.Module{Path: "runner", Version: "v0.0.0-20261204163034-dc8008763574+dirty"},
			Settings: vcs(rev, "true")}, "v0.0.0-20261204163034-dc8008763574+dirty (go1.26.8)"},
		{"revision without a module version", "", &debug.BuildInfo{GoVersion: "go1.26.8",
			Main: debug.Module{Path: "runner", Version: "(devel)"}, Settings: vcs(rev, "true")}, "devel-dc8008763574+dirty (go1.26.8)"},
		{"go install of a tag", "", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "runner", Version: "v1.4.0"}}, "v1.4.0 (go1.26.8)"},
		{"go run", "", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "runner", Version: "(devel)"}}, "devel (go1.26.8)"},
		{"no build information", "", nil, "devel (unknown)"},
	} {
		if got := version.FromBuildInfo(tt.linked, tt.info); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}
