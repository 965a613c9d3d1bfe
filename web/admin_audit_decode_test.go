package web

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/rentdesk/rentdesk/internal/store"
)

// formerAuditFields and formerAuditChanges are how the audit page read an
// entry before it decoded only the fields that differ: every field of
// before and after decoded into maps.
func formerAuditFields(raw []byte) map[string]any {
	m := map[string]any{}
	if len(raw) > 0 && json.Unmarshal(raw, &m) != nil {
		var v any
		if json.Unmarshal(raw, &v) == nil {
			m = map[string]any{"value": v}
		}
	}
	return m
}

func formerFirstString(a, b map[string]any, keys ...string) string {
	for _, k := range keys {
		for _, m := range []map[string]any{a, b} {
			if s, ok := m[k].(string); ok && s != "" {
				return s
			}
		}
	}
	return ""
}

func formerAuditChanges(before, after map[string]any, at auditText) []string {
	keys := map[string]bool{}
	for k := range before {
		keys[k] = true
	}
	for k := range after {
		keys[k] = true
	}
	sorted := make([]string, 0, len(keys))
	for k := range keys {
		sorted = append(sorted, k)
	}
	sort.Strings(sorted)
	var out []string
	for _, k := range sorted {
		b, inB := before[k]
		a, inA := after[k]
		bs, as := at.value(k, b), at.value(k, a)
		name := strings.ReplaceAll(k, "_", " ")
		if _, ok := refKeys[k]; ok {
			name = strings.TrimSuffix(name, " id")
		}
		switch {
		case inB && inA && bs == as:
		case inB && inA:
			out = append(out, name+": "+bs+" → "+as)
		case inA:
			out = append(out, name+": "+as)
		default:
			out = append(out, name+" removed (was "+bs+")")
		}
	}
	return out
}

// An entry reads the same whether every field is decoded or only those
// whose JSON differs: changed, added and removed fields, equal numbers
// written differently, nested objects, lists, nulls, values that are no
// object, text that is not JSON, escaped keys and repeated keys; and every
// id a shown change names is among those auditRefs gathers.
func TestAuditDecodesAsEveryField(t *testing.T) {
	cases := [][2]string{
		{`{"name": "Canon R6", "rate_day": 4500, "online": true}`, `{"name": "Canon R6", "rate_day": 5000, "online": true}`},
		{``, `{"name": "Tent", "customer_id": 77, "location_id": 3}`},
		{`{"status": "hold", "unit_id": 9}`, ``},
		{`null`, `{"a": null}`},
		{`{"a": null}`, `{"a": null, "b": false}`},
		{`{"total": 1}`, `{"total": 1.0}`},
		{`{"n": 1e2}`, `{"n": 100}`},
		{`{"starts_at": "2030-06-03T08:00:00Z"}`, `{"starts_at": "2030-06-03T10:00:00+02:00"}`},
		{`{"starts_at": "2030-06-03T08:00:00Z"}`, `{"starts_at": "2030-06-04T08:00:00Z"}`},
		{`{"m": {"rate_day": 100, "x": [1, 2]}}`, `{"m": {"x": [1, 2], "rate_day": 100}}`},
		{`{"m": {"rate_day": 100}}`, `{"m": {"rate_day": 200}}`},
		{`{"list": [1]}`, `{"list": [1, 2, 3]}`},
		{`[1, 2]`, `[1, 2, 3]`},
		{`42`, `"forty-two"`},
		{`{"a": 1`, `not json`},
		{`{"na\u006de": "x", "e\"mail": "y@z"}`, `{"name": "x", "e\"mail": "w@z"}`},
		{`{"k": 1, "k": 2}`, `{"k": 2}`},
		{`{"k": 2, "k": 1}`, `{"k": 2}`},
		{`{"number": "", "subject": "Hello \u00e9"}`, `{"number": "R000042"}`},
		{`{"email": "a@b.test", "asset_tag": "T-1"}`, `{"email": "a@b.test", "asset_tag": "T-2", "user_id": 5, "item_id": 6}`},
		{`{"customer_id": 77, "booking_id": 8, "category_id": 2}`, `{"customer_id": 78, "booking_id": 8, "category_id": 2}`},
		{`{"Ünï": "ç", "z": "", "A": -0}`, `{"Ünï": "c", "A": 0, "z": ""}`},
		{`{"s": "tab\there", "q": "a\"b", "u": "\u00e9t\u00e9", "lines": [{"a": 1}, {"b": [2, 3]}], "e": []}`,
			`{"s": "tab here", "q": "a'b", "u": "été", "lines": [{"a": 1}], "e": [[]], "f": -1.5e3, "t": true}`},
		{"{\"bad\": \"caf\xe9\", \"n\": 0.1}", "{\"bad\": \"cafe\", \"n\": 1E-1, \"name\": \"\xff\"}"},
	}
	labels := map[string]map[string]string{
		"user": {"5": "Eve", "77": "Bob", "78": "Bea"}, "location": {"3": "Berlin"}, "unit": {"9": "T-9"},
		"item": {"6": "Dome tent"}, "booking": {"8": "R000008"}, "category": {"2": "Tents"},
	}
	zone, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	at := auditText{zone, "EUR", labels}
	for i, c := range cases {
		for _, entity := range []string{"item", "thing"} {
			r := store.AuditEntry{ID: int64(i + 1), Action: "item.update", EntityType: entity, EntityID: "999"}
			if c[0] != "" {
				r.Before = []byte(c[0])
			}
			if c[1] != "" {
				r.After = []byte(c[1])
			}
			e := decodeAudit(r)
			ids := map[string][]string{}
			auditRefs(e, ids)
			got := auditRow(e, labels, zone, "EUR")
			before, after := formerAuditFields(r.Before), formerAuditFields(r.After)
			wantChanges := formerAuditChanges(before, after, at)
			wantObject := formerFirstString(after, before, "number", "name", "email", "asset_tag", "subject")
			if wantObject == "" {
				wantObject = r.EntityType + " " + r.EntityID
			}
			if fmt.Sprintf("%q", got.Changes) != fmt.Sprintf("%q", wantChanges) || got.Object != wantObject {
				t.Errorf("%s → %s: %q %q, want %q %q", c[0], c[1], got.Object, got.Changes, wantObject, wantChanges)
			}
			// Each name a change shows was asked for.
			for typ, names := range labels {
				for id, name := range names {
					if !strings.Contains(strings.Join(got.Changes, "\n"), name) {
						continue
					}
					asked := false
					for _, x := range ids[typ] {
						asked = asked || x == id
					}
					if !asked {
						t.Errorf("%s → %s: shows %s %s (%q) but did not ask for it", c[0], c[1], typ, id, name)
					}
				}
			}
		}
	}
}
