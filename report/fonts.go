package report

import _ "embed"

// The DejaVu Sans faces (fonts/LICENSE). WritePDF embeds the glyphs each
// document uses.
var (
	//go:embed fonts/DejaVuSans.ttf
	fontRegular []byte
	//go:embed fonts/DejaVuSans-Bold.ttf
	fontBold []byte
	//go:embed fonts/DejaVuSans-Oblique.ttf
	fontItalic []byte
)
