package report

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"

	qrcode "github.com/skip2/go-qrcode"
)

// qrMatrix returns the modules of a QR code of content, including the
// quiet zone of four modules; true is dark. Level M recovers from 15 %
// damage, enough for a printed slip.
func qrMatrix(content string) ([][]bool, error) {
	q, err := qrcode.New(content, qrcode.Medium)
	if err != nil {
		return nil, fmt.Errorf("report: QR code of %q: %w", content, err)
	}
	return q.Bitmap(), nil
}

// qrPNG encodes a QR matrix as a grey PNG with one pixel per module; the
// PDF scales it up without smoothing.
func qrPNG(m [][]bool) ([]byte, error) {
	img := image.NewGray(image.Rect(0, 0, len(m), len(m)))
	for y, row := range m {
		for x, dark := range row {
			if dark {
				img.SetGray(x, y, color.Gray{Y: 0})
			} else {
				img.SetGray(x, y, color.Gray{Y: 0xFF})
			}
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("report: encode QR code: %w", err)
	}
	return buf.Bytes(), nil
}
