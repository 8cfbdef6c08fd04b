package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"motcua"
)

// clientUpdate is the body of PUT /api/v1/admin/clients/{id}: what an
// administrator may change of an API client.
type clientUpdate struct {
	Name      string         `json:"name"`
	Scopes    []string       `json:"scopes"`
	Grants    []motcua.Grant `json:"grants"`
	RateLimit int            `json:"rate_limit"`
}

// clientInput is the body of POST /api/v1/admin/clients.
type clientInput struct {
	ID string `json:"id"`
	clientUpdate
}

// client returns the API client id with u's fields.
func (u clientUpdate) client(id string) *motcua.APIClient {
	return &motcua.APIClient{ID: id, Name: u.Name, Scopes: u.Scopes, Grants: u.Grants, RateLimit: u.RateLimit}
}

// clientWithKey is an API client with its key, shown once.
type clientWithKey struct {
	*motcua.APIClient
	Key string `json:"key"`
}

// clientKey is a new key of an API client, shown once.
type clientKey struct {
	ID  string `json:"id"`
	Key string `json:"key"`
}

// findClient returns the API client id, or nil when there is none.
func (s *Server) findClient(ctx context.Context, id string) (*motcua.APIClient, error) {
	cs, err := s.store.FindClients(ctx)
	if err != nil {
		return nil, err
	}
	for _, c := range cs {
		if c.ID == id {
			return c, nil
		}
	}
	return nil, nil
}

func clientExists(id string) error {
	return &motcua.Error{Code: motcua.ECONFLICT, Reason: "client_exists",
		Message: fmt.Sprintf("There is already an API client %q; change it with PUT.", id), Params: map[string]string{"key": id}}
}

// createClient registers an API client and answers with it and its key,
// shown this once. An ID that is taken, even by a revoked client, is
// refused.
func (s *Server) createClient(w http.ResponseWriter, r *http.Request) error {
	var in clientInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	c := in.client(in.ID)
	old, err := s.findClient(r.Context(), c.ID)
	if err != nil {
		return err
	}
	switch {
	case old != nil && old.RevokedAt != nil:
		return &motcua.Error{Code: motcua.ECONFLICT, Reason: "client_revoked",
			Message: fmt.Sprintf("The API client %q was revoked; register a new one.", c.ID), Params: map[string]string{"key": c.ID}}
	case old != nil:
		return clientExists(c.ID)
	}
	key, err := s.store.SaveClient(r.Context(), c)
	if err != nil {
		return err
	}
	if key == "" {
		// Created by another request since the look-up, then updated
		// by this one.
		return clientExists(c.ID)
	}
	w.Header().Set("Location", "/api/v1/admin/clients/"+url.PathEscape(c.ID))
	return writeJSON(w, http.StatusCreated, clientWithKey{c, key})
}

// listClients answers with every API client, revoked ones too, without
// their keys.
func (s *Server) listClients(w http.ResponseWriter, r *http.Request) error {
	cs, err := s.store.FindClients(r.Context())
	if err != nil {
		return err
	}
	return writeList(w, cs, "")
}

// updateClient replaces an API client's name, scopes, grants and rate
// limit; its key stays. The change applies at once in this server, up to
// clientCacheTTL later in others.
func (s *Server) updateClient(w http.ResponseWriter, r *http.Request) error {
	var u clientUpdate
	if err := decodeJSON(r, &u); err != nil {
		return err
	}
	id := r.PathValue("id")
	old, err := s.findClient(r.Context(), id)
	if err != nil {
		return err
	}
	if old == nil {
		return motcua.NotFound("client", id)
	}
	c := u.client(id)
	if _, err := s.store.SaveClient(r.Context(), c); err != nil {
		return err
	}
	s.clients.forget(id)
	return writeJSON(w, http.StatusOK, c)
}

// rotateClientKey issues a new key for an API client and answers with it,
// shown this once. The old key stops working at once in this server, up
// to clientCacheTTL later in others.
func (s *Server) rotateClientKey(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	key, err := s.store.RotateClientKey(r.Context(), id)
	if err != nil {
		return err
	}
	s.clients.forget(id)
	return writeJSON(w, http.StatusOK, clientKey{ID: id, Key: key})
}

// revokeClient revokes an API client: its key stops working (at once in
// this server, up to clientCacheTTL later in others) and the client can
// no longer be changed.
func (s *Server) revokeClient(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if err := s.store.RevokeClient(r.Context(), id); err != nil {
		return err
	}
	s.clients.forget(id)
	w.WriteHeader(http.StatusNoContent)
	return nil
}
