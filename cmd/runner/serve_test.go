package main

import (
	"bytes"
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The dashboard's handlers are tested in internal/web; these tests run the
// command that serves them.

// TestServeCommand runs `runner serve` itself: its flags, its refusal of
// a missing database, what it says about the address, and its stop.
func TestServeCommand(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--db", filepath.Join(dir, "missing.db"), "--addr", "127.0.0.1:0"}, exitDatabase, "does not exist"},
		{[]string{"--poll", "1ms"}, exitUsage, "--poll"},
		{[]string{"extra"}, exitUsage, "unexpected argument"},
		{[]string{"--addr", "256.0.0.1:0", "--db", resultsDB(t)}, exitUsage, "serve:"},
	} {
		var stdout, stderr bytes.Buffer
		m := &Main{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr}
		err := m.Run(context.Background(), append([]string{"serve"}, tt.args...))
		if code := exitCode(context.Background(), err, &stderr); code != tt.code || !strings.Contains(stderr.String(), tt.want) {
			t.Errorf("serve %v: exit %d, stderr %q; want %d and %q", tt.args, code, stderr.String(), tt.code, tt.want)
		}
	}

	path := resultsDB(t)
	for _, tt := range []struct {
		addr, stdout, stderr string
	}{
		{"127.0.0.1:0", "loopback only", ""},
		{"0.0.0.0:0", "(listening on ", "not loopback: anyone who can reach this machine"},
	} {
		var stdout, stderr bytes.Buffer
		m := &Main{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr}
		ctx, cancel := context.WithCancel(context.Background())
		urls := make(chan string, 1)
		done := make(chan error, 1)
		go func() {
			m.serveReady = func(u string) { urls <- u }
			done <- m.Run(ctx, []string{"serve", "--db", path, "--addr", tt.addr})
		}()
		var url string
		select {
		case url = <-urls:
		case err := <-done:
			t.Fatalf("serve --addr %s: %v\n%s", tt.addr, err, stderr.String())
		}
		// An open event stream must not hold up the stop.
		resp, err := http.Get(strings.Replace(url, "localhost", "127.0.0.1", 1) + "api/events")
		if err != nil {
			t.Fatal(err)
		}
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serve --addr %s: %v", tt.addr, err)
			}
		case <-time.After(60 * time.Second):
			t.Fatalf("serve --addr %s did not stop within 60 s of its context's end", tt.addr)
		}
		resp.Body.Close()
		if !strings.Contains(stdout.String(), tt.stdout) || !strings.Contains(stderr.String(), tt.stderr) ||
			(tt.stderr == "" && stderr.Len() > 0) {
			t.Errorf("serve --addr %s: stdout %q, stderr %q", tt.addr, stdout.String(), stderr.String())
		}
	}
}
