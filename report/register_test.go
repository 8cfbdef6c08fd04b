package report

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// sampleRegister returns a register of n dossiers.
func sampleRegister(n int) *Register {
	r := &Register{
		Issuer: "UBND Phường Phúc Xá",
		From:   at(2026, time.March, 1, 0, 0),
		To:     at(2026, time.March, 31, 23, 59),
	}
	for i := range n {
		received := at(2026, time.March, 2, 8, 0).Add(time.Duration(i) * 7 * time.Minute)
		row := RegisterRow{
			Code:       fmt.Sprintf("000.00.01.H26-260302-%04d", i+1),
			Procedure:  "Đăng ký khai sinh",
			Applicant:  fmt.Sprintf("Nguyễn Thị Hồng Nhung %d", i+1),
			Address:    "Số 12 ngõ 45 phố Phúc Xá, phường Phúc Xá, quận Ba Đình, Hà Nội",
			Phone:      "0912345678",
			ReceivedAt: received,
			DueAt:      received.Add(72 * time.Hour),
			Agency:     "UBND Phường Phúc Xá",
			Status:     "Đang giải quyết",
		}
		if i%3 == 0 {
			row.FinishedAt = received.Add(24 * time.Hour)
			row.ReturnedAt = received.Add(26 * time.Hour)
			row.Status = "Đã trả kết quả"
			row.Outcome = Outcome(row.FinishedAt, row.DueAt)
			row.Transferred = "Công an quận Ba Đình; Sở Tư pháp Hà Nội"
			row.Note = "Liên thông đăng ký thường trú"
		}
		r.Rows = append(r.Rows, row)
	}
	return r
}

func TestWriteRegister(t *testing.T) {
	const n = 1000
	reg := sampleRegister(n)
	// A time in another zone is shown in Asia/Ho_Chi_Minh: 02:15 UTC is
	// 09:15 in Hanoi.
	reg.Rows[1].ReceivedAt = time.Date(2026, time.March, 2, 2, 15, 0, 0, time.UTC)
	var buf bytes.Buffer
	if err := WriteRegister(&buf, reg); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheet := f.GetSheetName(0)
	if sheet != "Sổ theo dõi hồ sơ" {
		t.Errorf("sheet %q", sheet)
	}
	cell := func(ref string) string {
		t.Helper()
		v, err := f.GetCellValue(sheet, ref)
		if err != nil {
			t.Fatalf("%s: %v", ref, err)
		}
		return v
	}

	tests := []struct{ ref, want string }{
		{"A1", "UBND PHƯỜNG PHÚC XÁ"},
		{"M1", "Mẫu số 07"},
		{"A2", "SỔ THEO DÕI HỒ SƠ"},
		{"A3", "Từ ngày 01/03/2026 đến ngày 31/03/2026"},
		// The header row.
		{"A5", "STT"}, {"B5", "Mã hồ sơ"}, {"C5", "Tên thủ tục"}, {"D5", "Tên tổ chức/cá nhân"},
		{"E5", "Địa chỉ"}, {"F5", "Số điện thoại"}, {"G5", "Cơ quan giải quyết"}, {"H5", "Ngày nhận"},
		{"I5", "Ngày hẹn trả"}, {"J5", "Chuyển liên thông"}, {"K5", "Ngày có kết quả"},
		{"L5", "Ngày trả kết quả"}, {"M5", "Tình trạng"}, {"N5", "Trước/đúng/trễ hạn"}, {"O5", "Ghi chú"},
		// The first dossier.
		{"A6", "1"},
		{"B6", "000.00.01.H26-260302-0001"},
		{"C6", "Đăng ký khai sinh"},
		{"D6", "Nguyễn Thị Hồng Nhung 1"},
		{"E6", "Số 12 ngõ 45 phố Phúc Xá, phường Phúc Xá, quận Ba Đình, Hà Nội"},
		{"F6", "0912345678"},
		{"G6", "UBND Phường Phúc Xá"},
		{"H6", "02/03/2026 08:00"},
		{"I6", "05/03/2026 08:00"},
		{"J6", "Công an quận Ba Đình; Sở Tư pháp Hà Nội"},
		{"K6", "03/03/2026 08:00"},
		{"L6", "03/03/2026 10:00"},
		{"M6", "Đã trả kết quả"},
		{"N6", "Trước hạn"},
		{"O6", "Liên thông đăng ký thường trú"},
		// The second: open, received in another zone.
		{"H7", "02/03/2026 09:15"},
		{"K7", ""},
		{"M7", "Đang giải quyết"},
		{"N7", ""},
		// The last.
		{fmt.Sprintf("A%d", 5+n), fmt.Sprint(n)},
		{fmt.Sprintf("B%d", 5+n), fmt.Sprintf("000.00.01.H26-260302-%04d", n)},
		{fmt.Sprintf("D%d", 5+n), fmt.Sprintf("Nguyễn Thị Hồng Nhung %d", n)},
		{fmt.Sprintf("A%d", 6+n), ""},
	}
	for _, tt := range tests {
		if got := cell(tt.ref); got != tt.want {
			t.Errorf("%s = %q, want %q", tt.ref, got, tt.want)
		}
	}

	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 5+n {
		t.Errorf("%d rows, want %d", len(rows), 5+n)
	}
	for i, row := range rows[5:] {
		if want := reg.Rows[i].Applicant; len(row) < 4 || row[3] != want {
			t.Fatalf("row %d: applicant %q, want %q", 6+i, row, want)
		}
	}

	// Dates are date-times, not text, so they sort and filter.
	if typ, err := f.GetCellType(sheet, "H6"); err != nil || typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString {
		t.Errorf("H6 has type %v (%v), want a date-time number", typ, err)
	}
	panes, err := f.GetPanes(sheet)
	if err != nil {
		t.Fatal(err)
	}
	if !panes.Freeze || panes.YSplit != 5 || panes.TopLeftCell != "A6" {
		t.Errorf("panes %+v, want rows 1 to 5 frozen", panes)
	}
	for col, want := range map[string]float64{"A": 6, "C": 40, "H": 17} {
		if w, err := f.GetColWidth(sheet, col); err != nil || w != want {
			t.Errorf("column %s is %v wide (%v), want %v", col, w, err, want)
		}
	}
	merged, err := f.GetMergeCells(sheet)
	if err != nil {
		t.Fatal(err)
	}
	if len(merged) != 4 {
		t.Errorf("%d merged ranges, want 4", len(merged))
	}
}

func TestWriteRegisterEmpty(t *testing.T) {
	tests := []struct {
		name   string
		reg    *Register
		period string
	}{
		{"no period", &Register{Issuer: "Sở Tư pháp"}, ""},
		{"from only", &Register{From: at(2026, time.January, 1, 0, 0)}, "Từ ngày 01/01/2026"},
		{"to only", &Register{To: at(2026, time.January, 31, 0, 0)}, "Đến ngày 31/01/2026"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteRegister(&buf, tt.reg); err != nil {
				t.Fatal(err)
			}
			f, err := excelize.OpenReader(&buf)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			sheet := f.GetSheetName(0)
			if got, _ := f.GetCellValue(sheet, "A3"); got != tt.period {
				t.Errorf("A3 = %q, want %q", got, tt.period)
			}
			if got, _ := f.GetCellValue(sheet, "B5"); got != "Mã hồ sơ" {
				t.Errorf("B5 = %q, want the header", got)
			}
			if got, _ := f.GetCellValue(sheet, "A6"); got != "" {
				t.Errorf("A6 = %q, want no data", got)
			}
		})
	}
	if err := WriteRegister(&bytes.Buffer{}, nil); err == nil {
		t.Error("WriteRegister(nil) succeeded")
	}
}

func BenchmarkWriteRegister(b *testing.B) {
	reg := sampleRegister(1000)
	b.ReportAllocs()
	for b.Loop() {
		if err := WriteRegister(&bytes.Buffer{}, reg); err != nil {
			b.Fatal(err)
		}
	}
}
