package report

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/go-pdf/fpdf"
)

// Page geometry in millimetres (A4 portrait) and type sizes in points.
const (
	family       = "dejavu"
	marginLeft   = 25.0
	marginRight  = 15.0
	marginTop    = 15.0
	marginBottom = 18.0
	qrSize       = 25.0
	bodySize     = 11.0
	lineHeight   = 6.0
)

// WritePDF renders the form d.Form of d as an A4 PDF into w. It validates d
// first and returns the *motcua.Error of Validate, wrapped, when a field
// the form needs is missing.
func WritePDF(w io.Writer, d *Document) error {
	if d == nil {
		return errors.New("report: nil document")
	}
	if err := d.Validate(); err != nil {
		return fmt.Errorf("report: form %s: %w", d.Form, err)
	}
	r, err := newRenderer(d)
	if err != nil {
		return err
	}
	r.f.AddPage()
	r.header()
	switch d.Form {
	case Receipt:
		r.receipt()
	case SupplementRequest:
		r.supplementRequest()
	case Refusal:
		r.refusal()
	case Apology:
		r.apology()
	case StopNotice:
		r.stopNotice()
	case ControlSlip:
		r.controlSlip()
	}
	if err := r.f.Output(w); err != nil {
		return fmt.Errorf("report: render form %s of dossier %s: %w", d.Form, d.DossierCode, err)
	}
	return nil
}

// renderer draws one document.
type renderer struct {
	f *fpdf.Fpdf
	d *Document
	w float64 // width between the margins
}

func newRenderer(d *Document) (*renderer, error) {
	f := fpdf.NewCustom(&fpdf.InitType{OrientationStr: "P", UnitStr: "mm", SizeStr: "A4"})
	r := &renderer{f: f, d: d}
	pw, _ := f.GetPageSize()
	r.w = pw - marginLeft - marginRight
	f.SetMargins(marginLeft, marginTop, marginRight)
	f.SetAutoPageBreak(true, marginBottom)
	f.AddUTF8FontFromBytes(family, "", fontRegular)
	f.AddUTF8FontFromBytes(family, "B", fontBold)
	f.AddUTF8FontFromBytes(family, "I", fontItalic)

	// The same document gives the same bytes.
	f.SetCatalogSort(true)
	f.SetCreationDate(d.IssuedAt)
	f.SetModificationDate(d.IssuedAt)
	f.SetTitle(clean(d.Form.Title()+" "+d.DossierCode), true)
	f.SetSubject(clean("Mẫu số "+d.Form.String()), true)
	f.SetAuthor(clean(d.Issuer), true)
	f.SetCreator("motcua", false)
	f.SetLang("vi-VN")
	f.AliasNbPages("{nb}")
	f.SetFooterFunc(r.footer)

	content := d.VerifyURL
	if content == "" {
		content = d.DossierCode
	}
	m, err := qrMatrix(content)
	if err != nil {
		return nil, err
	}
	img, err := qrPNG(m)
	if err != nil {
		return nil, err
	}
	f.RegisterImageOptionsReader("qr", fpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(img))
	if err := f.Error(); err != nil {
		return nil, fmt.Errorf("report: prepare form %s: %w", d.Form, err)
	}
	return r, nil
}

// font selects a face of DejaVu Sans: "" regular, "B" bold, "I" oblique.
func (r *renderer) font(style string, size float64) { r.f.SetFont(family, style, size) }

// header draws the administrative header: the issuing body on the left,
// the national name and motto on the right, the form number above them,
// then the dossier code with its QR code, the date line and the title.
func (r *renderer) header() {
	f, d := r.f, r.d
	const leftW = 74.0
	rightW := r.w - leftW - 2
	rightX := marginLeft + r.w - rightW

	r.font("I", 9)
	f.SetXY(marginLeft, 8)
	f.CellFormat(r.w, 4, "Mẫu số "+d.Form.String(), "", 0, "R", false, 0, "")

	// Left: the governing body and the issuer, a short rule under them.
	f.SetXY(marginLeft, marginTop)
	if d.Governing != "" {
		r.font("", 10)
		f.MultiCell(leftW, 5, clean(upper(d.Governing)), "", "C", false)
		f.SetX(marginLeft)
	}
	r.font("B", 10)
	f.MultiCell(leftW, 5, clean(upper(d.Issuer)), "", "C", false)
	yl := f.GetY() + 1
	f.SetLineWidth(0.3)
	f.Line(marginLeft+leftW/2-15, yl, marginLeft+leftW/2+15, yl)

	// Right: the national name and the motto, the motto underlined.
	f.SetXY(rightX, marginTop)
	r.font("B", 10)
	f.MultiCell(rightW, 5, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "", "C", false)
	f.SetX(rightX)
	r.font("B", 10.5)
	const motto = "Độc lập - Tự do - Hạnh phúc"
	f.MultiCell(rightW, 5.5, motto, "", "C", false)
	yr := f.GetY() + 1
	mw := f.GetStringWidth(motto)
	f.Line(rightX+(rightW-mw)/2, yr, rightX+(rightW+mw)/2, yr)

	// The dossier code with its QR code under it on the left, the date
	// line on the right.
	y := max(yl, yr) + 3
	f.SetXY(marginLeft, y)
	r.font("", 10)
	f.CellFormat(leftW, 5, clean("Mã hồ sơ: "+d.DossierCode), "", 0, "C", false, 0, "")
	f.SetXY(rightX, y)
	r.font("I", 10.5)
	f.CellFormat(rightW, 5, clean(FormatDateLine(d.Place, d.IssuedAt)), "", 0, "C", false, 0, "")
	qy := y + 6
	link := ""
	if strings.HasPrefix(d.VerifyURL, "https://") || strings.HasPrefix(d.VerifyURL, "http://") {
		link = d.VerifyURL
	}
	f.ImageOptions("qr", marginLeft+(leftW-qrSize)/2, qy, qrSize, qrSize, false,
		fpdf.ImageOptions{ImageType: "PNG"}, 0, link)
	f.SetXY(marginLeft, qy+qrSize+0.5)
	if u := clean(d.VerifyURL); u != "" {
		// The address is shrunk to fit on one line when it can be, since
		// a URL broken across lines is hard to type.
		size := 7.0
		for r.font("", size); size > 5 && f.GetStringWidth(u) > leftW-2; size -= 0.5 {
			r.font("", size-0.5)
		}
		f.MultiCell(leftW, 3, u, "", "C", false)
	}

	f.SetY(max(f.GetY(), qy+qrSize) + 4)
	r.font("B", 13)
	f.MultiCell(r.w, 6.5, clean(d.Form.Title()), "", "C", false)
	f.Ln(4)
	r.font("", bodySize)
}

// footer prints the form number, the dossier code and the page number at
// the bottom of every page.
func (r *renderer) footer() {
	r.f.SetY(-12)
	r.font("I", 8)
	r.f.CellFormat(0, 5, clean(fmt.Sprintf("Mẫu số %s · Mã hồ sơ: %s · Trang %d/{nb}",
		r.d.Form, r.d.DossierCode, r.f.PageNo())), "", 0, "C", false, 0, "")
}

// span is a run of text in one face.
type span struct {
	style string
	text  string
}

func plain(s string) span  { return span{"", s} }
func bold(s string) span   { return span{"B", s} }
func italic(s string) span { return span{"I", s} }

// para writes a paragraph of spans that wraps at the right margin, its
// first line indented by indent.
func (r *renderer) para(indent float64, spans ...span) {
	r.f.SetX(marginLeft + indent)
	for _, s := range spans {
		r.font(s.style, bodySize)
		r.f.Write(lineHeight, clean(s.text))
	}
	r.f.Ln(lineHeight)
	r.font("", bodySize)
}

// field writes "label: value" with the value in bold; an empty value
// writes nothing.
func (r *renderer) field(label, value string) {
	if strings.TrimSpace(value) == "" {
		return
	}
	r.para(0, plain(label+": "), bold(value))
}

// list writes numbered items with a hanging indent; long items wrap under
// their text and long lists flow onto further pages.
func (r *renderer) list(items []string) {
	const numW = 10.0
	lm := marginLeft + 5
	for i, it := range items {
		r.font("", bodySize)
		r.f.SetX(lm)
		r.f.CellFormat(numW, lineHeight, fmt.Sprintf("%d.", i+1), "", 0, "L", false, 0, "")
		r.f.SetLeftMargin(lm + numW)
		r.f.SetX(lm + numW)
		r.f.MultiCell(0, lineHeight, clean(it), "", "L", false)
		r.f.SetLeftMargin(marginLeft)
	}
	r.f.SetX(marginLeft)
}

// column is a column of a table.
type column struct {
	title string
	width float64
	align string
}

// table draws a grid with a header row that is repeated on every page the
// table flows onto. Cells wrap; a row never splits across pages.
func (r *renderer) table(size float64, cols []column, rows [][]string) {
	f := r.f
	lh := size * 0.45
	const pad = 1.0
	_, ph := f.GetPageSize()
	bottom := ph - marginBottom

	lines := func(style string, cells []string) ([][]string, float64) {
		r.font(style, size)
		out := make([][]string, len(cols))
		n := 1
		for i, c := range cols {
			text := ""
			if i < len(cells) {
				text = clean(cells[i])
			}
			ls := f.SplitText(text, c.width)
			if len(ls) == 0 {
				ls = []string{""}
			}
			out[i] = ls
			n = max(n, len(ls))
		}
		return out, float64(n)*lh + 2*pad
	}
	draw := func(style string, fill bool, cells [][]string, h float64) {
		r.font(style, size)
		x, y := marginLeft, f.GetY()
		for i, c := range cols {
			if fill {
				f.SetFillColor(230, 230, 230)
				f.Rect(x, y, c.width, h, "FD")
			} else {
				f.Rect(x, y, c.width, h, "D")
			}
			align := c.align
			if fill {
				align = "C"
			}
			for j, l := range cells[i] {
				f.SetXY(x, y+pad+float64(j)*lh)
				f.CellFormat(c.width, lh, l, "", 0, align, false, 0, "")
			}
			x += c.width
		}
		f.SetXY(marginLeft, y+h)
	}

	titles := make([]string, len(cols))
	for i, c := range cols {
		titles[i] = c.title
	}
	head, headH := lines("B", titles)
	f.SetLineWidth(0.2)
	if f.GetY()+headH+lh+2*pad > bottom {
		f.AddPage()
	}
	draw("B", true, head, headH)
	for _, row := range rows {
		cells, h := lines("", row)
		if f.GetY()+h > bottom {
			f.AddPage()
			draw("B", true, head, headH)
		}
		draw("", false, cells, h)
	}
	f.SetLineWidth(0.3)
	f.Ln(3)
	r.font("", bodySize)
}

// signer is a signature block: the signer's title, the hint under it and
// the name under the space left for the signature.
type signer struct {
	title, hint, name string
}

// signatures draws one block on the right half of the page or two side by
// side, on a new page when too little room is left.
func (r *renderer) signatures(ss ...signer) {
	f := r.f
	const height = 44.0
	_, ph := f.GetPageSize()
	if f.GetY()+height > ph-marginBottom {
		f.AddPage()
	}
	y := f.GetY() + 4
	colW := r.w / 2
	for i, s := range ss {
		x := marginLeft + colW*float64(i)
		if len(ss) == 1 {
			x = marginLeft + colW
		}
		f.SetXY(x, y)
		r.font("B", bodySize)
		f.CellFormat(colW, 6, clean(upper(s.title)), "", 0, "C", false, 0, "")
		f.SetXY(x, y+6)
		r.font("I", 10)
		f.CellFormat(colW, 5, clean(s.hint), "", 0, "C", false, 0, "")
		if s.name != "" {
			f.SetXY(x, y+34)
			r.font("B", bodySize)
			f.CellFormat(colW, 6, clean(s.name), "", 0, "C", false, 0, "")
		}
	}
	f.SetXY(marginLeft, y+height-4)
	r.font("", bodySize)
}
