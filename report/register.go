package report

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"motcua"
)

// RegisterRow is one dossier of the register.
type RegisterRow struct {
	Code        string
	Procedure   string
	Applicant   string
	Address     string
	Phone       string
	ReceivedAt  time.Time
	DueAt       time.Time
	FinishedAt  time.Time // when the result was ready (zero if not yet)
	ReturnedAt  time.Time // when the result was handed over (zero if not yet)
	Agency      string    // the agency that processes the dossier
	Transferred string    // the agencies it passed through (liên thông)
	Status      string
	Outcome     string // Early, OnTime, Late or ""; see Outcome
	Note        string
}

// Register is form 07, the dossier register (sổ theo dõi hồ sơ) of an
// agency over a period.
type Register struct {
	Issuer   string
	From, To time.Time // the period; either may be zero
	Rows     []RegisterRow
}

// registerColumn is a column of the register with its width in
// characters.
type registerColumn struct {
	title string
	width float64
}

// registerColumns returns the columns of the register in order.
func registerColumns() []registerColumn {
	return []registerColumn{
		{"STT", 6},
		{"Mã hồ sơ", 26},
		{"Tên thủ tục", 40},
		{"Tên tổ chức/cá nhân", 26},
		{"Địa chỉ", 34},
		{"Số điện thoại", 14},
		{"Cơ quan giải quyết", 26},
		{"Ngày nhận", 17},
		{"Ngày hẹn trả", 17},
		{"Chuyển liên thông", 26},
		{"Ngày có kết quả", 17},
		{"Ngày trả kết quả", 17},
		{"Tình trạng", 16},
		{"Trước/đúng/trễ hạn", 13},
		{"Ghi chú", 30},
	}
}

// Layout of the sheet: title rows, then the header row, then the data.
const (
	registerSheet     = "Sổ theo dõi hồ sơ"
	registerHeaderRow = 5
	registerTimeFmt   = "dd/mm/yyyy hh:mm"
)

// WriteRegister writes r as an XLSX workbook into w: title rows, a header
// row of Vietnamese column names that stays in view when scrolling, and
// one row per dossier. Times are Excel date-times of the wall clock in
// Asia/Ho_Chi_Minh, shown as dd/mm/yyyy hh:mm. Rows are streamed, so a
// register of a year of dossiers does not need the whole sheet in memory.
func WriteRegister(w io.Writer, r *Register) error {
	if r == nil {
		return fmt.Errorf("report: nil register")
	}
	f := excelize.NewFile()
	defer f.Close()
	if err := writeRegister(f, r); err != nil {
		return fmt.Errorf("report: register: %w", err)
	}
	if err := f.Write(w); err != nil {
		return fmt.Errorf("report: write register: %w", err)
	}
	return nil
}

func writeRegister(f *excelize.File, r *Register) error {
	if err := f.SetSheetName("Sheet1", registerSheet); err != nil {
		return err
	}
	if err := f.SetDocProps(&excelize.DocProperties{
		Title:    "Sổ theo dõi hồ sơ",
		Subject:  "Mẫu số 07",
		Creator:  "motcua",
		Language: "vi-VN",
	}); err != nil {
		return err
	}
	st, err := newRegisterStyles(f)
	if err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(registerSheet)
	if err != nil {
		return err
	}
	cols := registerColumns()
	last := len(cols)
	for i, c := range cols {
		if err := sw.SetColWidth(i+1, i+1, c.width); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{
		Freeze: true, YSplit: registerHeaderRow, TopLeftCell: cellName(1, registerHeaderRow+1), ActivePane: "bottomLeft",
	}); err != nil {
		return err
	}

	lastCol := colName(last)
	merge := func(from, to string) error { return sw.MergeCell(from, to) }
	// Row 1: the issuer on the left, the form number on the right.
	first := make([]any, last)
	first[0] = excelize.Cell{StyleID: st.issuer, Value: upper(cellText(r.Issuer))}
	first[last-3] = excelize.Cell{StyleID: st.formNo, Value: "Mẫu số 07"}
	if err := sw.SetRow("A1", first); err != nil {
		return err
	}
	if err := merge("A1", "E1"); err != nil {
		return err
	}
	if err := merge(cellName(last-2, 1), lastCol+"1"); err != nil {
		return err
	}
	// Row 2: the title; row 3: the period.
	if err := sw.SetRow("A2", []any{excelize.Cell{StyleID: st.title, Value: "SỔ THEO DÕI HỒ SƠ"}},
		excelize.RowOpts{Height: 24}); err != nil {
		return err
	}
	if err := merge("A2", lastCol+"2"); err != nil {
		return err
	}
	if err := sw.SetRow("A3", []any{excelize.Cell{StyleID: st.period, Value: period(r.From, r.To)}}); err != nil {
		return err
	}
	if err := merge("A3", lastCol+"3"); err != nil {
		return err
	}

	head := make([]any, last)
	for i, c := range cols {
		head[i] = excelize.Cell{StyleID: st.header, Value: c.title}
	}
	if err := sw.SetRow(cellName(1, registerHeaderRow), head, excelize.RowOpts{Height: 32}); err != nil {
		return err
	}

	for i, row := range r.Rows {
		values := []any{
			excelize.Cell{StyleID: st.number, Value: i + 1},
			excelize.Cell{StyleID: st.text, Value: cellText(row.Code)},
			excelize.Cell{StyleID: st.text, Value: cellText(row.Procedure)},
			excelize.Cell{StyleID: st.text, Value: cellText(row.Applicant)},
			excelize.Cell{StyleID: st.text, Value: cellText(row.Address)},
			excelize.Cell{StyleID: st.text, Value: cellText(row.Phone)},
			excelize.Cell{StyleID: st.text, Value: cellText(row.Agency)},
			timeCell(st.time, row.ReceivedAt),
			timeCell(st.time, row.DueAt),
			excelize.Cell{StyleID: st.text, Value: cellText(row.Transferred)},
			timeCell(st.time, row.FinishedAt),
			timeCell(st.time, row.ReturnedAt),
			excelize.Cell{StyleID: st.text, Value: cellText(row.Status)},
			excelize.Cell{StyleID: st.text, Value: cellText(row.Outcome)},
			excelize.Cell{StyleID: st.text, Value: cellText(row.Note)},
		}
		if err := sw.SetRow(cellName(1, registerHeaderRow+1+i), values); err != nil {
			return err
		}
	}
	return sw.Flush()
}

// registerStyles are the cell styles of the register.
type registerStyles struct {
	issuer, formNo, title, period, header, text, number, time int
}

func newRegisterStyles(f *excelize.File) (registerStyles, error) {
	var st registerStyles
	border := []excelize.Border{
		{Type: "left", Color: "000000", Style: 1}, {Type: "top", Color: "000000", Style: 1},
		{Type: "right", Color: "000000", Style: 1}, {Type: "bottom", Color: "000000", Style: 1},
	}
	timeFmt := registerTimeFmt
	for _, s := range []struct {
		id    *int
		style *excelize.Style
	}{
		{&st.issuer, &excelize.Style{Font: &excelize.Font{Bold: true}}},
		{&st.formNo, &excelize.Style{Font: &excelize.Font{Italic: true}, Alignment: &excelize.Alignment{Horizontal: "right"}}},
		{&st.title, &excelize.Style{Font: &excelize.Font{Bold: true, Size: 14},
			Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center"}}},
		{&st.period, &excelize.Style{Font: &excelize.Font{Italic: true}, Alignment: &excelize.Alignment{Horizontal: "center"}}},
		{&st.header, &excelize.Style{Font: &excelize.Font{Bold: true}, Border: border,
			Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E7E6E6"}},
			Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}}},
		{&st.text, &excelize.Style{Border: border, Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}}},
		{&st.number, &excelize.Style{Border: border, Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "top"}}},
		{&st.time, &excelize.Style{Border: border, CustomNumFmt: &timeFmt,
			Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "top"}}},
	} {
		id, err := f.NewStyle(s.style)
		if err != nil {
			return st, err
		}
		*s.id = id
	}
	return st, nil
}

// timeCell returns a date-time cell of t's wall clock in Asia/Ho_Chi_Minh
// (spreadsheet times have no zone), or an empty cell for the zero time.
func timeCell(style int, t time.Time) excelize.Cell {
	if t.IsZero() {
		return excelize.Cell{StyleID: style}
	}
	l := t.In(motcua.Location())
	wall := time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute(), l.Second(), 0, time.UTC)
	return excelize.Cell{StyleID: style, Value: wall}
}

// period returns "Từ ngày 01/03/2026 đến ngày 31/03/2026", or the half of
// it that is known.
func period(from, to time.Time) string {
	date := func(t time.Time) string { return t.In(motcua.Location()).Format("02/01/2006") }
	switch {
	case !from.IsZero() && !to.IsZero():
		return "Từ ngày " + date(from) + " đến ngày " + date(to)
	case !from.IsZero():
		return "Từ ngày " + date(from)
	case !to.IsZero():
		return "Đến ngày " + date(to)
	}
	return ""
}

// cellText returns s in NFC without the control characters a spreadsheet
// cell cannot hold.
func cellText(s string) string {
	s = clean(s)
	return strings.TrimSpace(s)
}

// colName returns the letter of column n, from 1; the register has fewer
// than 27 columns.
func colName(n int) string { return string(rune('A' + n - 1)) }

// cellName returns the name of the cell at column col and row, both from 1.
func cellName(col, row int) string { return colName(col) + strconv.Itoa(row) }
