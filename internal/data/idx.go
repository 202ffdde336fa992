package data

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
)

// The IDX format: a big-endian header of a magic number (two zero bytes, the
// element type, 0x08 for unsigned bytes, and the number of dimensions), one
// 32-bit size per dimension, then the elements in row-major order.
const (
	imagesMagic = 0x00000803 // unsigned bytes, 3 dimensions: count × rows × cols
	labelsMagic = 0x00000801 // unsigned bytes, 1 dimension: count
)

// ReadImages decodes an IDX image file of 28×28 images from r, gzip-compressed
// or not (told apart by the gzip magic bytes), and returns its pixels,
// ImageSize bytes per image. It checks the magic number, the image size and
// that the data holds exactly as many images as the header says. name is
// used in errors.
func ReadImages(r io.Reader, name string) ([]byte, error) {
	pixels, err := readIDX(r, imagesMagic)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	return pixels, nil
}

// ReadLabels decodes an IDX label file from r, gzip-compressed or not, and
// returns its labels, one byte each. It checks the magic number, that the
// data holds exactly as many labels as the header says and that every label
// is below NumClasses. name is used in errors.
func ReadLabels(r io.Reader, name string) ([]byte, error) {
	labels, err := readIDX(r, labelsMagic)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	for i, l := range labels {
		if l >= NumClasses {
			return nil, fmt.Errorf("read %s: label %d is %d, want 0 to %d", name, i, l, NumClasses-1)
		}
	}
	return labels, nil
}

// ReadSet reads an image file and a label file (see ReadImages and
// ReadLabels) holding the same number of examples. It checks no digests: it
// is for data other than MNIST in the same format, such as Fashion-MNIST.
func ReadSet(imagesPath, labelsPath string) (*Set, error) {
	pixels, err := readFile(imagesPath, ReadImages)
	if err != nil {
		return nil, err
	}
	labels, err := readFile(labelsPath, ReadLabels)
	if err != nil {
		return nil, err
	}
	return newSet(imagesPath, labelsPath, pixels, labels)
}

func readFile(path string, read func(io.Reader, string) ([]byte, error)) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return read(f, path)
}

// decodeSet decodes an image file and a label file already read into memory.
func decodeSet(imagesPath, labelsPath string, images, labels []byte) (*Set, error) {
	px, err := ReadImages(bytes.NewReader(images), imagesPath)
	if err != nil {
		return nil, err
	}
	lb, err := ReadLabels(bytes.NewReader(labels), labelsPath)
	if err != nil {
		return nil, err
	}
	return newSet(imagesPath, labelsPath, px, lb)
}

// newSet is NewSet with errors that name the files.
func newSet(imagesPath, labelsPath string, pixels, labels []byte) (*Set, error) {
	if n := len(pixels) / ImageSize; n != len(labels) {
		return nil, fmt.Errorf("read %s and %s: %d images but %d labels, want as many labels as images",
			imagesPath, labelsPath, n, len(labels))
	}
	return &Set{pixels: pixels, labels: labels}, nil
}

// readIDX decodes an IDX file of unsigned bytes with the given magic number
// (images or labels) and returns its elements.
func readIDX(r io.Reader, magic uint32) ([]byte, error) {
	r, err := decompress(r)
	if err != nil {
		return nil, err
	}

	hlen := 8 // magic, count
	if magic == imagesMagic {
		hlen = 16 // magic, count, rows, cols
	}
	var h [16]byte
	n, err := io.ReadFull(r, h[:4])
	if err == nil {
		if got := binary.BigEndian.Uint32(h[0:4]); got != magic {
			return nil, fmt.Errorf("magic number 0x%08x%s, want 0x%08x%s", got, kind(got), magic, kind(magic))
		}
		n, err = io.ReadFull(r, h[4:hlen])
		n += 4
	}
	if err != nil {
		return nil, readErr(err, "header: %d of %d bytes", n, hlen)
	}
	count := int64(binary.BigEndian.Uint32(h[4:8]))
	size := int64(1)
	if magic == imagesMagic {
		r, c := binary.BigEndian.Uint32(h[8:12]), binary.BigEndian.Uint32(h[12:16])
		if r != rows || c != cols {
			return nil, fmt.Errorf("images are %d×%d, want %d×%d", r, c, rows, cols)
		}
		size = ImageSize
	}
	want := count * size
	if want > math.MaxInt {
		return nil, fmt.Errorf("header says %d elements, more than this machine can hold", count)
	}

	body, err := readBody(r, want)
	if err != nil {
		return nil, readErr(err, "header says %d%s (%d bytes after the header), data has %d bytes",
			count, noun(magic), want, len(body))
	}
	// The data must end here. For gzip, reading to the end also checks the
	// CRC and length in the trailer.
	var extra [1]byte
	if n, err := io.ReadFull(r, extra[:]); n > 0 {
		return nil, fmt.Errorf("header says %d%s (%d bytes after the header), data has more", count, noun(magic), want)
	} else if err != io.EOF {
		return nil, readErr(err, "at the end of the data")
	}
	return body, nil
}

// decompress returns a reader of r's contents, decompressed if they start
// with the gzip magic bytes.
func decompress(r io.Reader) (io.Reader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	if b, _ := br.Peek(2); len(b) == 2 && b[0] == 0x1f && b[1] == 0x8b {
		z, err := gzip.NewReader(br)
		if err != nil {
			return nil, readErr(err, "gzip header")
		}
		return z, nil
	}
	return br, nil
}

// readBody reads exactly n bytes from r. The buffer grows with the data
// rather than with the header's claim, so a damaged header cannot make it
// allocate much more than the data holds. On error it returns what it read.
func readBody(r io.Reader, n int64) ([]byte, error) {
	buf := make([]byte, min(n, 1<<20))
	read := 0
	for int64(read) < n {
		if read == len(buf) {
			bigger := make([]byte, min(n, 2*int64(len(buf))))
			copy(bigger, buf)
			buf = bigger
		}
		m, err := io.ReadFull(r, buf[read:])
		read += m
		if err != nil {
			return buf[:read], err
		}
	}
	return buf, nil
}

// readErr describes a failed read: running out of data means the file is
// truncated, anything else (such as a gzip checksum) that it is corrupt.
func readErr(err error, format string, args ...any) error {
	what := fmt.Sprintf(format, args...)
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("truncated: %s", what)
	}
	return fmt.Errorf("corrupt: %s: %w", what, err)
}

func kind(magic uint32) string {
	switch magic {
	case imagesMagic:
		return " (IDX images)"
	case labelsMagic:
		return " (IDX labels)"
	}
	return ""
}

func noun(magic uint32) string {
	if magic == imagesMagic {
		return " images"
	}
	return " labels"
}
