package motcua

import "context"

// Catalog is a set of reference data loaded at once: units, agencies and
// procedures. Label names the data set (DatasetDemo for the demo data).
type Catalog struct {
	Label      string
	Units      []*Unit
	Agencies   []*Agency
	Procedures []*Procedure
}

// DatasetDemo labels the demo data set.
const DatasetDemo = "demo"

// CatalogService loads reference data sets.
type CatalogService interface {
	// ImportCatalog loads c into an empty database in one transaction and
	// records c.Label. Returns ECONFLICT if the database holds any unit,
	// agency, procedure or dossier, and EINVALID for invalid data.
	ImportCatalog(ctx context.Context, c *Catalog) error
	// Dataset returns the label recorded by ImportCatalog ("" if none) and
	// reports whether the database holds no data at all.
	Dataset(ctx context.Context) (label string, empty bool, err error)
}

// Store is every service the storage layer provides.
type Store interface {
	UnitService
	AgencyService
	ProcedureService
	DossierService
	VerifyService
	CatalogService
	CalendarService
	ProcessService
	DeadlineService
	StaffService
	CredentialService
	SessionService
	CitizenService
	LocalCitizenService
	AuditService
	ClientService
	PersonalDataService
	RetentionService
	// Directory returns the units and agencies as processes see them.
	Directory(ctx context.Context) (Directory, error)
	// LegalCalendar returns the legal calendar of every unit as it is now.
	LegalCalendar(ctx context.Context) (Calendar, error)
}
