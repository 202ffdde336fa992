package web

import (
	"encoding/json"
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
	for in, ok := range map[string]bool{"1": true, "1,2,3": true, " 4 , 5": true, "": false, "1,": false, "0": false, "-1": false, "x": false, "1 OR 1=1": false} {
		if _, err := parseRunIDs(in); (err == nil) != ok {
			t.Errorf("parseRunIDs(%q): %v", in, err)
		}
	}
}
