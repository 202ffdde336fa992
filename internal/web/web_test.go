package web

import (
	"encoding/json"
	"fmt"
	"math"
	"testing"
)

func TestNumJSON(t *testing.T) {
	b, err := json.Marshal([]num{0.25, num(math.NaN()), num(math.Inf(1)), num(math.Inf(-1)), 1e-7, 3})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), "[0.25,null,null,null,1e-7,3]"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestLoopbackHost(t *testing.T) {
	for host, want := range map[string]bool{
		"localhost": true, "localhost:8080": true, "LOCALHOST:1": true, "app.localhost:80": true,
		"127.0.0.1": true, "127.0.0.1:8080": true, "127.1.2.3:9": true, "[::1]:8080": true, "::1": true,
		"example.com": false, "example.com:8080": false, "10.0.0.1:8080": false, "0.0.0.0:8080": false,
		"localhost.example.com": false, "127.0.0.1.nip.io:80": false, "": false, "[::]:80": false,
	} {
		if got := loopbackHost(host); got != want {
			t.Errorf("loopbackHost(%q) = %v, want %v", host, got, want)
		}
	}
}

func TestParseRunIDs(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want string // the ranges, or "" for an error
	}{
		{"1", "[{1 1}]"},
		{"1,2,3", "[{1 1} {2 2} {3 3}]"},
		{" 4 , 5", "[{4 4} {5 5}]"},
		{"1-8,11,13-16", "[{1 8} {11 11} {13 16}]"},
		{" 2 - 3 ", "[{2 3}]"},
		{"7-7", "[{7 7}]"},
		{"", ""}, {"1,", ""}, {"0", ""}, {"-1", ""}, {"x", ""}, {"1 OR 1=1", ""},
		{"3-1", ""}, {"1-", ""}, {"-", ""}, {"1-2-3", ""}, {"0-2", ""}, {"1-x", ""}, {"1--2", ""},
	} {
		got, err := parseRunIDs(tt.in)
		if tt.want == "" {
			if err == nil {
				t.Errorf("parseRunIDs(%q) = %v, want an error", tt.in, got)
			}
			continue
		}
		if err != nil || fmt.Sprint(got) != tt.want {
			t.Errorf("parseRunIDs(%q) = %v, %v; want %s", tt.in, got, err, tt.want)
		}
	}
}
