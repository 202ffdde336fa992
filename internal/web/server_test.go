package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"runner/internal/store"
)

// TestNewRefuses checks that New refuses a database it cannot serve, with
// the error store.OpenReadOnly gives.
func TestNewRefuses(t *testing.T) {
	dir := t.TempDir()
	text := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(text, []byte("not a database\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		path string
		want error
	}{
		{filepath.Join(dir, "missing.db"), fs.ErrNotExist},
		{text, store.ErrNotSQLite},
	} {
		srv, err := New(context.Background(), Options{Path: tt.path})
		if !errors.Is(err, tt.want) {
			t.Errorf("New(%s): %v, want an error wrapping %v", tt.path, err, tt.want)
		}
		if srv != nil {
			t.Errorf("New(%s): a server beside the error", tt.path)
		}
	}
}

// TestServe runs Server.Serve on a loopback listener: it answers the API
// and the page, and when its context ends it returns nil, an open event
// stream ending with it rather than holding it up.
func TestServe(t *testing.T) {
	path := resultsDB(t)
	srv, err := New(context.Background(), Options{Path: path, LoopbackOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln) }()
	base := "http://" + ln.Addr().String()

	resp, err := http.Get(base + "/api/status")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), fmt.Sprintf(`"schema_version":%d`, store.SchemaVersion)) ||
		!strings.Contains(string(body), `"read_only":true`) {
		t.Errorf("GET /api/status: %d %s", resp.StatusCode, body)
	}
	if resp, err := http.Get(base + "/"); err != nil || resp.StatusCode != 200 {
		t.Errorf("GET /: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}

	stream, err := http.Get(base + "/api/events")
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Body.Close()
	first := make([]byte, len("retry: 2000"))
	if _, err := io.ReadFull(stream.Body, first); err != nil || string(first) != "retry: 2000" {
		t.Fatalf("the event stream begins %q (%v), want retry: 2000", first, err)
	}

	cancel()
	select {
	case err := <-served:
		if err != nil {
			t.Errorf("Serve: %v, want nil once its context ended", err)
		}
	case <-time.After(deadline):
		t.Fatalf("Serve did not return within %v of its context's end", deadline)
	}
	if _, err := io.ReadAll(stream.Body); err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("the event stream after the stop: %v", err)
	}
	if _, err := http.Get(base + "/api/status"); err == nil {
		t.Error("the listener still answers after Serve returned")
	}
}
