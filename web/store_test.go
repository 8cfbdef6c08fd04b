package web

import (
	"context"
	"errors"
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
