package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/rentdesk/rentdesk/internal/store"
)

// Junk and extreme values in queries and forms of the booking, desk and
// price routes are answered with a 4xx, never a 5xx.
func TestJunkInputNeverServerError(t *testing.T) {
	s := newShop(t, "Europe/Berlin")
	item := s.item("Cam", 2)
	var slug string
	_ = s.st.DB().QueryRow(`SELECT slug FROM items WHERE id = $1`, item).Scan(&slug)
	cust, _ := s.customer("a@example.test")
	cust.bookOne(s.loc, item, s.local(2, 10), s.local(3, 10)).expectStatus(t, http.StatusSeeOther)
	var bid, lid int64
	_ = s.st.DB().QueryRow(`SELECT b.id, l.id FROM bookings b JOIN booking_lines l ON l.booking_id = b.id`).Scan(&bid, &lid)
	s.createUser(store.RoleStaff, "staff@example.test", "staff password 1")
	staff := s.client()
	staff.login("staff@example.test", "staff password 1")
	dates := []string{"0001-01-01T00:00", "9999-12-31T23:59", "10000-01-01T00:00", "2026-03-29T02:30", "0000-01-01T00:00", "-001-01-01T00:00", "2026-02-30T10:00"}
	pairs := [][2]string{}
	for _, a := range dates {
		pairs = append(pairs, [2]string{s.local(1, 10), a}, [2]string{a, s.local(1, 10)})
	}
	pairs = append(pairs, [2]string{"0001-01-01T00:00", "9999-12-31T23:59"})
	check := func(who string, res *testResponse, what string) {
		t.Helper()
		if res.StatusCode >= 500 {
			t.Errorf("%s %s: %d", who, what, res.StatusCode)
		}
	}
	for _, p := range pairs {
		q := url.Values{"start": {p[0]}, "end": {p[1]}}
		check("anon", s.client().get("/items/"+slug+"/price?"+q.Encode()), "price "+q.Encode())
		check("cust", cust.post("/book/dates", url.Values{"location": {fmt.Sprint(s.loc)}, "start": {p[0]}, "end": {p[1]}}), "book/dates "+q.Encode())
		check("cust", cust.get(fmt.Sprintf("/book/items/%d", item)), "book item after "+q.Encode())
		check("cust", cust.get("/book"), "book after "+q.Encode())
		check("cust", cust.get("/cart"), "cart after "+q.Encode())
		check("cust", cust.post(fmt.Sprintf("/bookings/%d/lines/%d/extend", bid, lid), url.Values{"end": {p[1]}}), "extend "+p[1])
		wq := url.Values{"item": {fmt.Sprint(item)}, "location": {fmt.Sprint(s.loc)}, "start": {p[0]}, "end": {p[1]}}
		check("staff", staff.get("/staff/availability/why?"+wq.Encode()), "why "+wq.Encode())
		check("staff", staff.post("/staff/maintenance", url.Values{"tag": {"Cam-1"}, "start": {p[0]}, "end": {p[1]}, "reason": {"x"}}), "maintenance "+q.Encode())
		check("staff", staff.post("/staff/bookings", url.Values{"email": {"a@example.test"}, "item": {fmt.Sprint(item)}, "quantity": {"1"},
			"location": {fmt.Sprint(s.loc)}, "start": {p[0]}, "end": {p[1]}}), "walk-in "+q.Encode())
	}
	for _, q := range []string{"date=9999-12-31", "date=0001-01-01", "date=2200-12-31", "location=99999999999999999999", "location=-1", "location=0",
		"q=%00", "q=%27", "date=2026-13-01", "q=" + url.QueryEscape("🙂")} {
		check("staff", staff.get("/desk?"+q), "desk "+q)
		check("staff", staff.get("/staff/bookings?"+q), "bookings "+q)
		check("staff", staff.get("/staff/bookings/new?"+q), "new booking "+q)
	}
	// The walk-in item picker: its search fragment and the form sent without
	// JavaScript, with wildcards, quotes, emoji and long strings.
	for _, q := range []string{"%", "_", "%_%", "\\", "'", "\"", "🙂", strings.Repeat("%", 100), strings.Repeat("x", 101), strings.Repeat("é", 5000)} {
		for _, slot := range []string{"", "_2", "_3", "_9", "%"} {
			check("staff", staff.get("/staff/items/search?"+url.Values{"slot": {slot}, "item_q" + slot: {q}}.Encode()), "item search "+slot+" "+q)
		}
		check("staff", staff.post("/staff/bookings", url.Values{"email": {"a@example.test"}, "item_q": {q}, "quantity": {"1"},
			"item_q_2": {q}, "item_2": {"x"}, "location": {fmt.Sprint(s.loc)}, "start": {s.local(1, 10)}, "end": {s.local(2, 10)}}), "walk-in item "+q)
	}
	for _, q := range []string{"status=junk", "before=-5", "before=99999999999999999999", "status=out&before=1", "location=999999"} {
		check("staff", staff.get("/staff/bookings?"+q), "bookings "+q)
	}
	for _, p := range []string{"/staff/bookings/99999999999999999999", "/staff/bookings/-1", "/staff/bookings/0", "/staff/units/9223372036854775807/edit",
		"/staff/items/9223372036854775807", "/book/items/9223372036854775807", "/photos/9223372036854775807", "/staff/import/9223372036854775807",
		"/staff/availability/why?item=9223372036854775807&location=1&start=x&end=y", "/staff/maintenance/new?tag=%00"} {
		check("staff", staff.get(p), p)
	}
	for _, p := range []string{"/bookings/9223372036854775807", fmt.Sprintf("/bookings/%d?x=%%00", bid)} {
		check("cust", cust.get(p), p)
	}
	check("cust", cust.post("/account/mail", url.Values{"reminders": {"\x00"}, "news": {string([]byte{0xff})}}), "mail prefs junk")
	check("cust", cust.post(fmt.Sprintf("/bookings/%d/lines/9223372036854775807/extend", bid), url.Values{"end": {s.local(5, 10)}}), "extend huge line")
	check("cust", cust.post("/cart/items/9223372036854775807", url.Values{"quantity": {"99999999999999999999"}}), "cart huge")
	check("cust", cust.post("/cart/items", url.Values{"item_id": {fmt.Sprint(item)}, "quantity": {"-1"}}), "cart neg")
	check("staff", staff.post(fmt.Sprintf("/staff/bookings/%d/lines/%d/unit", bid, lid), url.Values{"tag": {"Cam-2"}, "from": {"\x00"}}), "change unit")
	check("staff", staff.post(fmt.Sprintf("/staff/bookings/%d/checkout", bid), url.Values{"tag": {string(make([]byte, 5000))}}), "checkout long tag")
}

// hostileValues are what the sweep puts into every parameter and field.
var hostileValues = map[string]string{
	"invalid UTF-8":  "\xff\xfe",
	"NUL":            "a\x00b",
	"100 KB":         strings.Repeat("x", 100<<10),
	"CR LF":          "line\r\nBcc: x@example.com",
	"control":        "a\x1b[31mb",
	"overflow":       "99999999999999999999",
	"negative":       "-1",
	"year 0001":      "0001-01-01T00:00",
	"year 9999":      "9999-12-31T23:59",
	"date past 9999": "10000-01-01T00:00",
}

// sweepActor is who runs a matrix row in the sweep: someone the row lets in,
// so the hostile values reach the handler.
func sweepActor(w who) int {
	for _, i := range []int{0, 1, 3, 4} {
		if w.at(i) == allow {
			return i
		}
	}
	return 4
}

// The hostile-input sweep: every route of the route table (the authorization
// matrix, which TestAuthzMatrixCoversEveryRoute keeps complete, so a route
// added later without a row fails there) × hostile values in each path
// parameter, query parameter and form field of its row. Never a 5xx, and
// every refusal carries a message: an error page, or one beside the form.
func TestHostileInputSweepOverEveryRoute(t *testing.T) {
	app := newTestApp(t)
	w := newAuthzWorld(t, app)
	client := w.actorClients(app)
	for actor := range actorNames {
		client(actor)
	}
	covered := map[string]bool{}
	for _, row := range authzMatrix {
		covered[row.method+" "+row.route] = true
		if row.method == http.MethodHead || strings.HasPrefix(row.route, "/static") {
			continue
		}
		actor := sweepActor(row.want)
		path := row.path
		if path == "" {
			path = row.route
		}
		base, rawQuery, _ := strings.Cut(w.fill(path, actor), "?")
		query, _ := url.ParseQuery(rawQuery)
		form := url.Values{}
		for k, vs := range row.form {
			for _, v := range vs {
				form.Add(k, w.fill(v, actor))
			}
		}
		type variant struct {
			where string
			path  string
			query url.Values
			form  url.Values
		}
		var variants []variant
		for name, hv := range hostileValues {
			// Each path segment that is a parameter of the route.
			segs, rsegs := strings.Split(base, "/"), strings.Split(row.route, "/")
			for i := range rsegs {
				if i < len(segs) && strings.HasPrefix(rsegs[i], ":") {
					s := append([]string(nil), segs...)
					s[i] = url.PathEscape(hv)
					variants = append(variants, variant{"path " + rsegs[i] + " = " + name, strings.Join(s, "/"), query, form})
				}
			}
			for k := range query {
				q := cloneValues(query)
				q.Set(k, hv)
				variants = append(variants, variant{"query " + k + " = " + name, base, q, form})
			}
			if row.method == http.MethodPost {
				for k := range form {
					f := cloneValues(form)
					f.Set(k, hv)
					variants = append(variants, variant{"form " + k + " = " + name, base, query, f})
				}
			}
		}
		for _, v := range variants {
			p := v.path
			if len(v.query) > 0 {
				p += "?" + v.query.Encode()
			}
			var res *testResponse
			if row.method == http.MethodGet {
				res = client(actor).get(p)
			} else {
				res = client(actor).post(p, cloneValues(v.form))
			}
			what := fmt.Sprintf("%s %s as %s, %s", row.method, row.route, actorNames[actor], v.where)
			if res.StatusCode >= 500 {
				t.Errorf("%s: status %d", what, res.StatusCode)
				continue
			}
			if res.StatusCode >= 400 && !saysWhy(res) {
				t.Errorf("%s: status %d without a message", what, res.StatusCode)
			}
			// An absurd date is never taken: a form that sends one gets a
			// message, not the redirect of success.
			if row.method == http.MethodPost && dateFields[variantField(v.where)] && res.StatusCode < 400 && strings.Contains(v.where, "year") {
				t.Errorf("%s: status %d, the date was taken", what, res.StatusCode)
			}
			// Nor is an over-long typed value: its form comes back.
			if row.method == http.MethodPost && isTypedField(variantField(v.where)) && strings.HasSuffix(v.where, "100 KB") && res.StatusCode < 400 {
				t.Errorf("%s: status %d, the over-long value was taken", what, res.StatusCode)
			}
		}
	}
	for _, r := range appRoutes(app.srv) {
		if !covered[r.Method+" "+r.Path] {
			t.Errorf("route %s %s has no row, so the sweep does not reach it", r.Method, r.Path)
		}
	}
}

// dateFields are the form fields that carry a date or an instant.
var dateFields = map[string]bool{"start": true, "end": true, "date": true, "from": true, "until": true}

// variantField is the field a sweep variant changed: "form end = year 9999" → "end".
func variantField(where string) string {
	f := strings.Fields(where)
	if len(f) < 2 {
		return ""
	}
	return f[1]
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// saysWhy reports whether a refusal shows a message: the error page's, or
// one on the form.
func saysWhy(res *testResponse) bool {
	if res.Doc == nil {
		return false
	}
	for _, sel := range []string{`[data-testid="error-page"] p`, `[data-testid="form-error"]`, `.field-error`, `.form-errors`, `[role="alert"]`, `[data-testid="reset-invalid"]`, `[data-testid="email-change-invalid"]`, `[data-testid="email-change-taken"]`} {
		if strings.TrimSpace(res.Doc.Find(sel).Text()) != "" {
			return true
		}
	}
	return false
}
