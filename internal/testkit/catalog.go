package testkit

import (
	"fmt"
	"slices"
	"time"

	"motcua"
)

// Codes of the units, agencies and procedures of Catalog.
const (
	UnitCity     = "01"    // Thành phố Hà Nội
	UnitDistrict = "001"   // Quận Ba Đình
	UnitOther    = "002"   // Quận Hoàn Kiếm, with no agency
	UnitCommune  = "00001" // Phường Phúc Xá

	AgencyJustice  = "000.00.12.H26" // Sở Tư pháp, of the city
	AgencyDistrict = "000.01.20.H26" // UBND Quận Ba Đình
	AgencyCommune  = "001.01.20.H26" // UBND Phường Phúc Xá

	ProcedureBirth    = "DEMO-1.001193" // Đăng ký khai sinh, commune, same day
	ProcedureCopy     = "DEMO-2.000908" // Cấp bản sao trích lục hộ tịch, receives online submissions automatically
	ProcedureCriminal = "DEMO-1.004227" // Cấp Phiếu lý lịch tư pháp, city, 10 working days
)

// CatalogEffective is the date from which Catalog's procedures are in
// force.
var CatalogEffective = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)

// Catalog returns a small catalogue, labelled "test": a city with two
// districts and a commune, three agencies and three procedures in force
// from CatalogEffective. Each call returns new values.
func Catalog() *motcua.Catalog {
	return &motcua.Catalog{
		Label: "test",
		Units: []*motcua.Unit{
			{Code: UnitCity, Name: "Thành phố Hà Nội", Type: "Thành phố Trung ương", Level: 1},
			{Code: UnitDistrict, Name: "Quận Ba Đình", Type: "Quận", Level: 2, ParentCode: UnitCity},
			{Code: UnitOther, Name: "Quận Hoàn Kiếm", Type: "Quận", Level: 2, ParentCode: UnitCity},
			{Code: UnitCommune, Name: "Phường Phúc Xá", Type: "Phường", Level: 3, ParentCode: UnitDistrict},
		},
		Agencies: []*motcua.Agency{
			{Code: AgencyJustice, Name: "Sở Tư pháp", NameEN: "Department of Justice", Kind: motcua.AgencyDepartment, UnitCode: UnitCity, Sample: true},
			{Code: AgencyDistrict, Name: "UBND Quận Ba Đình", NameEN: "Ba Dinh District People's Committee", Kind: motcua.AgencyPeoplesCommittee, UnitCode: UnitDistrict, Sample: true},
			{Code: AgencyCommune, Name: "UBND Phường Phúc Xá", NameEN: "Phuc Xa Ward People's Committee", Kind: motcua.AgencyPeoplesCommittee, UnitCode: UnitCommune, Sample: true},
		},
		Procedures: []*motcua.Procedure{
			{
				Code: ProcedureBirth, EffectiveFrom: CatalogEffective,
				Name: "Đăng ký khai sinh", NameEN: "Birth registration", Field: "Hộ tịch", Level: "commune",
				ServiceLevel:      motcua.ServiceLevel{Level: 4, Online: motcua.OnlineFull},
				ProcessingTime:    motcua.ProcessingTime{Value: 1, Unit: motcua.SameDay},
				RequiredDocuments: []motcua.RequiredDocument{{Name: "Tờ khai đăng ký khai sinh", Copies: 1}, {Name: "Giấy chứng sinh", Copies: 1}},
				Result:            "Giấy khai sinh", LegalBasis: "Luật Hộ tịch 2014, Điều 16", Sample: true,
				AgencyCodes: []string{AgencyCommune},
			},
			{
				Code: ProcedureCopy, EffectiveFrom: CatalogEffective,
				Name: "Cấp bản sao trích lục hộ tịch", NameEN: "Copy of a civil status extract", Field: "Hộ tịch", Level: "commune",
				ServiceLevel:   motcua.ServiceLevel{Level: 3, Online: motcua.OnlinePartial},
				ProcessingTime: motcua.ProcessingTime{Value: 8, Unit: motcua.WorkingHours},
				Fees:           []motcua.Fee{{Name: "Lệ phí", AmountVND: 8000}},
				Result:         "Bản sao trích lục", LegalBasis: "Luật Hộ tịch 2014, Điều 64", AutoReceive: true, Sample: true,
				AgencyCodes: []string{AgencyCommune, AgencyDistrict},
			},
			{
				Code: ProcedureCriminal, EffectiveFrom: CatalogEffective,
				Name: "Cấp Phiếu lý lịch tư pháp", NameEN: "Criminal record certificate", Field: "Lý lịch tư pháp", Level: "city",
				ServiceLevel:   motcua.ServiceLevel{Level: 4, Online: motcua.OnlineFull},
				ProcessingTime: motcua.ProcessingTime{Value: 10, Unit: motcua.WorkingDays},
				Fees:           []motcua.Fee{{Name: "Phí", AmountVND: 200000}},
				Result:         "Phiếu lý lịch tư pháp", LegalBasis: "Luật Lý lịch tư pháp 2009, Điều 48", Sample: true,
				AgencyCodes: []string{AgencyJustice},
			},
		},
	}
}

// DossierInput returns valid input for a dossier of a citizen.
func DossierInput(procedure, agency, channel string) *motcua.DossierInput {
	return &motcua.DossierInput{
		ProcedureCode: procedure,
		AgencyCode:    agency,
		Channel:       channel,
		Applicant: motcua.Applicant{
			Kind: motcua.ApplicantCitizen, Name: "Nguyễn Văn An", IDNumber: "001090012345",
			Phone: "0912345678", Email: "an.nguyen@example.vn", Address: "Số 1 phố Đội Cấn, Ba Đình, Hà Nội",
		},
		Form: []byte(`{"child_name":"Nguyễn Minh Khang","birth_date":"2025-03-01"}`),
	}
}

// CatalogWithCommunes returns Catalog with n more communes of Quận Ba
// Đình, each with a People's Committee handling ProcedureBirth, and the
// codes of every agency that handles ProcedureBirth, AgencyCommune first:
// enough agencies to spread receipts over, as real load is.
func CatalogWithCommunes(n int) (*motcua.Catalog, []string) {
	c := Catalog()
	birth := c.Procedures[0]
	for i := range n {
		unit := fmt.Sprintf("%05d", 100+i)
		agency := fmt.Sprintf("%03d.01.20.H26", 100+i)
		c.Units = append(c.Units, &motcua.Unit{Code: unit, Name: fmt.Sprintf("Phường số %d", i+1), Type: "Phường", Level: 3, ParentCode: UnitDistrict})
		c.Agencies = append(c.Agencies, &motcua.Agency{Code: agency, Name: fmt.Sprintf("UBND Phường số %d", i+1),
			NameEN: fmt.Sprintf("Ward No. %d People's Committee", i+1), Kind: motcua.AgencyPeoplesCommittee, UnitCode: unit, Sample: true})
		birth.AgencyCodes = append(birth.AgencyCodes, agency)
	}
	return c, slices.Clone(birth.AgencyCodes)
}
