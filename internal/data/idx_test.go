package data_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"runner/internal/data"
)

func TestReadSet(t *testing.T) {
	for _, compress := range []bool{false, true} {
		name := "raw"
		if compress {
			name = "gzip"
		}
		t.Run(name, func(t *testing.T) {
			images, labels := IDXImages(3, 28, 28, Pixels(3)), IDXLabels(3, []byte{7, 0, 9})
			if compress {
				images, labels = Gzip(t, images), Gzip(t, labels)
			}
			dir := t.TempDir()
			WriteFile(t, filepath.Join(dir, "images"), images)
			WriteFile(t, filepath.Join(dir, "labels"), labels)
			s, err := data.ReadSet(filepath.Join(dir, "images"), filepath.Join(dir, "labels"))
			if err != nil {
				t.Fatal(err)
			}
			if s.Len() != 3 {
				t.Fatalf("Len() = %d, want 3", s.Len())
			}
			for i, want := range []int{7, 0, 9} {
				if got := s.Label(i); got != want {
					t.Errorf("Label(%d) = %d, want %d", i, got, want)
				}
				if !bytes.Equal(s.Image(i), Pixels(3)[i*data.ImageSize:(i+1)*data.ImageSize]) {
					t.Errorf("Image(%d) differs from the file", i)
				}
			}
		})
	}
}

// TestReadSet_Errors feeds damaged files to the reader: each error must
// name the damaged file and say what was expected and what was found.
func TestReadSet_Errors(t *testing.T) {
	goodImages, goodLabels := IDXImages(3, 28, 28, Pixels(3)), IDXLabels(3, Labels(3))
	badCRC := Gzip(t, goodImages)
	badCRC[len(badCRC)-6] ^= 0xff // inside the CRC-32 in the trailer
	badDeflate := Gzip(t, goodImages)
	badDeflate[12] ^= 0xff

	tests := []struct {
		name           string
		images, labels []byte
		blame          string // "images", "labels" or "both": the files the error must name
		want           string
	}{
		{"empty images", nil, goodLabels, "images", "truncated: header: 0 of 16 bytes"},
		{"short header", goodImages[:5], goodLabels, "images", "truncated: header: 5 of 16 bytes"},
		{"short label header", goodImages, goodLabels[:7], "labels", "truncated: header: 7 of 8 bytes"},
		{"labels as images", goodLabels, goodLabels, "images", "magic number 0x00000801 (IDX labels), want 0x00000803 (IDX images)"},
		{"images as labels", goodImages, goodImages, "labels", "magic number 0x00000803 (IDX images), want 0x00000801 (IDX labels)"},
		{"unknown magic", append([]byte{0xde, 0xad, 0xbe, 0xef}, goodImages[4:]...), goodLabels, "images", "magic number 0xdeadbeef, want 0x00000803"},
		{"wrong size", IDXImages(3, 32, 24, make([]byte, 3*32*24)), goodLabels, "images", "images are 32×24, want 28×28"},
		{"truncated pixels", goodImages[:len(goodImages)-400], goodLabels, "images", "truncated: header says 3 images (2352 bytes after the header), data has 1952 bytes"},
		{"truncated labels", goodImages, goodLabels[:len(goodLabels)-1], "labels", "truncated: header says 3 labels (3 bytes after the header), data has 2 bytes"},
		{"extra pixels", append(goodImages, 0), goodLabels, "images", "header says 3 images (2352 bytes after the header), data has more"},
		{"extra labels", goodImages, append(goodLabels, 1), "labels", "header says 3 labels (3 bytes after the header), data has more"},
		{"huge count", IDXImages(1<<32-1, 28, 28, Pixels(3)), goodLabels, "images", "truncated: header says 4294967295 images"},
		{"truncated gzip", Gzip(t, goodImages)[:60], goodLabels, "images", "truncated: header says 3 images"},
		{"gzip checksum", badCRC, goodLabels, "images", "corrupt: at the end of the data: gzip: invalid checksum"},
		{"gzip data", badDeflate, goodLabels, "images", "corrupt:"},
		{"label out of range", goodImages, IDXLabels(3, []byte{1, 12, 3}), "labels", "label 1 is 12, want 0 to 9"},
		{"fewer labels", goodImages, IDXLabels(2, Labels(2)), "both", "3 images but 2 labels"},
		{"more labels", goodImages, Gzip(t, IDXLabels(4, Labels(4))), "both", "3 images but 4 labels"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			images, labels := filepath.Join(dir, "images.idx"), filepath.Join(dir, "labels.idx")
			WriteFile(t, images, tt.images)
			WriteFile(t, labels, tt.labels)
			_, err := data.ReadSet(images, labels)
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.want) {
				t.Errorf("error %q does not say %q", msg, tt.want)
			}
			if tt.blame != "labels" && !strings.Contains(msg, images) {
				t.Errorf("error %q does not name %s", msg, images)
			}
			if tt.blame != "images" && !strings.Contains(msg, labels) {
				t.Errorf("error %q does not name %s", msg, labels)
			}
		})
	}
}

func TestReadSet_Missing(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nothing")
	_, err := data.ReadSet(missing, missing)
	if !os.IsNotExist(err) || !strings.Contains(err.Error(), missing) {
		t.Fatalf("err = %v, want a not-exist error naming %s", err, missing)
	}
}

func TestNewSet_Errors(t *testing.T) {
	if _, err := data.NewSet(Pixels(2), Labels(3)); err == nil || !strings.Contains(err.Error(), "1568 bytes of pixels for 3 labels, want 2352") {
		t.Errorf("pixels for 2 images, 3 labels: err = %v", err)
	}
	if _, err := data.NewSet(Pixels(2), []byte{3, 10}); err == nil || !strings.Contains(err.Error(), "label 1 is 10") {
		t.Errorf("label 10: err = %v", err)
	}
}

// FuzzReadIDX checks that no input makes the reader panic or return data
// that breaks its promises.
func FuzzReadIDX(f *testing.F) {
	images, labels := IDXImages(2, 28, 28, Pixels(2)), IDXLabels(2, Labels(2))
	for _, b := range [][]byte{
		images, labels, Gzip(f, images), Gzip(f, labels),
		images[:20], labels[:9], Gzip(f, images)[:40],
		ModuleFile(f, testLabels),
		{}, {0x1f, 0x8b}, {0, 0, 8, 3, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 28, 0, 0, 0, 28},
	} {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		px, err := data.ReadImages(bytes.NewReader(b), "fuzz")
		switch {
		case err != nil && !strings.HasPrefix(err.Error(), "read fuzz: "):
			t.Errorf("ReadImages: error %q does not name the input", err)
		case err == nil && len(px)%data.ImageSize != 0:
			t.Errorf("ReadImages: %d bytes, not whole images", len(px))
		}
		lb, err := data.ReadLabels(bytes.NewReader(b), "fuzz")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "read fuzz: ") {
				t.Errorf("ReadLabels: error %q does not name the input", err)
			}
			return
		}
		for i, l := range lb {
			if l >= data.NumClasses {
				t.Fatalf("ReadLabels: label %d is %d", i, l)
			}
		}
	})
}
