package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"runner/internal/store/storetest"
)

// A binary built with go build in a git checkout knows its version, the
// pseudo-version of the commit, and records it in every sweep it runs. The
// test commits the module's files (as they are in the working tree) to a
// new repository, builds cmd/runner there as a user would on a fresh clone,
// and runs the binary.
func TestBuiltBinaryRecordsVersion(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command:", err)
	}
	src := copyCheckout(t)
	// A user's go build stamps the version control information
	// (-buildvcs=auto); the environment may have turned it off.
	env := append(os.Environ(), "GOFLAGS=-buildvcs=auto", "GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
	run := func(name string, args ...string) string {
		t.Helper()
		cmd := exec.Command(name, args...)
		cmd.Dir, cmd.Env = src, env
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s %v: %v\n%s", name, args, err, stderr.Bytes())
		}
		return strings.TrimSpace(string(out))
	}
	run("git", "init", "-q")
	run("git", "add", "-A")
	run("git", "-c", "commit.gpgsign=false", "commit", "-q", "-m", "build")
	rev := run("git", "rev-parse", "HEAD")
	bin := filepath.Join(t.TempDir(), "runner")
	run(goBin, "build", "-o", bin, "./cmd/runner")

	line := run(bin, "--version")
	want := regexp.MustCompile(`^runner (v0\.0\.0-\d{14}-` + rev[:12] + `) \(go1\.[0-9.]+\)$`)
	m := want.FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("runner --version: %q, want it to match %s", line, want)
	}
	if v := run(bin, "version"); v != line {
		t.Errorf("runner version: %q, runner --version: %q", v, line)
	}

	file := writeFile(t, t.TempDir(), "paths.yaml", pathSweep)
	db := filepath.Join(t.TempDir(), "results.db")
	run(bin, "run", "--quiet", "--db", db, file)
	raw, err := storetest.OpenReadOnly(db)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var recorded string
	if err := raw.QueryRow(`SELECT runner_version FROM sweeps`).Scan(&recorded); err != nil {
		t.Fatal(err)
	}
	if recorded != strings.TrimPrefix(line, "runner ") {
		t.Errorf("the sweep records runner_version %q; the binary says %q", recorded, line)
	}
}
