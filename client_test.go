package motcua_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"motcua"
)

func TestAPIClientValidate(t *testing.T) {
	valid := func() *motcua.APIClient {
		return &motcua.APIClient{ID: "dvcqg", Name: "Cổng Dịch vụ công quốc gia", Scopes: []string{motcua.ScopeDossiersRead},
			Grants: []motcua.Grant{{Role: motcua.RoleOneDoor, Unit: "00001"}}}
	}
	tests := []struct {
		name   string
		edit   func(c *motcua.APIClient)
		fields []string
	}{
		{"Valid", func(*motcua.APIClient) {}, nil},
		{"MaxRateLimit", func(c *motcua.APIClient) { c.RateLimit = motcua.MaxRateLimit }, nil},
		{"EveryScope", func(c *motcua.APIClient) { c.Scopes = motcua.Scopes }, nil},
		{"EveryClientRole", func(c *motcua.APIClient) {
			c.Grants = nil
			for _, r := range motcua.ClientRoles {
				c.Grants = append(c.Grants, motcua.Grant{Role: r, Unit: "001"})
			}
		}, nil},
		{"BadID", func(c *motcua.APIClient) { c.ID = "Đối tác" }, []string{"id"}},
		{"NoName", func(c *motcua.APIClient) { c.Name = "  " }, []string{"name"}},
		{"LongName", func(c *motcua.APIClient) { c.Name = strings.Repeat("đ", 201) }, []string{"name"}},
		{"NoScope", func(c *motcua.APIClient) { c.Scopes = nil }, []string{"scopes"}},
		{"UnknownScope", func(c *motcua.APIClient) { c.Scopes = []string{"dossiers:read", "dossiers:delete"} }, []string{"scopes[1]"}},
		{"NoGrant", func(c *motcua.APIClient) { c.Grants = nil }, []string{"grants"}},
		{"AdminRole", func(c *motcua.APIClient) { c.Grants[0].Role = motcua.RoleCityAdmin }, []string{"grants[0].role"}},
		{"AuditorRole", func(c *motcua.APIClient) { c.Grants[0].Role = motcua.RoleAuditor }, []string{"grants[0].role"}},
		{"NoUnit", func(c *motcua.APIClient) { c.Grants[0].Unit = "" }, []string{"grants[0].unit"}},
		{"NegativeRateLimit", func(c *motcua.APIClient) { c.RateLimit = -1 }, []string{"rate_limit"}},
		{"HugeRateLimit", func(c *motcua.APIClient) { c.RateLimit = motcua.MaxRateLimit + 1 }, []string{"rate_limit"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := valid()
			tt.edit(c)
			err := c.Validate()
			var e *motcua.Error
			if tt.fields == nil {
				if err != nil {
					t.Fatalf("Validate = %v", err)
				}
				return
			}
			if !errors.As(err, &e) || e.Code != motcua.EINVALID {
				t.Fatalf("Validate = %v; want EINVALID", err)
			}
			var got []string
			for _, f := range e.Fields {
				got = append(got, f.Field)
			}
			if !slices.Equal(got, tt.fields) {
				t.Errorf("fields %v; want %v", got, tt.fields)
			}
		})
	}
}

func TestAPIClientNormalised(t *testing.T) {
	c := &motcua.APIClient{ID: " dvcqg ", Name: " Cổng ", Grants: []motcua.Grant{{Role: motcua.RoleOneDoor, Unit: "001"}},
		Scopes: []string{motcua.ScopeDossiersWrite, motcua.ScopeAlertsRead, motcua.ScopeDossiersWrite}}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.ID != "dvcqg" || c.Name != "Cổng" || !slices.Equal(c.Scopes, []string{motcua.ScopeAlertsRead, motcua.ScopeDossiersWrite}) {
		t.Errorf("normalised to %+v", c)
	}
	if !c.HasScope(motcua.ScopeAlertsRead) || c.HasScope(motcua.ScopeDossiersRead) {
		t.Errorf("HasScope wrong for %v", c.Scopes)
	}
	if c.Limit() != motcua.DefaultRateLimit {
		t.Errorf("Limit = %d; want the default", c.Limit())
	}
	c.RateLimit = 5
	if a := c.Actor(); c.Limit() != 5 || a.Kind != motcua.ActorClient || a.ID != "dvcqg" || a.Name != "Cổng" || len(a.Grants) != 1 {
		t.Errorf("Limit = %d, actor %+v", c.Limit(), a)
	}
}
