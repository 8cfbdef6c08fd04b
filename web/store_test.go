package web

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"motcua"
)

// fakeStore is a motcua.Store whose methods call the function fields. A
// method whose field is nil fails the test: a handler called the store
// when it should not have.
type fakeStore struct {
	t *testing.T

	FindUnitFn       func(ctx context.Context, code string) (*motcua.Unit, error)
	FindUnitsFn      func(ctx context.Context, f motcua.UnitFilter) ([]*motcua.Unit, string, error)
	FindAgencyFn     func(ctx context.Context, code string) (*motcua.Agency, error)
	FindAgenciesFn   func(ctx context.Context, f motcua.AgencyFilter) ([]*motcua.Agency, string, error)
	FindProcedureFn  func(ctx context.Context, code string, at time.Time) (*motcua.Procedure, error)
	FindProceduresFn func(ctx context.Context, f motcua.ProcedureFilter) ([]*motcua.Procedure, string, error)
	CreateDossierFn  func(ctx context.Context, in *motcua.DossierInput, key string) (*motcua.Dossier, bool, error)
	FindDossierFn    func(ctx context.Context, ref string) (*motcua.Dossier, error)
	ApplyActionFn    func(ctx context.Context, ref string, req motcua.ActionRequest) (*motcua.Dossier, error)
	VerifyDossiersFn func(ctx context.Context) (*motcua.VerifyReport, error)

	CalendarDaysFn        func(ctx context.Context, unit, from, to string) ([]motcua.CalendarDay, error)
	DueTimeFn             func(ctx context.Context, unit string, start time.Time, t motcua.ProcessingTime) (motcua.Due, error)
	SetOfficialDayFn      func(ctx context.Context, d *motcua.OfficialDay) error
	DeleteOfficialDayFn   func(ctx context.Context, unit, date string) error
	FindWorkWeekFn        func(ctx context.Context, unit string) (*motcua.WorkWeek, error)
	SetWorkWeekFn         func(ctx context.Context, w *motcua.WorkWeek) error
	DeleteWorkWeekFn      func(ctx context.Context, unit string) error
	FindCalendarChangesFn func(ctx context.Context, unit string, p motcua.Page) ([]*motcua.CalendarChange, string, error)

	CreateProcessFn  func(ctx context.Context, p *motcua.Process) (*motcua.Process, error)
	FindProcessFn    func(ctx context.Context, code string, version int) (*motcua.Process, error)
	FindProcessesFn  func(ctx context.Context, procedure string) ([]*motcua.Process, error)
	DossierProcessFn func(ctx context.Context, d *motcua.Dossier) (*motcua.Process, error)
	ScanDeadlinesFn  func(ctx context.Context, now time.Time, limit int) (motcua.Scan, error)
	FindAlertsFn     func(ctx context.Context, f motcua.AlertFilter) ([]*motcua.Alert, error)
	SaveStaffFn      func(ctx context.Context, s *motcua.Staff) (string, error)
	StaffByTokenFn   func(ctx context.Context, token string) (*motcua.Staff, error)
	DirectoryFn      func(ctx context.Context) (motcua.Directory, error)
	LegalCalendarFn  func(ctx context.Context) (motcua.Calendar, error)
	FindDossiersFn   func(ctx context.Context, f motcua.DossierFilter) ([]*motcua.Dossier, error)
	FindAuditFn      func(ctx context.Context, f motcua.AuditFilter) ([]*motcua.AuditRecord, error)

	SaveClientFn      func(ctx context.Context, c *motcua.APIClient) (string, error)
	RotateClientKeyFn func(ctx context.Context, id string) (string, error)
	RevokeClientFn    func(ctx context.Context, id string) error
	ClientByKeyFn     func(ctx context.Context, key string) (*motcua.APIClient, error)
	FindClientsFn     func(ctx context.Context) ([]*motcua.APIClient, error)

	FindCitizenFn          func(ctx context.Context, id string) (*motcua.Citizen, error)
	FindDossiersOfPersonFn func(ctx context.Context, idNumber string, limit int) ([]json.RawMessage, error)
	FindSessionsFn         func(ctx context.Context, kind, subject string, limit int) ([]*motcua.Session, error)
	FindStaffFn            func(ctx context.Context, id string) (*motcua.Staff, error)
	FindAuditAboutFn       func(ctx context.Context, s motcua.AuditSubject, limit int) ([]*motcua.AuditRecord, error)
	PurgeFn                func(ctx context.Context, now time.Time, r motcua.Retention) (motcua.PurgeReport, error)
	PreviewPurgeFn         func(ctx context.Context, now time.Time, r motcua.Retention) (motcua.PurgeReport, error)

	// audited holds what Audit appended, which it always accepts.
	mu      sync.Mutex
	audited []*motcua.AuditRecord
}

var _ motcua.Store = (*fakeStore)(nil)

var errUnexpected = errors.New("unexpected store call")

func (f *fakeStore) unexpected(name string) error {
	f.t.Helper()
	f.t.Errorf("unexpected call to Store.%s", name)
	return errUnexpected
}

func (f *fakeStore) FindUnit(ctx context.Context, code string) (*motcua.Unit, error) {
	if f.FindUnitFn == nil {
		return nil, f.unexpected("FindUnit")
	}
	return f.FindUnitFn(ctx, code)
}

func (f *fakeStore) FindUnits(ctx context.Context, filter motcua.UnitFilter) ([]*motcua.Unit, string, error) {
	if f.FindUnitsFn == nil {
		return nil, "", f.unexpected("FindUnits")
	}
	return f.FindUnitsFn(ctx, filter)
}

func (f *fakeStore) ImportUnits(ctx context.Context, units []*motcua.Unit) error {
	return f.unexpected("ImportUnits")
}

func (f *fakeStore) FindAgency(ctx context.Context, code string) (*motcua.Agency, error) {
	if f.FindAgencyFn == nil {
		return nil, f.unexpected("FindAgency")
	}
	return f.FindAgencyFn(ctx, code)
}

func (f *fakeStore) FindAgencies(ctx context.Context, filter motcua.AgencyFilter) ([]*motcua.Agency, string, error) {
	if f.FindAgenciesFn == nil {
		return nil, "", f.unexpected("FindAgencies")
	}
	return f.FindAgenciesFn(ctx, filter)
}

func (f *fakeStore) CreateAgency(ctx context.Context, a *motcua.Agency) error {
	return f.unexpected("CreateAgency")
}

func (f *fakeStore) FindProcedure(ctx context.Context, code string, at time.Time) (*motcua.Procedure, error) {
	if f.FindProcedureFn == nil {
		return nil, f.unexpected("FindProcedure")
	}
	return f.FindProcedureFn(ctx, code, at)
}

func (f *fakeStore) FindProcedureVersion(ctx context.Context, code string, version int) (*motcua.Procedure, error) {
	return nil, f.unexpected("FindProcedureVersion")
}

func (f *fakeStore) FindProcedures(ctx context.Context, filter motcua.ProcedureFilter) ([]*motcua.Procedure, string, error) {
	if f.FindProceduresFn == nil {
		return nil, "", f.unexpected("FindProcedures")
	}
	return f.FindProceduresFn(ctx, filter)
}

func (f *fakeStore) CreateProcedureVersion(ctx context.Context, p *motcua.Procedure) error {
	return f.unexpected("CreateProcedureVersion")
}

func (f *fakeStore) CreateDossier(ctx context.Context, in *motcua.DossierInput, key string) (*motcua.Dossier, bool, error) {
	if f.CreateDossierFn == nil {
		return nil, false, f.unexpected("CreateDossier")
	}
	return f.CreateDossierFn(ctx, in, key)
}

func (f *fakeStore) FindDossier(ctx context.Context, ref string) (*motcua.Dossier, error) {
	if f.FindDossierFn == nil {
		return nil, f.unexpected("FindDossier")
	}
	return f.FindDossierFn(ctx, ref)
}

// FindDossierJSON encodes what FindDossierFn returns, as the store keeps
// its documents.
func (f *fakeStore) FindDossierJSON(ctx context.Context, ref string) (string, error) {
	d, err := f.FindDossier(ctx, ref)
	if err != nil {
		return "", err
	}
	b, err := json.Marshal(d)
	return string(b), err
}

func (f *fakeStore) ApplyAction(ctx context.Context, ref string, req motcua.ActionRequest) (*motcua.Dossier, error) {
	if f.ApplyActionFn == nil {
		return nil, f.unexpected("ApplyAction")
	}
	return f.ApplyActionFn(ctx, ref, req)
}

func (f *fakeStore) VerifyDossiers(ctx context.Context) (*motcua.VerifyReport, error) {
	if f.VerifyDossiersFn == nil {
		return nil, f.unexpected("VerifyDossiers")
	}
	return f.VerifyDossiersFn(ctx)
}

func (f *fakeStore) Checkpoint(ctx context.Context) (*motcua.Checkpoint, error) {
	return nil, f.unexpected("Checkpoint")
}

func (f *fakeStore) ImportCatalog(ctx context.Context, c *motcua.Catalog) error {
	return f.unexpected("ImportCatalog")
}

func (f *fakeStore) Dataset(ctx context.Context) (string, bool, error) {
	return "", false, f.unexpected("Dataset")
}

func (f *fakeStore) CalendarDays(ctx context.Context, unit, from, to string) ([]motcua.CalendarDay, error) {
	if f.CalendarDaysFn == nil {
		return nil, f.unexpected("CalendarDays")
	}
	return f.CalendarDaysFn(ctx, unit, from, to)
}

func (f *fakeStore) DueTime(ctx context.Context, unit string, start time.Time, t motcua.ProcessingTime) (motcua.Due, error) {
	if f.DueTimeFn == nil {
		return motcua.Due{}, f.unexpected("DueTime")
	}
	return f.DueTimeFn(ctx, unit, start, t)
}

func (f *fakeStore) SetOfficialDay(ctx context.Context, d *motcua.OfficialDay) error {
	if f.SetOfficialDayFn == nil {
		return f.unexpected("SetOfficialDay")
	}
	return f.SetOfficialDayFn(ctx, d)
}

func (f *fakeStore) DeleteOfficialDay(ctx context.Context, unit, date string) error {
	if f.DeleteOfficialDayFn == nil {
		return f.unexpected("DeleteOfficialDay")
	}
	return f.DeleteOfficialDayFn(ctx, unit, date)
}

func (f *fakeStore) FindOfficialDays(ctx context.Context, unit, from, to string) ([]*motcua.OfficialDay, error) {
	return nil, f.unexpected("FindOfficialDays")
}

func (f *fakeStore) FindWorkWeek(ctx context.Context, unit string) (*motcua.WorkWeek, error) {
	if f.FindWorkWeekFn == nil {
		return nil, f.unexpected("FindWorkWeek")
	}
	return f.FindWorkWeekFn(ctx, unit)
}

func (f *fakeStore) SetWorkWeek(ctx context.Context, w *motcua.WorkWeek) error {
	if f.SetWorkWeekFn == nil {
		return f.unexpected("SetWorkWeek")
	}
	return f.SetWorkWeekFn(ctx, w)
}

func (f *fakeStore) DeleteWorkWeek(ctx context.Context, unit string) error {
	if f.DeleteWorkWeekFn == nil {
		return f.unexpected("DeleteWorkWeek")
	}
	return f.DeleteWorkWeekFn(ctx, unit)
}

func (f *fakeStore) FindCalendarChanges(ctx context.Context, unit string, p motcua.Page) ([]*motcua.CalendarChange, string, error) {
	if f.FindCalendarChangesFn == nil {
		return nil, "", f.unexpected("FindCalendarChanges")
	}
	return f.FindCalendarChangesFn(ctx, unit, p)
}

func (f *fakeStore) CreateProcess(ctx context.Context, p *motcua.Process) (*motcua.Process, error) {
	if f.CreateProcessFn == nil {
		return nil, f.unexpected("CreateProcess")
	}
	return f.CreateProcessFn(ctx, p)
}

func (f *fakeStore) FindProcess(ctx context.Context, code string, version int) (*motcua.Process, error) {
	if f.FindProcessFn == nil {
		return nil, f.unexpected("FindProcess")
	}
	return f.FindProcessFn(ctx, code, version)
}

func (f *fakeStore) FindProcesses(ctx context.Context, procedure string) ([]*motcua.Process, error) {
	if f.FindProcessesFn == nil {
		return nil, f.unexpected("FindProcesses")
	}
	return f.FindProcessesFn(ctx, procedure)
}

func (f *fakeStore) DossierProcess(ctx context.Context, d *motcua.Dossier) (*motcua.Process, error) {
	if f.DossierProcessFn == nil {
		return nil, f.unexpected("DossierProcess")
	}
	return f.DossierProcessFn(ctx, d)
}

func (f *fakeStore) ScanDeadlines(ctx context.Context, now time.Time, limit int) (motcua.Scan, error) {
	if f.ScanDeadlinesFn == nil {
		return motcua.Scan{}, f.unexpected("ScanDeadlines")
	}
	return f.ScanDeadlinesFn(ctx, now, limit)
}

func (f *fakeStore) FindAlerts(ctx context.Context, filter motcua.AlertFilter) ([]*motcua.Alert, error) {
	if f.FindAlertsFn == nil {
		return nil, f.unexpected("FindAlerts")
	}
	return f.FindAlertsFn(ctx, filter)
}

func (f *fakeStore) SaveStaff(ctx context.Context, s *motcua.Staff) (string, error) {
	if f.SaveStaffFn == nil {
		return "", f.unexpected("SaveStaff")
	}
	return f.SaveStaffFn(ctx, s)
}

func (f *fakeStore) StaffByToken(ctx context.Context, token string) (*motcua.Staff, error) {
	if f.StaffByTokenFn == nil {
		return nil, f.unexpected("StaffByToken")
	}
	return f.StaffByTokenFn(ctx, token)
}

func (f *fakeStore) Directory(ctx context.Context) (motcua.Directory, error) {
	if f.DirectoryFn == nil {
		return nil, f.unexpected("Directory")
	}
	return f.DirectoryFn(ctx)
}

func (f *fakeStore) FindDossiers(ctx context.Context, filter motcua.DossierFilter) ([]*motcua.Dossier, error) {
	if f.FindDossiersFn == nil {
		return nil, f.unexpected("FindDossiers")
	}
	return f.FindDossiersFn(ctx, filter)
}

func (f *fakeStore) LegalCalendar(ctx context.Context) (motcua.Calendar, error) {
	if f.LegalCalendarFn == nil {
		return nil, f.unexpected("LegalCalendar")
	}
	return f.LegalCalendarFn(ctx)
}

func (f *fakeStore) Audit(ctx context.Context, records ...*motcua.AuditRecord) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, r := range records {
		r.Seq = int64(len(f.audited) + 1)
		f.audited = append(f.audited, r)
	}
	return nil
}

// auditedActions returns the actions of the records appended so far.
func (f *fakeStore) auditedActions() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var as []string
	for _, r := range f.audited {
		as = append(as, r.Action)
	}
	return as
}

func (f *fakeStore) FindAudit(ctx context.Context, filter motcua.AuditFilter) ([]*motcua.AuditRecord, error) {
	if f.FindAuditFn == nil {
		return nil, f.unexpected("FindAudit")
	}
	return f.FindAuditFn(ctx, filter)
}

func (f *fakeStore) VerifyAudit(ctx context.Context) (*motcua.AuditReport, error) {
	return nil, f.unexpected("VerifyAudit")
}

func (f *fakeStore) CreateSession(ctx context.Context, hash []byte, s *motcua.Session) error {
	return f.unexpected("CreateSession")
}

func (f *fakeStore) SessionByHash(ctx context.Context, hash []byte, now time.Time) (*motcua.Session, error) {
	return nil, f.unexpected("SessionByHash")
}

func (f *fakeStore) TouchSession(ctx context.Context, hash []byte, at time.Time) error {
	return f.unexpected("TouchSession")
}

func (f *fakeStore) DeleteSession(ctx context.Context, hash []byte) error {
	return f.unexpected("DeleteSession")
}

func (f *fakeStore) DeleteSessions(ctx context.Context, kind, subject string) (int, error) {
	return 0, f.unexpected("DeleteSessions")
}

func (f *fakeStore) DeleteExpiredSessions(ctx context.Context, now, idleSince time.Time) (int, error) {
	return 0, f.unexpected("DeleteExpiredSessions")
}

func (f *fakeStore) StaffByLogin(ctx context.Context, login string) (*motcua.Staff, *motcua.Credentials, error) {
	return nil, nil, f.unexpected("StaffByLogin")
}

func (f *fakeStore) SetPassword(ctx context.Context, id, hash string, mustChange bool, at time.Time) error {
	return f.unexpected("SetPassword")
}

func (f *fakeStore) SetTOTP(ctx context.Context, id string, secret []byte) error {
	return f.unexpected("SetTOTP")
}

func (f *fakeStore) UseTOTPStep(ctx context.Context, id string, step int64) (bool, error) {
	return false, f.unexpected("UseTOTPStep")
}

func (f *fakeStore) RecordSignIn(ctx context.Context, id string, ok bool, at time.Time) (int, error) {
	return 0, f.unexpected("RecordSignIn")
}

func (f *fakeStore) SignInCitizen(ctx context.Context, c *motcua.Citizen) (*motcua.Citizen, error) {
	return nil, f.unexpected("SignInCitizen")
}

func (f *fakeStore) RegisterLocalCitizen(context.Context, string, string, string, []byte, time.Time) (*motcua.Citizen, bool, error) {
	return nil, false, f.unexpected("RegisterLocalCitizen")
}

func (f *fakeStore) VerifyLocalCitizen(context.Context, []byte, time.Time) (*motcua.Citizen, error) {
	return nil, f.unexpected("VerifyLocalCitizen")
}

func (f *fakeStore) LocalCitizenByEmail(context.Context, string) (*motcua.Citizen, string, bool, error) {
	return nil, "", false, f.unexpected("LocalCitizenByEmail")
}

func (f *fakeStore) FindCitizen(ctx context.Context, id string) (*motcua.Citizen, error) {
	if f.FindCitizenFn == nil {
		return nil, f.unexpected("FindCitizen")
	}
	return f.FindCitizenFn(ctx, id)
}

func (f *fakeStore) FindDossiersOfPerson(ctx context.Context, idNumber string, limit int) ([]json.RawMessage, error) {
	if f.FindDossiersOfPersonFn == nil {
		return nil, f.unexpected("FindDossiersOfPerson")
	}
	return f.FindDossiersOfPersonFn(ctx, idNumber, limit)
}

func (f *fakeStore) FindSessions(ctx context.Context, kind, subject string, limit int) ([]*motcua.Session, error) {
	if f.FindSessionsFn == nil {
		return nil, f.unexpected("FindSessions")
	}
	return f.FindSessionsFn(ctx, kind, subject, limit)
}

func (f *fakeStore) FindStaff(ctx context.Context, id string) (*motcua.Staff, error) {
	if f.FindStaffFn == nil {
		return nil, f.unexpected("FindStaff")
	}
	return f.FindStaffFn(ctx, id)
}

func (f *fakeStore) FindAuditAbout(ctx context.Context, s motcua.AuditSubject, limit int) ([]*motcua.AuditRecord, error) {
	if f.FindAuditAboutFn == nil {
		return nil, f.unexpected("FindAuditAbout")
	}
	return f.FindAuditAboutFn(ctx, s, limit)
}

func (f *fakeStore) Purge(ctx context.Context, now time.Time, r motcua.Retention) (motcua.PurgeReport, error) {
	if f.PurgeFn == nil {
		return motcua.PurgeReport{}, f.unexpected("Purge")
	}
	return f.PurgeFn(ctx, now, r)
}

func (f *fakeStore) PreviewPurge(ctx context.Context, now time.Time, r motcua.Retention) (motcua.PurgeReport, error) {
	if f.PreviewPurgeFn == nil {
		return motcua.PurgeReport{}, f.unexpected("PreviewPurge")
	}
	return f.PreviewPurgeFn(ctx, now, r)
}

func (f *fakeStore) SaveClient(ctx context.Context, c *motcua.APIClient) (string, error) {
	if f.SaveClientFn == nil {
		return "", f.unexpected("SaveClient")
	}
	return f.SaveClientFn(ctx, c)
}

func (f *fakeStore) RotateClientKey(ctx context.Context, id string) (string, error) {
	if f.RotateClientKeyFn == nil {
		return "", f.unexpected("RotateClientKey")
	}
	return f.RotateClientKeyFn(ctx, id)
}

func (f *fakeStore) RevokeClient(ctx context.Context, id string) error {
	if f.RevokeClientFn == nil {
		return f.unexpected("RevokeClient")
	}
	return f.RevokeClientFn(ctx, id)
}

func (f *fakeStore) ClientByKey(ctx context.Context, key string) (*motcua.APIClient, error) {
	if f.ClientByKeyFn == nil {
		return nil, f.unexpected("ClientByKey")
	}
	return f.ClientByKeyFn(ctx, key)
}

func (f *fakeStore) FindClients(ctx context.Context) ([]*motcua.APIClient, error) {
	if f.FindClientsFn == nil {
		return nil, f.unexpected("FindClients")
	}
	return f.FindClientsFn(ctx)
}
