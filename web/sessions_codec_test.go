package web

import (
	"bytes"
	"encoding/gob"
	"reflect"
	"testing"
	"time"
)

// The session codec gives back what it was given, in the same bytes for the
// same session (the store skips unchanged sessions by comparing them), still
// reads sessions stored as gob, falls back to gob for a type it does not
// know, and refuses cut or damaged data instead of guessing.
func TestSessionCodec(t *testing.T) {
	var c sortedCodec
	deadline := time.Date(2030, 5, 6, 7, 8, 9, 10, time.FixedZone("CEST", 2*3600))
	values := map[string]any{"user_id": int64(42), "epoch": 3, "cart": `[{"item":7,"qty":2}]`, "flash": "", "seen": true}
	b, err := c.Encode(deadline, values)
	if err != nil || b[0] != sessionFormat {
		t.Fatalf("encode: %v, % x", err, b)
	}
	for range 5 {
		again, _ := c.Encode(deadline, values)
		if !bytes.Equal(again, b) {
			t.Fatal("the same session encoded to other bytes")
		}
	}
	gotDeadline, got, err := c.Decode(b)
	if err != nil || !gotDeadline.Equal(deadline) || !reflect.DeepEqual(got, values) {
		t.Fatalf("decode: %v %v %#v", err, gotDeadline, got)
	}

	// A session written as gob (before this form, or with another type).
	var old bytes.Buffer
	if err := gob.NewEncoder(&old).Encode(&sortedSession{Deadline: deadline, Keys: []string{"epoch", "user_id"}, Values: []any{3, int64(42)}}); err != nil {
		t.Fatal(err)
	}
	if d, got, err := c.Decode(old.Bytes()); err != nil || !d.Equal(deadline) || got["user_id"] != int64(42) || got["epoch"] != 3 {
		t.Fatalf("gob session: %v %#v", err, got)
	}
	other := map[string]any{"tags": []string{"a", "b"}, "user_id": int64(1)}
	gb, err := c.Encode(deadline, other)
	if err != nil || len(gb) == 0 || gb[0] == sessionFormat {
		t.Fatalf("a []string value: %v, % x", err, gb)
	}
	if _, got, err := c.Decode(gb); err != nil || !reflect.DeepEqual(got, other) {
		t.Fatalf("gob fallback: %v %#v", err, got)
	}

	for n := 1; n < len(b); n++ {
		if _, _, err := c.Decode(b[:n]); err == nil {
			t.Fatalf("%d of %d bytes decoded", n, len(b))
		}
	}
	if _, _, err := c.Decode(append(bytes.Clone(b), 0)); err == nil {
		t.Fatal("trailing byte decoded")
	}
}
