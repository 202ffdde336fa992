package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// openPTY opens a pseudo-terminal of 50 rows and 160 columns and returns its
// master and slave ends; it skips the test where there is none.
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skip("no pseudo-terminal:", err)
	}
	fd := int(master.Fd())
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		master.Close()
		t.Skip("unlockpt:", err)
	}
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err != nil {
		master.Close()
		t.Skip("ptsname:", err)
	}
	slave, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		master.Close()
		t.Skip("open the pseudo-terminal's slave:", err)
	}
	if err := unix.IoctlSetWinsize(int(slave.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: 50, Col: 160}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { master.Close(); slave.Close() })
	return master, slave
}

// ansi matches the escape sequences of the live display.
var ansi = regexp.MustCompile(`\x1b\[[0-9;?]*[A-Za-z]`)

// On a terminal, runner run draws a live display for each sweep, whose
// overall line ("runs 12/36 epochs …") ends on the final count once every
// run has finished: for every sweep of a command that trains several, and
// however quickly their runs end (runs on a function take microseconds,
// the case in which the display used to stop one run short).
func TestLiveDisplayEndsOnFinalCount(t *testing.T) {
	dir := t.TempDir()
	sizes := []int{1, 36, 5, 12, 7}
	var files []string
	for i, n := range sizes {
		lrs := make([]string, n)
		for j := range lrs {
			lrs[j] = strconv.FormatFloat(0.01+0.02*float64(j), 'g', -1, 64)
		}
		files = append(files, writeFile(t, dir, fmt.Sprintf("s%d.yaml", i), fmt.Sprintf(`
name: live-%d
dataset: {name: function, function: book, start: [-7, 2]}
train: {epochs: 20}
optimizers:
  - {name: sgd, lr: [%s]}
`, i, strings.Join(lrs, ", "))))
	}
	master, slave := openPTY(t)
	cmd := exec.Command(os.Args[0], append([]string{"run", "-j", "2", "--db", filepath.Join(dir, "results.db")}, files...)...)
	cmd.Env = append(os.Environ(), "RUNNER_TEST_MAIN=1")
	var stderr bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	slave.Close() // the child holds it; reading the master ends when the child exits
	var out bytes.Buffer
	read := make(chan error, 1)
	go func() { _, err := io.Copy(&out, master); read <- err }()
	werr := cmd.Wait()
	<-read // EIO once the child's end is closed
	if werr != nil {
		t.Fatalf("runner run: %v\nstderr: %s\nterminal:\n%s", werr, stderr.String(), out.String())
	}

	text := ansi.ReplaceAllString(out.String(), "")
	if !strings.Contains(out.String(), "\x1b[") {
		t.Fatalf("no live display on the terminal:\n%s", text)
	}
	counts := regexp.MustCompile(`runs (\d+)/(\d+)`)
	for i, n := range sizes {
		start := strings.Index(text, fmt.Sprintf("sweep \"live-%d\" (id %d) from", i, i+1))
		end := strings.Index(text, fmt.Sprintf("sweep \"live-%d\" (id %d) done:", i, i+1))
		if start < 0 || end < start {
			t.Errorf("sweep live-%d: no start (%d) or summary (%d) in:\n%s", i, start, end, text)
			continue
		}
		frames := counts.FindAllStringSubmatch(text[start:end], -1)
		if len(frames) == 0 {
			t.Errorf("sweep live-%d: the live display drew no overall line", i)
			continue
		}
		last := frames[len(frames)-1]
		if want := fmt.Sprintf("runs %d/%d", n, n); last[0] != want {
			t.Errorf("sweep live-%d: the display ends on %q, want %q", i, last[0], want)
		}
	}
}
