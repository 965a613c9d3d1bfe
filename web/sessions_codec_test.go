package web

import (
	"bytes"
	"encoding/gob"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"
)

// freshEncode and freshDecode are the session codec without its memo: a gob
// coder of their own for every call.
func freshEncode(t *testing.T, deadline time.Time, values map[string]any) []byte {
	t.Helper()
	b, err := sortedCodec{memo: &codecMemo{}}.Encode(deadline, values)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func freshDecode(t *testing.T, b []byte) (time.Time, map[string]any) {
	t.Helper()
	var aux sortedSession
	if err := gob.NewDecoder(bytes.NewReader(b)).Decode(&aux); err != nil {
		t.Fatal(err)
	}
	values := make(map[string]any, len(aux.Keys))
	for i, k := range aux.Keys {
		values[k] = aux.Values[i]
	}
	return aux.Deadline, values
}

// TestSessionCodecMemoAgrees codes varied sessions, each several times and
// interleaved with the others, through one codec that remembers them, and
// checks every answer against a fresh gob coding: the same bytes, the same
// deadline, the same values; changing a handed-out map changes nothing later.
func TestSessionCodecMemoAgrees(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 7))
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	type session struct {
		deadline time.Time
		values   map[string]any
	}
	base := time.Date(2026, 3, 29, 0, 30, 0, 123456789, time.UTC)
	var sessions []session
	for i := range 60 {
		d := base.Add(time.Duration(rng.IntN(1e6)) * time.Second)
		if i%3 == 1 {
			d = d.In(berlin) // the same instant in another zone encodes differently
		}
		vals := map[string]any{}
		switch i % 6 {
		case 0: // a new visitor: nothing yet
		case 1: // a login, as the app keeps it
			vals[sessUserID] = int64(rng.IntN(1000) + 1)
			vals[sessEpoch] = rng.IntN(3)
		case 2:
			vals["book_choice"] = fmt.Sprintf(`{"location":%d,"start":"2026-05-0%dT10:00"}`, rng.IntN(3)+1, rng.IntN(9)+1)
		case 3:
			vals["cart"] = fmt.Sprintf(`[{"item":%d,"qty":%d}]`, rng.IntN(500), rng.IntN(4)+1)
			vals[sessFlash] = `[{"Kind":"ok","Message":"Added."}]`
		case 4: // a string, an int64 and an int of the same digits (and the same deadline) are different sessions
			d = base
			vals["k"] = []any{"42", int64(42), 42}[i/6%3]
		case 5: // types the memo does not keep still code as gob does
			vals["n"] = rng.IntN(100)
			vals["ok"] = true
			vals["f"] = rng.Float64()
		}
		sessions = append(sessions, session{d, vals})
	}
	memo := newSortedCodec()
	for round := range 4 {
		for _, i := range rng.Perm(len(sessions)) {
			s := sessions[i]
			want := freshEncode(t, s.deadline, s.values)
			got, err := memo.Encode(s.deadline, s.values)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("round %d, session %d: encoded %x, a fresh encoder %x", round, i, got, want)
			}
			got[0] ^= 0xff // the caller owns the bytes: the memo must not see this
			wantDeadline, wantValues := freshDecode(t, want)
			deadline, values, err := memo.Decode(want)
			if err != nil {
				t.Fatal(err)
			}
			if !deadline.Equal(wantDeadline) || deadline.Location().String() != wantDeadline.Location().String() ||
				!reflect.DeepEqual(values, wantValues) {
				t.Fatalf("round %d, session %d: decoded %v %#v, a fresh decoder %v %#v", round, i, deadline, values, wantDeadline, wantValues)
			}
			values["cart"] = "changed by the request" // a request's own map
		}
	}
	if len(memo.memo.dec) == 0 || len(memo.memo.enc) == 0 {
		t.Fatal("the codec remembered nothing")
	}
}

// TestSessionCodecRemembersLogins: a logged-in visitor's session (the user's
// id as an int64, the account's epoch as an int, as login keeps them) is
// remembered both ways, so it is not gob-coded again on every page.
func TestSessionCodecRemembersLogins(t *testing.T) {
	c := newSortedCodec()
	deadline := time.Date(2026, 3, 29, 0, 30, 0, 0, time.UTC)
	vals := map[string]any{sessUserID: int64(7), sessEpoch: 2}
	b, err := c.Encode(deadline, vals)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.Decode(b); err != nil {
		t.Fatal(err)
	}
	if len(c.memo.enc) != 1 || len(c.memo.dec) != 1 {
		t.Fatalf("a login's session is not remembered: %d encoded, %d decoded", len(c.memo.enc), len(c.memo.dec))
	}
}
