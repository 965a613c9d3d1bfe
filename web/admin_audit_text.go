package web

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

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

// auditEntry is an audit entry with its before and after fields decoded,
// once for both auditRefs and auditRow: decoding the JSON was the larger
// part of the audit page's own CPU.
type auditEntry struct {
	store.AuditEntry
	before, after map[string]any
}

func decodeAudit(r store.AuditEntry) auditEntry {
	return auditEntry{AuditEntry: r, before: auditFields(r.Before), after: auditFields(r.After)}
}

// auditRefs adds the objects an entry's fields point at to ids, so their
// names can be loaded with the rest.
func auditRefs(r auditEntry, ids map[string][]string) {
	for _, fields := range []map[string]any{r.before, r.after} {
		for k, v := range fields {
			if typ, ok := refKeys[k]; ok {
				if n, ok := v.(float64); ok {
					ids[typ] = append(ids[typ], fmt.Sprint(int64(n)))
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
	before, after := r.before, r.after
	row.Object = labels[r.EntityType][r.EntityID]
	if row.Object == "" {
		row.Object = firstString(after, before, "number", "name", "email", "asset_tag", "subject")
	}
	if row.Object == "" {
		row.Object = r.EntityType + " " + r.EntityID
	}
	if pattern, ok := auditLinks[r.EntityType]; ok {
		row.Href = fmt.Sprintf(pattern, r.EntityID)
	}
	row.Changes = auditChanges(before, after, auditText{zone, currency, labels})
	return row
}

func auditFields(raw []byte) map[string]any {
	m := map[string]any{}
	if len(raw) > 0 && json.Unmarshal(raw, &m) != nil {
		// Not an object (a list or a number): show it whole.
		var v any
		if json.Unmarshal(raw, &v) == nil {
			m = map[string]any{"value": v}
		}
	}
	return m
}

func firstString(a, b map[string]any, keys ...string) string {
	for _, k := range keys {
		for _, m := range []map[string]any{a, b} {
			if s, ok := m[k].(string); ok && s != "" {
				return s
			}
		}
	}
	return ""
}

// auditChanges lists what differs between before and after: "status:
// hold → confirmed", or "rate day: €45.00" for a new value. Secrets never
// reach the audit log, so every field may be shown.
func auditChanges(before, after map[string]any, at auditText) []string {
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
		if name := at.labels[refKeys[key]][fmt.Sprint(int64(x))]; name != "" {
			return name
		}
		return fmt.Sprint(x)
	case string:
		if t, err := time.Parse(time.RFC3339, x); err == nil {
			return period.FormatDisplay(t, at.zone)
		}
		return x
	case bool:
		if x {
			return "yes"
		}
		return "no"
	case []any:
		if len(x) == 1 {
			return "1 entry"
		}
		return fmt.Sprintf("%d entries", len(x))
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
