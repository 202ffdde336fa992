// Package atomicfile writes a file whole or not at all: into a temporary
// file beside it, synced, then renamed into place.
package atomicfile

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Error is a failure to create, write, sync or rename the file (not an
// error of the caller's write function, which Write returns as it is).
type Error struct {
	Path string
	Err  error
}

func (e *Error) Error() string { return fmt.Sprintf("write %s: %v", e.Path, e.Err) }
func (e *Error) Unwrap() error { return e.Err }

// Write calls write with a buffered writer on a temporary file in path's
// folder, and renames it to path, mode 0644, once everything is written
// and synced: path is then either the whole new file or what it was
// before, and no temporary file is left behind. Errors of write are
// returned as they are; the others are an *Error.
func Write(path string, write func(io.Writer) error) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return &Error{path, err}
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	bw := bufio.NewWriter(f)
	if err := write(bw); err != nil {
		return err
	}
	for _, step := range []func() error{
		bw.Flush, func() error { return f.Chmod(0o644) }, f.Sync, f.Close,
		func() error { return os.Rename(f.Name(), path) },
	} {
		if err := step(); err != nil {
			return &Error{path, err}
		}
	}
	return nil
}
