package motcua_test

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"motcua"
)

func goldenEvent() *motcua.Event {
	return &motcua.Event{
		DossierID: "abcdefghijklmnopqrstuvwxyz", Seq: 2, Action: "receive",
		Actor:      motcua.Actor{Kind: "officer", ID: "u-1", Name: "Nguyễn Thị Bình"},
		At:         time.Date(2026, 11, 30, 9, 15, 30, 123456789, time.FixedZone("ICT", 7*60*60)),
		FromStatus: "submitted", ToStatus: "received",
		Payload:  json.RawMessage(`{"code":"000.00.31.H26-261130-0001"}`),
		PrevHash: "0000000000000000000000000000000000000000000000000000000000000000",
	}
}

// TestEventHashGolden pins the canonical encoding: a change to it would
// break every stored chain. The value was checked against an independent
// implementation of the encoding.
func TestEventHashGolden(t *testing.T) {
	const want = "1f78bb707c6fa3963a59a552f2c5686d4f246e3b7e5e4e12bb71d4cae12795cc"
	e := goldenEvent()
	if got := e.ComputeHash(); got != want {
		t.Errorf("ComputeHash() = %s; want %s", got, want)
	}
	// The zone and the nanoseconds beyond microseconds do not matter.
	e.At = time.Date(2026, 11, 30, 2, 15, 30, 123456999, time.UTC)
	if got := e.ComputeHash(); got != want {
		t.Errorf("ComputeHash() in UTC = %s; want %s", got, want)
	}
}

func TestEventHashCoversEveryField(t *testing.T) {
	base := goldenEvent().ComputeHash()
	edits := map[string]func(e *motcua.Event){
		"dossier":     func(e *motcua.Event) { e.DossierID = "bbcdefghijklmnopqrstuvwxyz" },
		"seq":         func(e *motcua.Event) { e.Seq = 3 },
		"action":      func(e *motcua.Event) { e.Action = "start" },
		"actor kind":  func(e *motcua.Event) { e.Actor.Kind = "admin" },
		"actor id":    func(e *motcua.Event) { e.Actor.ID = "u-2" },
		"actor name":  func(e *motcua.Event) { e.Actor.Name = "Nguyễn Thị Bính" },
		"time":        func(e *motcua.Event) { e.At = e.At.Add(time.Microsecond) },
		"from":        func(e *motcua.Event) { e.FromStatus = "received" },
		"to":          func(e *motcua.Event) { e.ToStatus = "processing" },
		"payload":     func(e *motcua.Event) { e.Payload = json.RawMessage(`{"code":"000.00.31.H26-261130-0002"}`) },
		"prev":        func(e *motcua.Event) { e.PrevHash = "1" + e.PrevHash[1:] },
		"field split": func(e *motcua.Event) { e.Actor.ID, e.Actor.Name = "u-1Nguyễn", " Thị Bình" },
	}
	for name, edit := range edits {
		e := goldenEvent()
		edit(e)
		if e.ComputeHash() == base {
			t.Errorf("editing the %s does not change the hash", name)
		}
	}
}

func TestChain(t *testing.T) {
	ict := time.FixedZone("ICT", 7*60*60)
	events := []*motcua.Event{
		{DossierID: "d", Seq: 1, Action: "submit", At: time.Date(2026, 11, 30, 9, 0, 0, 999, ict), Payload: json.RawMessage(`{}`)},
		{DossierID: "d", Seq: 2, Action: "receive", At: time.Date(2026, 11, 30, 10, 0, 0, 1500, ict), Payload: json.RawMessage(`{}`)},
		{DossierID: "d", Seq: 3, Action: "start", At: time.Date(2026, 11, 30, 11, 0, 0, 0, ict), Payload: json.RawMessage(`{}`)},
	}
	motcua.Chain("", events[:2])
	motcua.Chain(events[1].Hash, events[2:])
	prev := ""
	for i, e := range events {
		if e.PrevHash != prev {
			t.Errorf("event %d: prev hash %q; want %q", i, e.PrevHash, prev)
		}
		if e.Hash == "" || e.Hash != e.ComputeHash() {
			t.Errorf("event %d: hash %q does not match its content", i, e.Hash)
		}
		if e.At.Location() != time.UTC || e.At.Nanosecond()%1000 != 0 {
			t.Errorf("event %d: time %v not UTC microseconds", i, e.At)
		}
		prev = e.Hash
	}
	if want := time.Date(2026, 11, 30, 3, 0, 0, 1000, time.UTC); !events[1].At.Equal(want) {
		t.Errorf("event 1 at %v; want %v", events[1].At, want)
	}

	// Chaining the same events again gives the same hashes.
	again := make([]*motcua.Event, len(events))
	for i, e := range events {
		c := *e
		again[i] = &c
	}
	motcua.Chain("", again)
	for i := range events {
		if again[i].Hash != events[i].Hash {
			t.Errorf("event %d: rechained hash %s; want %s", i, again[i].Hash, events[i].Hash)
		}
	}
}

func TestHeadsHash(t *testing.T) {
	heads := []motcua.Head{
		{DossierID: "c", Seq: 1, Hash: "h3"},
		{DossierID: "a", Seq: 4, Hash: "h1"},
		{DossierID: "b", Seq: 2, Hash: "h2"},
	}
	want := motcua.HeadsHash(slices.Clone(heads))
	for _, order := range [][]int{{0, 1, 2}, {2, 1, 0}, {1, 0, 2}, {1, 2, 0}} {
		var hs []motcua.Head
		for _, i := range order {
			hs = append(hs, heads[i])
		}
		if got := motcua.HeadsHash(hs); got != want {
			t.Errorf("order %v: %s; want %s", order, got, want)
		}
		if hs[0].DossierID != "a" || hs[2].DossierID != "c" {
			t.Errorf("HeadsHash did not sort the heads: %v", hs)
		}
	}
	changed := slices.Clone(heads)
	changed[1].Seq = 5
	if motcua.HeadsHash(changed) == want {
		t.Error("changing a sequence number does not change the hash")
	}
	if motcua.HeadsHash(heads[:2]) == want {
		t.Error("dropping a head does not change the hash")
	}
	if got, empty := motcua.HeadsHash(nil), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"; got != empty {
		t.Errorf("HeadsHash(nil) = %s; want %s", got, empty)
	}
}

func TestCheckpointHash(t *testing.T) {
	golden := func() *motcua.Checkpoint {
		return &motcua.Checkpoint{ID: 7, At: time.Date(2026, 11, 30, 2, 0, 0, 0, time.UTC), LastEventID: 42, Dossiers: 3, HeadsHash: "aa", PrevHash: "bb"}
	}
	const want = "6cbc4662e9052ba70b1e6db1107ca1b7f9be743b59a8543f79e4f1b751369c92"
	if got := golden().ComputeHash(); got != want {
		t.Errorf("ComputeHash() = %s; want %s", got, want)
	}
	edits := map[string]func(c *motcua.Checkpoint){
		"id":       func(c *motcua.Checkpoint) { c.ID = 8 },
		"time":     func(c *motcua.Checkpoint) { c.At = c.At.Add(time.Microsecond) },
		"last":     func(c *motcua.Checkpoint) { c.LastEventID = 43 },
		"dossiers": func(c *motcua.Checkpoint) { c.Dossiers = 4 },
		"heads":    func(c *motcua.Checkpoint) { c.HeadsHash = "ab" },
		"prev":     func(c *motcua.Checkpoint) { c.PrevHash = "bc" },
		"hash":     func(c *motcua.Checkpoint) { c.Hash = "ignored" },
	}
	for name, edit := range edits {
		c := golden()
		edit(c)
		if changed := c.ComputeHash() != want; changed != (name != "hash") {
			t.Errorf("editing the %s: hash changed %v", name, changed)
		}
	}
}
