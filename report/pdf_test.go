package report

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"

	"motcua"
)

// render returns the PDF of d.
func render(t testing.TB, d *Document) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := WritePDF(&buf, d); err != nil {
		t.Fatalf("WritePDF(form %s): %v", d.Form, err)
	}
	return buf.Bytes()
}

// pdfText extracts the text of a PDF with pdftotext (Debian package
// poppler-utils) in mode "layout" or "raw", normalised to NFC with runs of
// white space collapsed to one space. Without pdftotext the test is
// skipped, or fails under CI=true.
func pdfText(t *testing.T, pdf []byte, mode string) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("pdftotext not found: CI must install the Debian package poppler-utils")
		}
		t.Skip("pdftotext not found: install poppler-utils (apt-get install -y poppler-utils) to check the PDF text")
	}
	in := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-"+mode, "-enc", "UTF-8", in, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext -%s: %v", mode, err)
	}
	return strings.Join(strings.Fields(norm.NFC.String(string(out))), " ")
}

// pages returns the number of pages of a PDF written by WritePDF.
func pages(t *testing.T, pdf []byte) int {
	t.Helper()
	m := regexp.MustCompile(`/Type /Pages\s*/Kids \[[^\]]*\]\s*/Count (\d+)`).FindSubmatch(pdf)
	if m == nil {
		t.Fatal("no page tree in the PDF")
	}
	n, _ := strconv.Atoi(string(m[1]))
	return n
}

func TestWritePDFText(t *testing.T) {
	common := []string{
		"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
		"Độc lập - Tự do - Hạnh phúc",
		"UBND QUẬN BA ĐÌNH",
		"UBND PHƯỜNG PHÚC XÁ",
		"Nguyễn Thị Hồng Nhung",
		"000.00.01.H26-260302-0007",
		"https://dichvucong.hanoi.gov.vn/tra-cuu/000.00.01.H26-260302-0007",
		"Đăng ký khai sinh",
		"Trần Văn Đức",
	}
	tests := []struct {
		form Form
		text []string // in the -layout text
		raw  []string // in the -raw text (table cells, which wrap)
	}{
		{Receipt, []string{
			"Hà Nội, ngày 02 tháng 3 năm 2026",
			"NGƯỜI NỘP HỒ SƠ NGƯỜI TIẾP NHẬN HỒ SƠ (Ký và ghi rõ họ tên)",
			"Thời gian nhận hồ sơ: 09 giờ 15 phút, ngày 02 tháng 3 năm 2026",
			"09 giờ 15 phút, ngày 05 tháng 3 năm 2026",
			"3 ngày làm việc kể từ khi nhận hồ sơ",
			"Tờ khai đăng ký khai sinh theo mẫu",
			"Giấy chứng sinh do cơ sở y tế nơi trẻ sinh ra cấp",
			"Giấy khai sinh",
		}, []string{"Bản sao có chứng thực"}},
		{SupplementRequest, []string{
			"NGƯỜI HƯỚNG DẪN (Ký và ghi rõ họ tên)",
			"1. Giấy chứng sinh bản chính do cơ sở y tế nơi trẻ sinh ra cấp",
			"2. Văn bản ủy quyền có chứng thực của cha hoặc mẹ trẻ (người đi đăng ký là ông bà ngoại)",
			"3. Tờ khai ghi rõ quê quán của người cha theo giấy tờ tùy thân",
			"Hồ sơ thiếu thành phần bắt buộc",
		}, nil},
		{Refusal, []string{
			"NGƯỜI TIẾP NHẬN HỒ SƠ (Ký và ghi rõ họ tên)",
			"1. Việc khai sinh thuộc thẩm quyền của Ủy ban nhân dân nơi cư trú của người mẹ",
			"2. Người nộp không xuất trình được giấy tờ chứng minh nhân thân",
		}, nil},
		{Apology, []string{
			"Hà Nội, ngày 05 tháng 3 năm 2026",
			"THỦ TRƯỞNG CƠ QUAN (Ký, ghi rõ họ tên và đóng dấu)",
			"09 giờ 15 phút, ngày 05 tháng 3 năm 2026",
			"16 giờ 00 phút, ngày 09 tháng 3 năm 2026",
			"Hồ sơ cần xác minh thông tin với Ủy ban nhân dân xã Đông Anh",
			"xin lỗi",
		}, nil},
		{StopNotice, []string{
			"THỦ TRƯỞNG CƠ QUAN (Ký, ghi rõ họ tên và đóng dấu)",
			"1. Người nộp hồ sơ có văn bản đề nghị rút hồ sơ ngày 04/3/2026",
			"2. Hồ sơ không được bổ sung trong thời hạn đã hẹn",
		}, nil},
		{ControlSlip, []string{
			"Tên bước", "Bên giao", "Bên nhận", "Hạn xử lý", "Kết quả", "Ghi chú",
			"Trễ hạn", "Đúng hạn",
			"NGƯỜI TIẾP NHẬN HỒ SƠ (Ký và ghi rõ họ tên)",
		}, []string{
			"Tiếp nhận hồ sơ", "Thẩm định hồ sơ", "Trình ký", "Trả kết quả",
			"Lê Thị Thu Hà (công chức tư pháp - hộ tịch)",
			"Phạm Quốc Khánh (Phó Chủ tịch UBND phường)",
			"Lãnh đạo đi công tác",
			"16:45 03/03/2026", "15:10 04/03/2026",
			"Thời gian hoàn thành",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.form.String(), func(t *testing.T) {
			pdf := render(t, sampleDocument(tt.form))
			if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
				t.Fatal("output is not a PDF")
			}
			if !bytes.Contains(pdf, []byte("/Subtype /Image")) {
				t.Error("the PDF has no image (the QR code)")
			}
			text := pdfText(t, pdf, "layout")
			want := append([]string{tt.form.Title(), "Mẫu số " + tt.form.String()}, common...)
			for _, s := range append(want, tt.text...) {
				if !strings.Contains(text, s) {
					t.Errorf("text lacks %q", s)
				}
			}
			raw := pdfText(t, pdf, "raw")
			for _, s := range tt.raw {
				if !strings.Contains(raw, s) {
					t.Errorf("raw text lacks %q", s)
				}
			}
			if t.Failed() {
				t.Logf("text:\n%s", text)
			}
		})
	}
}

// TestWritePDFLongList checks that long lists and tables flow onto further
// pages with nothing lost.
func TestWritePDFLongList(t *testing.T) {
	tests := []struct {
		form   Form
		change func(d *Document)
		want   []string
		mode   string
	}{
		{SupplementRequest, func(d *Document) { d.Items = numbered("Giấy tờ", 60) }, nil, "layout"},
		{Refusal, func(d *Document) { d.Reasons = numbered("Lý do", 60) }, nil, "layout"},
		{Receipt, func(d *Document) {
			d.Documents = nil
			for _, s := range numbered("Giấy tờ", 60) {
				d.Documents = append(d.Documents, Item{Name: s, Copies: 1, Note: "Bản sao"})
			}
		}, nil, "raw"},
		{ControlSlip, func(d *Document) {
			base := d.Steps[1]
			d.Steps = nil
			for i, s := range numbered("Bước", 60) {
				st := base
				st.Name = s[:len("Bước ")+len(strconv.Itoa(i+1))]
				d.Steps = append(d.Steps, st)
			}
		}, nil, "raw"},
	}
	for _, tt := range tests {
		t.Run(tt.form.String(), func(t *testing.T) {
			d := sampleDocument(tt.form)
			tt.change(d)
			pdf := render(t, d)
			if n := pages(t, pdf); n < 2 {
				t.Errorf("%d page(s), want the list to flow onto further pages", n)
			}
			text := pdfText(t, pdf, tt.mode)
			var want []string
			switch tt.form {
			case SupplementRequest:
				for i := range d.Items {
					want = append(want, strconv.Itoa(i+1)+". Giấy tờ "+strconv.Itoa(i+1)+":")
				}
			case Refusal:
				for i := range d.Reasons {
					want = append(want, strconv.Itoa(i+1)+". Lý do "+strconv.Itoa(i+1)+":")
				}
			case Receipt:
				for i := range d.Documents {
					want = append(want, "Giấy tờ "+strconv.Itoa(i+1)+":")
				}
			case ControlSlip:
				for _, s := range d.Steps {
					want = append(want, s.Name+" ")
				}
			}
			for _, s := range want {
				if !strings.Contains(text, s) {
					t.Errorf("text lacks %q", s)
				}
			}
			// The signature block comes after the whole list.
			if !strings.Contains(text, "(Ký") {
				t.Error("no signature block")
			}
			last := "Trang " + strconv.Itoa(pages(t, pdf)) + "/" + strconv.Itoa(pages(t, pdf))
			if !strings.Contains(text, last) {
				t.Errorf("text lacks the page number %q", last)
			}
		})
	}
}

func TestWritePDFDeterministic(t *testing.T) {
	for f := Receipt; f <= ControlSlip; f++ {
		a, b := render(t, sampleDocument(f)), render(t, sampleDocument(f))
		if !bytes.Equal(a, b) {
			t.Errorf("form %s: two renderings of the same document differ", f)
		}
	}
}

func TestWritePDFInvalid(t *testing.T) {
	d := sampleDocument(SupplementRequest)
	d.Items = nil
	var buf bytes.Buffer
	err := WritePDF(&buf, d)
	var e *motcua.Error
	if !errors.As(err, &e) || e.Code != motcua.EINVALID || len(e.Fields) != 1 || e.Fields[0].Field != "items" {
		t.Fatalf("WritePDF(form 02 without items) = %v, want EINVALID naming items", err)
	}
	if buf.Len() != 0 {
		t.Errorf("WritePDF wrote %d bytes for an invalid document", buf.Len())
	}
	if err := WritePDF(&buf, nil); err == nil {
		t.Error("WritePDF(nil) succeeded")
	}
}

// TestWritePDFOddText renders text the font cannot show or the writer
// cannot measure: it must not fail or panic.
func TestWritePDFOddText(t *testing.T) {
	d := sampleDocument(SupplementRequest)
	d.Applicant.Name = "Nguye\u0302\u0303n Thị\tHồng\x00 Nhung 👍"
	d.Items = []string{strings.Repeat("Không_có_khoảng_trắng_", 30), "Dòng một\nDòng hai\r\n", "中文 ∑ \u200b"}
	d.VerifyURL = "https://dichvucong.hanoi.gov.vn/" + strings.Repeat("a", 300)
	d.Issuer = strings.Repeat("Ủy ban nhân dân phường rất dài ", 5)
	pdf := render(t, d)
	text := pdfText(t, pdf, "layout")
	if !strings.Contains(text, "Nguyễn Thị Hồng Nhung ?") {
		t.Errorf("text lacks the cleaned name:\n%s", text)
	}
}

func TestWritePDFWithoutURL(t *testing.T) {
	d := sampleDocument(Receipt)
	d.VerifyURL = ""
	pdf := render(t, d)
	if !bytes.Contains(pdf, []byte("/Subtype /Image")) {
		t.Error("no QR code when there is no verification address")
	}
}

func TestWritePDFWriterError(t *testing.T) {
	if err := WritePDF(failingWriter{}, sampleDocument(Receipt)); err == nil {
		t.Error("WritePDF to a failing writer succeeded")
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func BenchmarkWritePDF(b *testing.B) {
	for _, f := range []Form{Receipt, ControlSlip} {
		d := sampleDocument(f)
		b.Run("form"+f.String(), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := WritePDF(io.Discard, d); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
