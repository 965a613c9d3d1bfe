package web

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tidwall/gjson"

	"github.com/rentdesk/rentdesk/internal/money"
	"github.com/rentdesk/rentdesk/internal/period"
	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/templates/pages"
)

// auditVerbs say what an action did, as the middle of a sentence whose
// subject is who did it and whose object is the thing changed.
var auditVerbs = map[string]string{
	"booking.create": "booked", "booking.cancel": "cancelled booking", "booking.confirm": "confirmed booking",
	"booking.expire": "let the unpaid hold expire on booking", "booking.checkout": "handed out booking",
	"booking.checkin": "took back booking", "booking.unit": "swapped a unit on booking",
	"booking.late_fee.waive": "waived a late fee on booking", "booking.return.photos": "added photos of a return to booking",
	"category.create": "created category", "category.update": "changed category", "category.move": "reordered category",
	"email.send": "sent email", "import.apply": "applied import",
	"item.create": "created item", "item.update": "changed item", "item.archive": "archived item", "item.restore": "restored item",
	"location.create": "created location", "location.update": "changed location",
	"photo.add": "added a photo to", "photo.delete": "deleted a photo of", "photo.move": "reordered the photos of",
	"stock.update": "changed the stock of", "unit.create": "added unit", "unit.update": "changed unit",
	"unit.maintenance": "blocked for maintenance unit",
	"user.create":      "created the account of", "user.role": "changed the role of", "user.disabled": "changed access for",
	"user.profile": "changed the profile of", "user.password": "changed the password of",
	"user.password_reset": "reset the password of", "user.mail_preferences": "changed the mail preferences of",
}

// auditLinks are where an audited object is looked at.
var auditLinks = map[string]string{
	"booking": "/staff/bookings/%s", "item": "/staff/items/%s", "unit": "/staff/units/%s/edit",
	"category": "/admin/categories/%s/edit", "location": "/admin/locations/%s/edit", "import": "/staff/import/%s",
	"email": "/admin/mail",
}

// refKeys are audited fields that point at another object, with its type.
var refKeys = map[string]string{"customer_id": "user", "user_id": "user", "location_id": "location", "item_id": "item",
	"category_id": "category", "unit_id": "unit", "booking_id": "booking"}

// auditEntry is an audit entry with the fields that differ between its
// before and after, decoded once for both auditRefs and auditRow. Only
// those are shown, and an entry often saves a whole item before and after
// one changed rate: the fields are split without decoding them, equal ones
// (the same JSON text: PostgreSQL writes jsonb one way) are dropped, and only
// the rest are decoded, as encoding/json decodes them.
type auditEntry struct {
	store.AuditEntry
	before, after []auditField // in key order
	changed       []auditChange
}

// auditField is one top-level field of an entry's before or after: its key
// and its value's JSON text, undecoded.
type auditField struct {
	key, raw string
}

// auditChange is a field that differs, with its decoded values.
type auditChange struct {
	key            string
	before, after  any
	inBefore, inAf bool
}

func decodeAudit(r store.AuditEntry) auditEntry {
	e := auditEntry{AuditEntry: r, before: auditFields(r.Before), after: auditFields(r.After)}
	b, a := e.before, e.after
	for len(b) > 0 || len(a) > 0 {
		switch {
		case len(a) == 0 || len(b) > 0 && b[0].key < a[0].key:
			e.changed = append(e.changed, auditChange{key: b[0].key, before: decodeValue(b[0].raw), inBefore: true})
			b = b[1:]
		case len(b) == 0 || a[0].key < b[0].key:
			e.changed = append(e.changed, auditChange{key: a[0].key, after: decodeValue(a[0].raw), inAf: true})
			a = a[1:]
		default:
			if b[0].raw != a[0].raw {
				e.changed = append(e.changed, auditChange{key: a[0].key, before: decodeValue(b[0].raw),
					after: decodeValue(a[0].raw), inBefore: true, inAf: true})
			}
			a, b = a[1:], b[1:]
		}
	}
	return e
}

// auditRefs adds the objects an entry's changed fields point at to ids, so
// their names can be loaded with the rest.
func auditRefs(r auditEntry, ids map[string][]string) {
	for _, c := range r.changed {
		if typ, ok := refKeys[c.key]; ok {
			for _, v := range []any{c.before, c.after} {
				if n, ok := v.(float64); ok {
					ids[typ] = append(ids[typ], strconv.FormatInt(int64(n), 10))
				}
			}
		}
	}
}

// moneyKeys are the audited fields that hold amounts in minor units.
var moneyKeys = map[string]bool{
	"total": true, "subtotal": true, "tax": true, "deposit": true, "paid": true, "line_total": true, "amount": true, "charged": true,
	"rate_hour": true, "rate_day": true, "rate_week": true, "rate_month": true, "replacement_value": true,
}

// auditRow writes one audit entry as a sentence with names, money in the
// shop's currency, times in the shop's zone and a link to the object.
func auditRow(r auditEntry, labels map[string]map[string]string, zone *time.Location, currency string) pages.AuditRow {
	row := pages.AuditRow{ID: r.ID, At: period.FormatDisplay(r.At, zone), Action: r.Action, RequestID: r.RequestID, Actor: "The system"}
	if r.ActorID != nil {
		row.Actor = labels["user"][fmt.Sprint(*r.ActorID)]
		if row.Actor == "" && r.ActorEmail != nil {
			row.Actor = *r.ActorEmail
		}
	}
	row.Verb = auditVerbs[r.Action]
	if row.Verb == "" {
		row.Verb = strings.ReplaceAll(r.Action, ".", " ")
	}
	row.Object = labels[r.EntityType][r.EntityID]
	if row.Object == "" {
		row.Object = firstString(r.after, r.before, "number", "name", "email", "asset_tag", "subject")
	}
	if row.Object == "" {
		row.Object = r.EntityType + " " + r.EntityID
	}
	if pattern, ok := auditLinks[r.EntityType]; ok {
		row.Href = fmt.Sprintf(pattern, r.EntityID)
	}
	row.Changes = auditChanges(r.changed, auditText{zone, currency, labels})
	return row
}

// auditFields splits an entry's before or after into its top-level fields,
// sorted by key. A value that is no object (a list or a number) is shown
// whole, as the field "value"; none, null or what is not JSON has none.
func auditFields(raw []byte) []auditField {
	if len(raw) == 0 || !gjson.ValidBytes(raw) {
		return nil
	}
	doc := gjson.ParseBytes(raw)
	switch {
	case doc.IsObject():
		out := make([]auditField, 0, 8)
		doc.ForEach(func(k, v gjson.Result) bool {
			out = append(out, auditField{key: k.Str, raw: v.Raw})
			return true
		})
		slices.SortStableFunc(out, func(a, b auditField) int { return strings.Compare(a.key, b.key) })
		// The last of repeated keys wins, as when encoding/json decodes them.
		kept := out[:0]
		for i, f := range out {
			if i+1 < len(out) && out[i+1].key == f.key {
				continue
			}
			kept = append(kept, f)
		}
		return kept
	case doc.Type == gjson.Null:
		return nil
	}
	return []auditField{{key: "value", raw: doc.Raw}}
}

// decodeValue decodes one field's value as encoding/json does into any,
// but for a list, which the page only counts (auditList). raw is one value
// of a document gjson found valid. Plain text, numbers, true, false and
// null are read without encoding/json's reflection; what needs more (an
// escape, an object) goes through it.
func decodeValue(raw string) any {
	switch {
	case raw == "null":
		return nil
	case raw == "true":
		return true
	case raw == "false":
		return false
	case len(raw) >= 2 && raw[0] == '"' && raw[len(raw)-1] == '"' && plainJSONText(raw[1:len(raw)-1]):
		return raw[1 : len(raw)-1]
	case len(raw) > 0 && (raw[0] == '-' || raw[0] >= '0' && raw[0] <= '9'):
		if f, err := strconv.ParseFloat(raw, 64); err == nil {
			return f
		}
	case len(raw) > 0 && raw[0] == '[':
		n := 0
		gjson.Parse(raw).ForEach(func(_, _ gjson.Result) bool {
			n++
			return true
		})
		return auditList(n)
	}
	var out any
	if json.Unmarshal([]byte(raw), &out) != nil {
		return nil
	}
	return out
}

// auditList is a list's value: the page shows how many entries it has.
type auditList int

// plainJSONText is true for the inside of a JSON string that means itself:
// valid UTF-8 without escapes, quotes or control characters.
func plainJSONText(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' {
			return false
		}
	}
	return utf8.ValidString(s)
}

// looksRFC3339 is false for most strings time.Parse(time.RFC3339) would
// refuse (a status, a name): those without the date's dashes and the T at
// their fixed places. A failed parse allocates its error, and most audited
// strings are not instants.
func looksRFC3339(s string) bool {
	return len(s) > len("2006-01-02T") && s[4] == '-' && s[7] == '-' && s[10] == 'T'
}

func firstString(a, b []auditField, keys ...string) string {
	for _, k := range keys {
		for _, fields := range [][]auditField{a, b} {
			i, ok := slices.BinarySearchFunc(fields, k, func(f auditField, k string) int { return strings.Compare(f.key, k) })
			if ok && strings.HasPrefix(fields[i].raw, `"`) {
				if s, _ := decodeValue(fields[i].raw).(string); s != "" {
					return s
				}
			}
		}
	}
	return ""
}

// auditChanges lists what differs between before and after: "status:
// hold → confirmed", or "rate day: €45.00" for a new value. Secrets never
// reach the audit log, so every field may be shown.
func auditChanges(changed []auditChange, at auditText) []string {
	var out []string
	for _, c := range changed {
		bs, as := at.value(c.key, c.before), at.value(c.key, c.after)
		name := strings.ReplaceAll(c.key, "_", " ")
		if _, ok := refKeys[c.key]; ok {
			name = strings.TrimSuffix(name, " id")
		}
		switch {
		case c.inBefore && c.inAf && bs == as:
		case c.inBefore && c.inAf:
			out = append(out, name+": "+bs+" → "+as)
		case c.inAf:
			out = append(out, name+": "+as)
		default:
			out = append(out, name+" removed (was "+bs+")")
		}
	}
	return out
}

// auditText is how audit values are written: the shop's zone and currency,
// and the names of the objects ids point at.
type auditText struct {
	zone     *time.Location
	currency string
	labels   map[string]map[string]string
}

// value writes one value for people: money formatted, instants in the
// shop's zone, ids as names, lists counted.
func (at auditText) value(key string, v any) string {
	switch x := v.(type) {
	case nil:
		return "none"
	case float64:
		if moneyKeys[key] {
			return money.Format(int64(x), at.currency)
		}
		if name := at.labels[refKeys[key]][strconv.FormatInt(int64(x), 10)]; name != "" {
			return name
		}
		return fmt.Sprint(x)
	case string:
		if looksRFC3339(x) {
			if t, err := time.Parse(time.RFC3339, x); err == nil {
				return period.FormatDisplay(t, at.zone)
			}
		}
		return x
	case bool:
		if x {
			return "yes"
		}
		return "no"
	case []any:
		return auditList(len(x)).String()
	case auditList:
		return x.String()
	case map[string]any:
		parts := make([]string, 0, len(x))
		for k, vv := range x {
			parts = append(parts, k+" "+at.value(k, vv))
		}
		sort.Strings(parts)
		return strings.Join(parts, ", ")
	}
	return fmt.Sprint(v)
}

// String is how many entries a list has, in words.
func (n auditList) String() string {
	if n == 1 {
		return "1 entry"
	}
	return strconv.Itoa(int(n)) + " entries"
}
