package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// heartbeat is how often an idle event stream sends a comment, so that
// proxies and the browser keep it open and a dead client is noticed.
const heartbeat = 15 * time.Second

// eventWriteTimeout bounds the writing of one event to a stream.
const eventWriteTimeout = 10 * time.Second

// events answers GET /api/events with a stream of server-sent events:
//
//	event: change        data: {"version": N}   the database changed (and once on connecting)
//	event: unavailable   data: {"version": N, "error": "..."}   the database cannot be read
//
// N grows with every change; a client refetches what it shows when N is
// not the one it saw last.
func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	if len(r.URL.RawQuery) > 0 {
		writeError(w, r, badRequest("/api/events takes no query parameters"))
		return
	}
	select {
	case s.streams <- struct{}{}:
		defer func() { <-s.streams }()
	default:
		w.Header().Set("Retry-After", "5")
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{
			"error": fmt.Sprintf("too many event streams open (%d)", maxStreams), "status": http.StatusServiceUnavailable})
		return
	}
	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)

	write := func(format string, args ...any) bool {
		rc.SetWriteDeadline(time.Now().Add(eventWriteTimeout))
		if _, err := fmt.Fprintf(w, format, args...); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	if !write("retry: 2000\n\n") {
		return
	}
	ping := time.NewTicker(heartbeat)
	defer ping.Stop()
	sent := int64(-1)
	for {
		version, errText, wake := s.watch.state()
		if version != sent {
			name, data := "change", map[string]any{"version": version}
			if errText != "" {
				name, data["error"] = "unavailable", errText
			}
			b, _ := json.Marshal(data)
			if !write("event: %s\ndata: %s\n\n", name, b) {
				return
			}
			sent = version
		}
		select {
		case <-r.Context().Done():
			return
		case <-wake:
		case <-ping.C:
			if !write(": ping\n\n") {
				return
			}
		}
	}
}
