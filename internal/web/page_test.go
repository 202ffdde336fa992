package web

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestServePage checks the embedded page, its security headers, that no
// path reaches a file outside the assets, and the Host check.
func TestServePage(t *testing.T) {
	ts := serveAPI(t, resultsDB(t))
	for _, tt := range []struct{ path, ctype, want string }{
		{"/", "text/html", `<script src="app.js"`},
		{"/", "text/html", `<script src="search.js"`},
		{"/", "text/html", `<script src="lrfind.js"`},
		{"/app.js", "text/javascript", "EventSource"},
		{"/search.js", "text/javascript", "function drawParcoords"},
		{"/lrfind.js", "text/javascript", "function drawLRFind"},
		{"/style.css", "text/css", ".chart"},
		{"/favicon.svg", "image/svg+xml", "<svg"},
	} {
		resp, err := ts.Client().Get(ts.URL + tt.path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), tt.ctype) || !bytes.Contains(body, []byte(tt.want)) {
			t.Errorf("GET %s: %d %s, want %s with %q", tt.path, resp.StatusCode, resp.Header.Get("Content-Type"), tt.ctype, tt.want)
		}
		csp := resp.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe") {
			t.Errorf("GET %s: Content-Security-Policy %q", tt.path, csp)
		}
		if resp.Header.Get("X-Content-Type-Options") != "nosniff" || resp.Header.Get("X-Frame-Options") != "DENY" {
			t.Errorf("GET %s: headers %v", tt.path, resp.Header)
		}
	}
	for _, p := range []string{"/../go.mod", "/..%2fgo.mod", "/%2e%2e/%2e%2e/etc/passwd", "/assets/app.js", "/serve.go", "/results.db", "/source.go", "/doc.go"} {
		resp, err := ts.Client().Get(ts.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == 200 && !bytes.Contains(body, []byte("<title>runner dashboard")) || bytes.Contains(body, []byte("root:")) ||
			bytes.Contains(body, []byte("module runner")) || bytes.Contains(body, []byte("package web")) {
			t.Errorf("GET %s: %d %.80q", p, resp.StatusCode, body)
		}
	}
	req, _ := http.NewRequest("GET", ts.URL+"/api/sweeps", nil)
	req.Host = "attacker.example:8080"
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMisdirectedRequest {
		t.Errorf("Host attacker.example: %d, want 421", resp.StatusCode)
	}
	for _, host := range []string{"localhost:8080", "127.0.0.1", "[::1]:80"} {
		req.Host = host
		resp, err := ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("Host %s: %d, want 200", host, resp.StatusCode)
		}
	}

	// The page only reads: other methods are refused, with the ones allowed.
	for _, method := range []string{"POST", "PUT", "DELETE"} {
		for _, p := range []string{"/", "/app.js", "/api/nothing"} {
			req, _ := http.NewRequest(method, ts.URL+p, strings.NewReader("x"))
			resp, err := ts.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "GET, HEAD" {
				t.Errorf("%s %s: %d, Allow %q; want 405 and GET, HEAD", method, p, resp.StatusCode, resp.Header.Get("Allow"))
			}
		}
	}
	for _, p := range []string{"/", "/api/sweeps"} {
		resp, err := ts.Client().Head(ts.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("HEAD %s: %d, want 200", p, resp.StatusCode)
		}
	}
}
