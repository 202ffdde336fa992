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
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git:", err)
	}
	files, err := exec.Command("git", "-C", "../..", "ls-files", "-z").Output()
	if err != nil {
		t.Skipf("not in a git checkout: %v", err)
	}
	src := t.TempDir()
	for _, name := range strings.Split(strings.TrimRight(string(files), "\x00"), "\x00") {
		b, err := os.ReadFile(filepath.Join("../..", name))
		if os.IsNotExist(err) {
			continue // deleted in the working tree
		} else if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(src, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
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
