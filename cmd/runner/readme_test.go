package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"runner/internal/store"
)

// The README's code, and the commands in the headers of the experiment
// files, as TestReadmeCommands finds and runs them.
//
// Blocks are fenced (```lang) or indented by four spaces. An indented or
// unlabelled block is a command block when its first line starts with a
// program (readmePrograms, possibly after VAR=value words), a cron schedule,
// or "$ " (a transcript: the "$ " lines are the commands, the rest their
// output); a block whose lines carry placeholders (FILE..., [flags], NAME)
// is a synopsis, whose lines must each name a runner command; anything else
// (digests, error messages) is output, not run. (A synopsis is told by its
// first line.) A command runs on until its quotes close (a quoted SQL
// statement or Python program spans lines).
// Fenced blocks: sql is run through runner query, yaml is validated with
// runner validate (a fragment with a name added; a Kubernetes manifest, with
// apiVersion, is not), bash is a Slurm batch script and dockerfile a
// container build, neither of which can run here; any other language fails
// the test, so that a new kind of block gets a rule. The header of an
// experiment file (its leading comment) holds blocks too: its lines
// indented by three spaces after the "#", taken as an indented block.
//
// How the commands run: in README order, in a copy of the checkout (its
// tracked files, no results.db: a fresh database), each with bash -e -o
// pipefail, with the copy first on PATH so that `runner` is the ./runner
// that the Quick start's go build made from this tree. First every command
// that builds or trains (go build, runner run), then the rest, so that an
// example may read a sweep a later section trains; then the SQL blocks, each
// of which must return a row. curl gets --fail-with-body (a 404 fails the
// command) and localhost:8080 is the runner serve the test starts on a free
// port over the same database. Every command must exit 0, and one that
// queries (sqlite3, runner query, curl) must print something.
//
// What is changed or not run, and why (each checked):
//   - readmeReduce: the overrides that make a full-size training run of a
//     file small enough for the default suite (inserted right after
//     "runner run", so the command's own --set still win). A file's entry
//     must be used by some command.
//   - A cron line runs its command, without the schedule and the cd.
//   - Commands of sbatch, kubectl and docker need a cluster: not run.
//     readmeSkip lists the other commands that need one, each of which must
//     appear in the README.
//   - A command that .ci/run runs verbatim (go test ./..., the end-to-end
//     script) is left to CI. Any other go test command (a benchmark, a
//     fuzz target, the full-data test) is checked with go test -list: its
//     patterns must name tests, benchmarks or fuzz targets of its packages.
//   - A python3 command that imports pandas is skipped when pandas is not
//     installed, and says so in the test log.

// readmePrograms are the programs a command block may start with.
var readmePrograms = []string{"runner", "./runner", "go", "sqlite3", "python3", "curl", "jq", "mkdir", "cp",
	"sbatch", "kubectl", "docker", "bash", "scripts/e2e.sh", "scripts/bench-vs-reference.sh", "scripts/search-table.sh"}

// readmeReduce maps an experiment file to the overrides that make its
// runs small enough for the default suite.
var readmeReduce = map[string][]string{
	"experiments/ch6.yaml":               {"train.epochs=1", "dataset.train_limit=300"},
	"experiments/batchnorm.yaml":         {"train.epochs=2", "dataset.train_limit=200"},
	"experiments/ch6-hyperparams.yaml":   {"search.trials=8", "train.epochs=3"},
	"experiments/overfit.yaml":           {"train.epochs=4"},
	"experiments/dropout.yaml":           {"train.epochs=4"},
	"experiments/init.yaml":              {"train.epochs=1", "dataset.train_limit=300", "train.seeds=[1]"},
	"experiments/optimizers.yaml":        {"train.epochs=1", "dataset.train_limit=300", "train.seeds=[1]"},
	"experiments/optimizers-modern.yaml": {"train.epochs=1", "dataset.train_limit=300", "train.seeds=[1]"},
	"experiments/radam.yaml":             {"train.epochs=4", "dataset.train_limit=300", "train.seeds=[1]"},
}

// readmeSkip maps commands that need a cluster, beyond those of sbatch,
// kubectl and docker, to why they are not run.
var readmeSkip = map[string]string{
	"runner merge --into results.db shards/ch6-81234-*.db":                                                                      "merges the shard files of a Slurm array (job 81234)",
	"scripts/search-table.sh experiments/search-rosenbrock.yaml experiments/search-beale.yaml":                                  "2 × 3 × 10 searches of 100 trials: a quarter of an hour",
	"scripts/search-table.sh -j 2 -db search.db experiments/ch6-hyperparams.yaml":                                               "3 × 10 searches of 100 trials on MNIST: over an hour",
	"scripts/bench-vs-reference.sh 3 sgd momentum nesterov adagrad rmsprop adam adamw amsgrad nadam radam lion sf_sgd sf_adamw": "a benchmark: half an hour of timed epochs, run by hand on a quiet machine",
}

// readmeBlock is a code block of README.md.
type readmeBlock struct {
	file   string // README.md, or an experiment file for its header
	line   int    // of its first line of code, from 1
	lang   string // the fence's language; "" for an indented or unlabelled block
	fenced bool
	text   string // without the fence or the indentation
}

// fenceLine matches the opening or closing line of a fenced block.
var fenceLine = regexp.MustCompile("^(\\s*)```\\s*([A-Za-z0-9_-]*)\\s*$")

// readmeBlocks returns the code blocks of a Markdown text, as of README.md.
func readmeBlocks(text string) []readmeBlock {
	blocks := markdownBlocks(text)
	for i := range blocks {
		blocks[i].file = "README.md"
	}
	return blocks
}

// headerBlocks returns the blocks of commands in the header of an
// experiment file: its leading comment lines indented by three spaces
// after the "#", each run of them a block.
func headerBlocks(file, text string) []readmeBlock {
	var blocks []readmeBlock
	var cur *readmeBlock
	for i, l := range strings.Split(text, "\n") {
		if !strings.HasPrefix(l, "#") {
			break
		}
		body, ok := strings.CutPrefix(l, "#   ")
		switch {
		case ok && cur != nil:
			cur.text += "\n" + body
		case ok:
			blocks = append(blocks, readmeBlock{file: file, line: i + 1, text: body})
			cur = &blocks[len(blocks)-1]
		default:
			cur = nil
		}
	}
	return blocks
}

// markdownBlocks returns the code blocks of a Markdown text.
func markdownBlocks(text string) []readmeBlock {
	lines := strings.Split(text, "\n")
	var blocks []readmeBlock
	for i := 0; i < len(lines); i++ {
		if m := fenceLine.FindStringSubmatch(lines[i]); m != nil {
			b := readmeBlock{line: i + 2, lang: m[2], fenced: true}
			var body []string
			for i++; i < len(lines) && !fenceLine.MatchString(lines[i]); i++ {
				body = append(body, strings.TrimPrefix(lines[i], m[1]))
			}
			b.text = strings.Join(body, "\n")
			blocks = append(blocks, b)
			continue
		}
		if !strings.HasPrefix(lines[i], "    ") || (i > 0 && strings.TrimSpace(lines[i-1]) != "") {
			continue
		}
		indent := len(lines[i]) - len(strings.TrimLeft(lines[i], " "))
		b := readmeBlock{line: i + 1}
		var body []string
		for ; i < len(lines); i++ {
			l := lines[i]
			if strings.TrimSpace(l) == "" {
				if i+1 < len(lines) && strings.HasPrefix(lines[i+1], strings.Repeat(" ", indent)) {
					body = append(body, "")
					continue
				}
				break
			}
			if !strings.HasPrefix(l, strings.Repeat(" ", indent)) {
				break
			}
			body = append(body, l[indent:])
		}
		b.text = strings.Join(body, "\n")
		blocks = append(blocks, b)
	}
	return blocks
}

// readmeCommand is one shell command of a README block.
type readmeCommand struct {
	file string
	line int
	text string
}

// cronLine matches the schedule and cd of a crontab line.
var cronLine = regexp.MustCompile(`^[0-9*,/-]+ [0-9*,/-]+ [0-9*,/-]+ [0-9*,/-]+ [0-9*,/-]+ (cd \S+ && )?`)

// envWord matches a VAR=value word before a program.
var envWord = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*=\S*$`)

// placeholder matches a synopsis's placeholder word: FILE..., NAME, [flags].
var placeholder = regexp.MustCompile(`^(\[.*|[A-Z][A-Z0-9/_]*(\.\.\.)?\]?)$`)

// shellWords splits a command into words the way the shell quotes them
// (without expanding anything), and reports whether its quotes are closed.
func shellWords(s string) (words []string, closed bool) {
	var w strings.Builder
	inWord := false
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote == '\'':
			if c == '\'' {
				quote = 0
			} else {
				w.WriteByte(c)
			}
		case quote == '"':
			if c == '\\' && i+1 < len(s) {
				i++
				w.WriteByte(s[i])
			} else if c == '"' {
				quote = 0
			} else {
				w.WriteByte(c)
			}
		case c == '\'' || c == '"':
			quote, inWord = c, true
		case c == '\\' && i+1 < len(s):
			i++
			if s[i] != '\n' {
				w.WriteByte(s[i])
				inWord = true
			}
		case c == ' ' || c == '\t' || c == '\n':
			if inWord {
				words = append(words, w.String())
				w.Reset()
				inWord = false
			}
		case c == '#' && !inWord:
			for i < len(s) && s[i] != '\n' {
				i++
			}
			i--
		default:
			w.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, w.String())
	}
	return words, quote == 0 && !strings.HasSuffix(s, "\\")
}

// program returns a command's program: its first word after any VAR=value.
func program(words []string) string {
	for _, w := range words {
		if !envWord.MatchString(w) {
			return w
		}
	}
	return ""
}

// blockKind says what a block not fenced with a language is: "commands",
// "synopsis" or "output".
func blockKind(b readmeBlock) string {
	first, _, _ := strings.Cut(b.text, "\n")
	first = strings.TrimPrefix(first, "$ ")
	words, _ := shellWords(first)
	if !cronLine.MatchString(first) && !slices.Contains(readmePrograms, program(words)) {
		return "output"
	}
	if slices.ContainsFunc(words, placeholder.MatchString) {
		return "synopsis"
	}
	return "commands"
}

// commandsOf splits a command block into its commands.
func commandsOf(b readmeBlock) []readmeCommand {
	lines := strings.Split(b.text, "\n")
	transcript := strings.HasPrefix(lines[0], "$ ")
	var cmds []readmeCommand
	open := false
	for i, l := range lines {
		switch {
		case open:
			cmds[len(cmds)-1].text += "\n" + l
		case transcript && !strings.HasPrefix(l, "$ "):
			continue // output
		case strings.TrimSpace(l) == "":
			continue
		default:
			cmds = append(cmds, readmeCommand{file: b.file, line: b.line + i, text: strings.TrimPrefix(l, "$ ")})
		}
		_, closed := shellWords(cmds[len(cmds)-1].text)
		open = !closed
	}
	return cmds
}

// TestReadmeBlocks checks the parsing on a README-like text.
func TestReadmeBlocks(t *testing.T) {
	text := "Intro:\n\n    runner run a.yaml   # train\n    sqlite3 r.db \"SELECT 1\n                  FROM t\"\n\n" +
		"- a list item\n\n      a.yaml:3: error\n\n```sql\nSELECT 2;\n```\n\n    $ runner compare x\n    out put\n\nSynopsis:\n\n" +
		"    runner run [flags] FILE...   train\n    runner version               version\n"
	blocks := readmeBlocks(text)
	var got []string
	for _, b := range blocks {
		kind := b.lang
		if kind == "" {
			kind = blockKind(b)
		}
		desc := fmt.Sprintf("%d %s", b.line, kind)
		if kind == "commands" {
			for _, c := range commandsOf(b) {
				desc += fmt.Sprintf(" [%d %q]", c.line, c.text)
			}
		}
		got = append(got, desc)
	}
	want := []string{
		`3 commands [3 "runner run a.yaml   # train"] [4 "sqlite3 r.db \"SELECT 1\n              FROM t\""]`,
		"9 output",
		"12 sql",
		`15 commands [15 "runner compare x"]`,
		"20 synopsis",
	}
	if !slices.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	header := "# What it shows.\n#\n#   runner run x.yaml\n#   runner query \"SELECT 1\n#                 FROM t\"\n#\n#   look-ahead prose\nname: x\n#   runner run not-header.yaml\n"
	var hs []string
	for _, b := range headerBlocks("x.yaml", header) {
		hs = append(hs, fmt.Sprintf("%s:%d %s %d", b.file, b.line, blockKind(b), len(commandsOf(b))))
	}
	if want := []string{"x.yaml:3 commands 2", "x.yaml:7 output 1"}; !slices.Equal(hs, want) {
		t.Errorf("header blocks %q, want %q", hs, want)
	}
	if w, closed := shellWords(`a "b c" 'd # e' # f`); !slices.Equal(w, []string{"a", "b c", "d # e"}) || !closed {
		t.Errorf("shellWords: %q %v", w, closed)
	}
}

// copyCheckout copies the module's tracked files, as they are in the
// working tree, to a new folder and returns it; it skips the test outside
// a git checkout.
func copyCheckout(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git:", err)
	}
	files, err := exec.Command("git", "-C", "../..", "ls-files", "-z").Output()
	if err != nil {
		t.Skipf("not in a git checkout: %v", err)
	}
	dir := t.TempDir()
	for _, name := range strings.Split(strings.TrimRight(string(files), "\x00"), "\x00") {
		b, err := os.ReadFile(filepath.Join("../..", name))
		if os.IsNotExist(err) {
			continue // deleted in the working tree
		} else if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// runnerRun matches runner run at the start of a command or after && or ;.
var runnerRun = regexp.MustCompile(`(^|&& |; )(\./)?runner run `)

// TestReadmeCommands runs every command and SQL block of README.md, then
// the commands in the headers of experiments/*.yaml (see the comment at the
// top of this file for how).
func TestReadmeCommands(t *testing.T) {
	if testing.Short() {
		t.Skip("trains several small sweeps")
	}
	for _, tool := range []string{"bash", "go", "sqlite3", "curl", "jq"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("the README's commands need %s: %v", tool, err)
		}
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	ci, err := os.ReadFile("../../.ci/run")
	if err != nil {
		t.Fatal(err)
	}
	dir := copyCheckout(t)
	env := append(os.Environ(), "PATH="+dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	hasPandas := exec.Command("python3", "-c", "import pandas").Run() == nil

	var builds, rest []readmeCommand
	var sqlStmts []string
	usedReduce := map[string]bool{}
	usedSkip := map[string]bool{}
	blocks := readmeBlocks(string(readme))
	files, err := filepath.Glob("../../experiments/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no experiment files: %v", err)
	}
	for _, f := range files {
		text, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		blocks = append(blocks, headerBlocks("experiments/"+filepath.Base(f), string(text))...)
	}
	for _, b := range blocks {
		switch b.lang {
		case "sql":
			sqlStmts = append(sqlStmts, store.SplitStatements(b.text)...)
			continue
		case "yaml":
			if !strings.Contains(b.text, "apiVersion:") {
				validateReadmeYAML(t, b)
			}
			continue
		case "bash":
			if !strings.Contains(b.text, "#SBATCH") {
				t.Errorf("%s:%d: a bash block that is not a Slurm batch script: give it a rule in this test", b.file, b.line)
			}
			continue
		case "dockerfile":
			continue
		case "":
		default:
			t.Errorf("%s:%d: a block of %q: give it a rule in this test", b.file, b.line, b.lang)
			continue
		}
		switch blockKind(b) {
		case "output":
			continue
		case "synopsis":
			for l := range strings.SplitSeq(b.text, "\n") {
				words, _ := shellWords(l)
				if len(words) < 2 || words[0] != "runner" || !slices.ContainsFunc(commands, func(c *command) bool { return c.name == words[1] }) {
					t.Errorf("%s:%d: %q in a synopsis does not name a runner command", b.file, b.line, l)
				}
			}
			continue
		}
		for _, c := range commandsOf(b) {
			words, _ := shellWords(c.text)
			switch {
			case slices.ContainsFunc(words, func(w string) bool {
				return strings.Contains(w, "sbatch") || w == "kubectl" || w == "docker"
			}):
				t.Logf("%s:%d: not run (needs a cluster): %s", c.file, c.line, c.text)
				continue
			case readmeSkip[c.text] != "":
				usedSkip[c.text] = true
				t.Logf("%s:%d: not run (%s): %s", c.file, c.line, readmeSkip[c.text], c.text)
				continue
			case inCI(string(ci), words):
				t.Logf("%s:%d: left to CI (.ci/run runs it): %s", c.file, c.line, c.text)
				continue
			case program(words) == "go" && slices.Contains(words, "test"):
				checkGoTest(t, c, words, dir, env)
				continue
			case program(words) == "python3" && regexp.MustCompile(`\bpandas\b`).MatchString(c.text) && !hasPandas:
				t.Logf("%s:%d: not run (no pandas here): %s", c.file, c.line, c.text)
				continue
			}
			c.text = cronLine.ReplaceAllString(c.text, "")
			if runnerRun.MatchString(c.text) {
				var sets []string
				for file, reduce := range readmeReduce {
					if slices.Contains(words, file) {
						usedReduce[file] = true
						for _, s := range reduce {
							sets = append(sets, "--set "+s)
						}
					}
				}
				slices.Sort(sets)
				if len(sets) > 0 {
					c.text = runnerRun.ReplaceAllString(c.text, "$1${2}runner run "+strings.Join(sets, " ")+" ")
				}
				builds = append(builds, c)
			} else if program(words) == "go" && slices.Contains(words, "build") {
				builds = append(builds, c)
			} else {
				rest = append(rest, c)
			}
		}
	}
	for file := range readmeReduce {
		if !usedReduce[file] {
			t.Errorf("readmeReduce: no command of README.md runs %s", file)
		}
	}
	for cmd := range readmeSkip {
		if !usedSkip[cmd] {
			t.Errorf("readmeSkip: %q is not a command of README.md", cmd)
		}
	}
	if len(builds) < 3 || !strings.HasPrefix(builds[0].text, "go build") {
		t.Fatalf("the README's first commands should build runner and train; found %v", builds)
	}

	shell := func(c readmeCommand) (ok bool) {
		t.Helper()
		script := "set -eo pipefail\ncurl() { command curl --fail-with-body \"$@\"; }\n" + c.text
		cmd := exec.Command("bash", "-c", script)
		cmd.Dir, cmd.Env = dir, env
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		words, _ := shellWords(c.text)
		queries := slices.Contains([]string{"sqlite3", "curl", "python3"}, program(words)) ||
			strings.Contains(c.text, "runner query ")
		switch {
		case err != nil:
			t.Errorf("%s:%d: %s\n%v\nstdout:\n%s\nstderr:\n%s", c.file, c.line, c.text, err, tail(stdout.String(), 3000), tail(stderr.String(), 3000))
		case queries && strings.TrimSpace(stdout.String()) == "":
			t.Errorf("%s:%d: %s\nprinted nothing; stderr:\n%s", c.file, c.line, c.text, tail(stderr.String(), 3000))
		default:
			return true
		}
		return false
	}
	for _, c := range builds {
		if !shell(c) {
			t.FailNow() // the rest reads what these made
		}
	}

	// The dashboard, for the curl examples.
	serve := exec.Command(filepath.Join(dir, "runner"), "serve", "--addr", "127.0.0.1:0")
	serve.Dir = dir
	out, err := serve.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { serve.Process.Kill(); serve.Wait() })
	addr := readServeAddr(t, out)
	for _, c := range rest {
		c.text = strings.ReplaceAll(c.text, "localhost:8080", addr)
		shell(c)
	}

	db := filepath.Join(dir, "results.db")
	for _, stmt := range sqlStmts {
		code, stdout, stderr := runSub(t, "", "query", "--db", db, "--format", "json", stmt)
		var rows []map[string]any
		if err := json.Unmarshal([]byte(stdout), &rows); code != exitOK || err != nil || len(rows) == 0 {
			t.Errorf("%s\nexit %d, %d rows (%v), stderr %s", stmt, code, len(rows), err, stderr)
		}
	}

	// The smoke run has a name of its own: the latest ch6 is the real one.
	code, stdout, stderr := runSub(t, "", "query", "--db", db, "--format", "csv",
		`SELECT name, count(*) FROM sweeps WHERE name LIKE 'ch6%' GROUP BY name ORDER BY name`)
	if code != exitOK || !strings.Contains(stdout, "ch6,") || !strings.Contains(stdout, "ch6-smoke,1") {
		t.Errorf("sweeps of ch6: exit %d, stderr %s\n%s", code, stderr, stdout)
	}
	if _, err := os.Stat(filepath.Join(dir, "results.db.lock")); !os.IsNotExist(err) {
		t.Errorf("results.db.lock after the README's commands: %v", err)
	}
}

// readServeAddr reads runner serve's first line for the address it listens on.
func readServeAddr(t *testing.T, out interface{ Read([]byte) (int, error) }) string {
	t.Helper()
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			default:
			}
		}
	}()
	select {
	case l := <-lines:
		m := regexp.MustCompile(`http://(127\.0\.0\.1:\d+)`).FindStringSubmatch(l)
		if m == nil {
			t.Fatalf("runner serve said %q", l)
		}
		return m[1]
	case <-time.After(time.Minute):
		t.Fatal("runner serve said nothing")
		return ""
	}
}

// validateReadmeYAML checks an experiment file of the README with runner
// validate; a fragment without a name gets one.
func validateReadmeYAML(t *testing.T, b readmeBlock) {
	t.Helper()
	text := b.text
	if !regexp.MustCompile(`(?m)^name:`).MatchString(text) {
		text = "name: readme-fragment\n" + text
	}
	file := writeFile(t, t.TempDir(), "readme.yaml", text)
	if code, stdout, stderr := runMain(t, "validate", "--quiet", file); code != exitOK {
		t.Errorf("%s:%d: runner validate: exit %d\n%s\n%s", b.file, b.line, code, stdout, stderr)
	}
}

// inCI reports whether a line of the script ci runs the command of words,
// word for word (comments aside).
func inCI(ci string, words []string) bool {
	cmdLine := strings.Join(words, " ")
	return slices.ContainsFunc(strings.Split(ci, "\n"), func(l string) bool {
		w, _ := shellWords(l)
		return strings.Join(w, " ") == cmdLine
	})
}

// checkGoTest checks that a go test command names tests, benchmarks or
// fuzz targets that exist, with go test -list.
func checkGoTest(t *testing.T, c readmeCommand, words []string, dir string, env []string) {
	t.Helper()
	var patterns, pkgs []string
	for i, w := range words {
		switch {
		case (w == "-run" || w == "-bench" || w == "-fuzz") && i+1 < len(words) && words[i+1] != "XXX":
			patterns = append(patterns, words[i+1])
		case strings.HasPrefix(w, "./"):
			pkgs = append(pkgs, w)
		}
	}
	if len(patterns) == 0 || len(pkgs) == 0 {
		t.Errorf("%s:%d: %s: names no test and package to check; run it from .ci/run", c.file, c.line, c.text)
		return
	}
	for _, p := range patterns {
		cmd := exec.Command("go", append([]string{"test", "-list", p}, pkgs...)...)
		cmd.Dir, cmd.Env = dir, env
		out, err := cmd.CombinedOutput()
		listed := 0
		for l := range strings.SplitSeq(string(out), "\n") {
			if regexp.MustCompile(`^(Test|Benchmark|Fuzz|Example)`).MatchString(l) {
				listed++
			}
		}
		if err != nil || listed == 0 {
			t.Errorf("%s:%d: %s: go test -list %s %v lists nothing (%v)\n%s", c.file, c.line, c.text, p, pkgs, err, out)
		}
	}
}
