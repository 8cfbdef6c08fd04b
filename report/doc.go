// Package report renders the statutory documents of a one-stop-shop dossier
// (the forms of Circular 01/2018/TT-VPCP and its successors) and the
// dossier register.
//
// WritePDF renders forms 01 to 06 as A4 PDF files: the receipt and
// appointment slip, the supplement request, the refusal, the apology with a
// new appointment, the stop-processing notice and the processing-control
// slip. Each carries the standard Vietnamese administrative header, the
// dossier code, a QR code of the verification address and a signature
// block. Text is set in DejaVu Sans, embedded with go:embed and subset into
// each file, so every Vietnamese diacritic prints and can be extracted.
//
// WriteRegister writes form 07, the dossier register (sổ theo dõi hồ sơ),
// as an XLSX workbook.
//
// The package takes view models of its own (Document, Register) rather
// than the domain types, so the web layer decides what each form shows.
// Times are shown in Asia/Ho_Chi_Minh (motcua.Location).
package report
