package web

import (
	"context"
	"embed"
	"errors"
	"io/fs"
	"net"
	"net/http"
	"strings"
	"time"
)

//go:embed assets
var assetsFS embed.FS

// Options configures a Server. The zero value of each field but Path
// means its documented default.
type Options struct {
	// Path is the results database, opened read-only.
	Path string

	// Poll is how often the database is checked for changes; 0 is one second.
	Poll time.Duration

	// LoopbackOnly makes the server refuse (421) requests whose Host header
	// names anything but a loopback address or localhost, so that a web
	// page elsewhere cannot reach the dashboard through DNS rebinding. Set
	// it when the server listens on loopback.
	LoopbackOnly bool
}

// The server's timeouts: short for reading a request (the API takes no
// body), long enough for the largest answer, and none for an event stream
// (events sets its own deadline per event).
const (
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 10 * time.Second
	writeTimeout      = 60 * time.Second
	idleTimeout       = 2 * time.Minute
	queryTimeout      = 30 * time.Second // a request's database reads
	maxHeaderBytes    = 64 << 10
	maxStreams        = 64 // /api/events streams open at once
)

// contentSecurityPolicy allows the page's own scripts, styles and API
// only: no inline script or style, no other origin, no frames, no forms.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; " +
	"img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// Server is the dashboard: the page and the API over one results database.
type Server struct {
	opts    Options
	src     *source
	watch   *watcher
	streams chan struct{} // a token per open event stream
	handler http.Handler
}

// New opens the database at opts.Path read-only and returns a server for
// it. An error opening it (missing, not a results database, another
// schema version) is returned as store.OpenReadOnly gives it; once the
// server runs, such a database is answered with 503 instead.
func New(ctx context.Context, opts Options) (*Server, error) {
	if opts.Poll <= 0 {
		opts.Poll = time.Second
	}
	s := &Server{opts: opts, src: &source{path: opts.Path}, streams: make(chan struct{}, maxStreams)}
	p, err := s.src.acquire(ctx)
	if err != nil {
		return nil, err
	}
	s.src.release(p)
	s.watch = newWatcher(s.src, opts.Poll)
	s.handler = s.routes()
	return s, nil
}

// Close closes the database, once the requests still reading it are done.
func (s *Server) Close() error {
	s.src.drop()
	return nil
}

// Handler returns the server's handler, for httptest. The live updates of
// /api/events need Watch running beside it.
func (s *Server) Handler() http.Handler { return s.handler }

// Watch follows the database for changes until ctx is done.
func (s *Server) Watch(ctx context.Context) { s.watch.run(ctx) }

// Serve answers requests on ln until ctx is done, then stops: it ends the
// event streams, lets the requests in flight finish (for up to five
// seconds) and returns nil. The listener is closed on return.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	base, cancel := context.WithCancel(context.Background())
	defer cancel()
	hs := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		BaseContext:       func(net.Listener) context.Context { return base },
	}
	go s.Watch(base)
	done := make(chan error, 1)
	go func() { done <- hs.Serve(ln) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	cancel() // ends the event streams, whose requests derive from base
	shutdown, stop := context.WithTimeout(context.Background(), 5*time.Second)
	defer stop()
	if err := hs.Shutdown(shutdown); err != nil {
		hs.Close()
	}
	if err := <-done; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// routes builds the handler: the API, the embedded page, and around both
// the security headers and the Host check.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	api := map[string]func(*http.Request) (any, error){
		"GET /api/status":                  s.status,
		"GET /api/sweeps":                  s.sweeps,
		"GET /api/sweeps/{sweep}":          s.sweep,
		"GET /api/sweeps/{sweep}/runs":     s.sweepRuns,
		"GET /api/sweeps/{sweep}/groups":   s.sweepGroups,
		"GET /api/sweeps/{sweep}/epochs":   s.sweepEpochs,
		"GET /api/sweeps/{sweep}/paths":    s.sweepPaths,
		"GET /api/sweeps/{sweep}/analysis": s.sweepAnalysis,
		"GET /api/sweeps/{sweep}/trials":   s.sweepTrials,
		"GET /api/sweeps/{sweep}/lrfind":   s.sweepLRFind,
		"GET /api/runs/{run}":              s.run,
		"GET /api/runs/{run}/epochs":       s.runEpochs,
		"GET /api/runs/{run}/layers":       s.runLayers,
	}
	for pattern, h := range api {
		mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
			ctx, cancel := context.WithTimeout(r.Context(), queryTimeout)
			defer cancel()
			v, err := h(r.WithContext(ctx))
			if err != nil {
				writeError(w, r, err)
				return
			}
			writeJSON(w, http.StatusOK, v)
		})
	}
	mux.HandleFunc("GET /api/events", s.events)
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			writeJSON(w, http.StatusMethodNotAllowed, map[string]any{
				"error": "method " + r.Method + " not allowed: the API only reads", "status": http.StatusMethodNotAllowed})
			return
		}
		writeError(w, r, notFound("no such API endpoint: %s (see GET /api/sweeps)", r.URL.Path))
	})
	assets, err := fs.Sub(assetsFS, "assets")
	if err != nil {
		panic("web: " + err.Error()) // the embedded folder is there at compile time
	}
	files := http.FileServerFS(assets)
	mux.Handle("/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		w.Header().Set("Cache-Control", "no-cache")
		files.ServeHTTP(w, r)
	}))
	return s.secure(mux)
}

// secure sets the security headers of every answer and, with
// LoopbackOnly, refuses requests for other host names.
func (s *Server) secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		if s.opts.LoopbackOnly && !loopbackHost(r.Host) {
			writeJSON(w, http.StatusMisdirectedRequest, map[string]any{
				"error":  "this dashboard answers only requests for localhost or a loopback address, not " + r.Host,
				"status": http.StatusMisdirectedRequest})
			return
		}
		next.ServeHTTP(w, r)
	})
}

// loopbackHost reports whether the Host header hostport names localhost
// or a loopback address.
func loopbackHost(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
