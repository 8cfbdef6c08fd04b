package report

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const testURL = "https://dichvucong.hanoi.gov.vn/tra-cuu/000.00.01.H26-260302-0007"

func TestQRMatrix(t *testing.T) {
	for _, content := range []string{testURL, "000.00.01.H26-260302-0007", "https://x.vn/" + strings.Repeat("0123456789", 40)} {
		m, err := qrMatrix(content)
		if err != nil {
			t.Fatalf("qrMatrix(%q): %v", content, err)
		}
		n := len(m)
		// A version v symbol has 17+4v modules a side, plus 4 quiet
		// modules on each side.
		if v := (n - 8 - 17) / 4; n < 21+8 || (n-8-17)%4 != 0 || v < 1 || v > 40 {
			t.Fatalf("qrMatrix(%q) is %d modules wide, not a QR symbol", content, n)
		}
		dark := 0
		for y, row := range m {
			if len(row) != n {
				t.Fatalf("row %d has %d modules, want %d", y, len(row), n)
			}
			for x, d := range row {
				if d {
					dark++
				}
				quiet := x < 4 || y < 4 || x >= n-4 || y >= n-4
				if quiet && d {
					t.Fatalf("dark module (%d,%d) in the quiet zone", x, y)
				}
			}
		}
		if dark == 0 {
			t.Fatal("no dark module")
		}
		// The three finder patterns: a dark 7×7 ring around a dark 3×3
		// centre, top left, top right and bottom left.
		for _, o := range [][2]int{{4, 4}, {n - 11, 4}, {4, n - 11}} {
			for dy := 0; dy < 7; dy++ {
				for dx := 0; dx < 7; dx++ {
					ring := dx == 0 || dy == 0 || dx == 6 || dy == 6
					centre := dx >= 2 && dx <= 4 && dy >= 2 && dy <= 4
					if want := ring || centre; m[o[1]+dy][o[0]+dx] != want {
						t.Fatalf("finder pattern at %v: module (%d,%d) is %v", o, dx, dy, !want)
					}
				}
			}
		}
		again, _ := qrMatrix(content)
		if !reflect.DeepEqual(m, again) {
			t.Error("qrMatrix is not deterministic")
		}
	}
	a, _ := qrMatrix(testURL)
	b, _ := qrMatrix(testURL + "8")
	if reflect.DeepEqual(a, b) {
		t.Error("different contents give the same matrix")
	}
}

func TestQRPNG(t *testing.T) {
	m, err := qrMatrix(testURL)
	if err != nil {
		t.Fatal(err)
	}
	b, err := qrPNG(m)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if img.Bounds().Dx() != len(m) || img.Bounds().Dy() != len(m) {
		t.Fatalf("image is %v, want %d×%d", img.Bounds(), len(m), len(m))
	}
	for y := range m {
		for x := range m[y] {
			g := color.GrayModel.Convert(img.At(x, y)).(color.Gray).Y
			if (g == 0) != m[y][x] {
				t.Fatalf("pixel (%d,%d) = %d, module dark = %v", x, y, g, m[y][x])
			}
		}
	}
}

// TestQRDecode reads the code back with zbarimg (Debian package
// zbar-tools) when it is installed.
func TestQRDecode(t *testing.T) {
	bin, err := exec.LookPath("zbarimg")
	if err != nil {
		t.Skip("zbarimg not found: install zbar-tools to decode the QR code")
	}
	m, err := qrMatrix(testURL)
	if err != nil {
		t.Fatal(err)
	}
	const scale = 8
	big := image.NewGray(image.Rect(0, 0, len(m)*scale, len(m)*scale))
	for y := range big.Bounds().Dy() {
		for x := range big.Bounds().Dx() {
			if !m[y/scale][x/scale] {
				big.SetGray(x, y, color.Gray{Y: 0xFF})
			}
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, big); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "qr.png")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "--quiet", "--raw", path).Output()
	if err != nil {
		t.Fatalf("zbarimg: %v", err)
	}
	if got := strings.TrimSpace(string(out)); got != testURL {
		t.Errorf("QR code decodes to %q, want %q", got, testURL)
	}
}

// TestQRDecodePDF reads the QR code back from a rendered page with
// pdftoppm and zbarimg when both are installed.
func TestQRDecodePDF(t *testing.T) {
	zbar, err := exec.LookPath("zbarimg")
	if err != nil {
		t.Skip("zbarimg not found: install zbar-tools to decode the QR code")
	}
	ppm, err := exec.LookPath("pdftoppm")
	if err != nil {
		t.Skip("pdftoppm not found: install poppler-utils to rasterise the PDF")
	}
	dir := t.TempDir()
	pdf := filepath.Join(dir, "form01.pdf")
	if err := os.WriteFile(pdf, render(t, sampleDocument(Receipt)), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(ppm, "-r", "300", "-png", "-singlefile", pdf, filepath.Join(dir, "page")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v: %s", err, out)
	}
	out, err := exec.Command(zbar, "--quiet", "--raw", filepath.Join(dir, "page.png")).Output()
	if err != nil {
		t.Fatalf("zbarimg: %v", err)
	}
	if got := strings.TrimSpace(string(out)); got != testURL {
		t.Errorf("the page's QR code decodes to %q, want %q", got, testURL)
	}
}
