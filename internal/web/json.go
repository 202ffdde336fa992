package web

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"math"
	"net/http"

	"runner/internal/store"
)

// nan is NaN, the value of a NULL metric.
var nan = math.NaN()

// num is a float64 that is written to JSON as null when it is NaN or
// infinite: JSON has neither, and SQLite's NULL is NaN when read back.
type num float64

func (n num) MarshalJSON() ([]byte, error) {
	f := float64(n)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return []byte("null"), nil
	}
	return json.Marshal(f)
}

// nums converts a slice of float64 to nums.
func nums(xs []float64) []num {
	out := make([]num, len(xs))
	for i, x := range xs {
		out[i] = num(x)
	}
	return out
}

// apiError is an error with the HTTP status it is answered with.
type apiError struct {
	status int
	msg    string
}

func (e *apiError) Error() string { return e.msg }

// badRequest is a 400 answer.
func badRequest(format string, args ...any) error {
	return &apiError{http.StatusBadRequest, fmt.Sprintf(format, args...)}
}

// notFound is a 404 answer.
func notFound(format string, args ...any) error {
	return &apiError{http.StatusNotFound, fmt.Sprintf(format, args...)}
}

// writeJSON answers v as JSON with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(true)
	if err := enc.Encode(v); err != nil {
		// Every value answered is made of nums, strings and ints.
		log.Printf("web: encode answer: %v", err)
		status, buf = http.StatusInternalServerError, *bytes.NewBufferString(`{"error":"encode answer","status":500}` + "\n")
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// writeError answers err as {"error": ..., "status": ...}: an apiError
// with its status, store.ErrNotFound with 404, an unavailable database
// with 503, anything else with 500.
func writeError(w http.ResponseWriter, r *http.Request, err error) {
	status := http.StatusInternalServerError
	var ae *apiError
	switch {
	case errors.As(err, &ae):
		status = ae.status
	case errors.Is(err, store.ErrNotFound):
		status = http.StatusNotFound
	case unavailable(err):
		status = http.StatusServiceUnavailable
		w.Header().Set("Retry-After", "2")
	case r.Context().Err() != nil:
		return // the client went away
	}
	if status == http.StatusInternalServerError {
		log.Printf("web: %s %s: %v", r.Method, r.URL.Path, err)
	}
	writeJSON(w, status, struct {
		Error  string `json:"error"`
		Status int    `json:"status"`
	}{err.Error(), status})
}

// nullNum is a nullable column's value as a num: NULL is NaN, which the
// JSON writes as null.
func nullNum(v sql.NullFloat64) num {
	if !v.Valid {
		return num(math.NaN())
	}
	return num(v.Float64)
}
