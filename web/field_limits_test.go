package web

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/rentdesk/rentdesk/internal/payment"
	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/templates/components"
)

// shownForm is a POST form as a page shows it: where it goes, what a browser
// would send untouched, and its text fields.
type shownForm struct {
	page, action string
	multipart    bool
	values       url.Values
	text         []textField
}

// textField is one text input or text area of a form.
type textField struct {
	name, typ, maxlength string
	hasMax               bool
}

// textInputTypes are the input types someone types text into.
var textInputTypes = map[string]bool{"": true, "text": true, "email": true, "search": true, "tel": true, "url": true, "password": true}

// postForms reads the POST forms of a page, with the values a browser would
// send for them as shown.
func postForms(page string, doc *goquery.Document) []shownForm {
	var out []shownForm
	doc.Find("form").Each(func(_ int, f *goquery.Selection) {
		if !strings.EqualFold(f.AttrOr("method", "get"), "post") {
			return
		}
		action := f.AttrOr("action", "")
		if action == "" {
			action = page
		}
		sf := shownForm{page: page, action: action, values: url.Values{},
			multipart: f.AttrOr("enctype", "") == "multipart/form-data"}
		f.Find("input, textarea, select").Each(func(_ int, in *goquery.Selection) {
			name, ok := in.Attr("name")
			if !ok || name == "" {
				return
			}
			if _, off := in.Attr("disabled"); off {
				return
			}
			switch goquery.NodeName(in) {
			case "textarea":
				sf.values.Add(name, in.Text())
				ml, has := in.Attr("maxlength")
				sf.text = append(sf.text, textField{name, "textarea", ml, has})
			case "select":
				opt := in.Find("option[selected]").First()
				if opt.Length() == 0 {
					opt = in.Find("option").First()
				}
				sf.values.Add(name, opt.AttrOr("value", opt.Text()))
			default:
				typ := strings.ToLower(in.AttrOr("type", ""))
				switch {
				case typ == "checkbox" || typ == "radio":
					if _, on := in.Attr("checked"); on {
						sf.values.Add(name, in.AttrOr("value", "on"))
					}
				case typ == "submit" || typ == "button" || typ == "reset" || typ == "image" || typ == "file":
				default:
					sf.values.Add(name, in.AttrOr("value", ""))
					if textInputTypes[typ] {
						ml, has := in.Attr("maxlength")
						sf.text = append(sf.text, textField{name, typ, ml, has})
					}
				}
			}
		})
		out = append(out, sf)
	})
	return out
}

// plausible is a value for an empty text field of a form, so the test can
// tell it is kept when the form comes back.
func plausible(f textField) string {
	switch {
	case f.typ == "email":
		return "kept." + strings.ReplaceAll(f.name, "_", "-") + "@example.com"
	case f.typ == "tel" || strings.Contains(f.name, "phone"):
		return "+49 30 5550101"
	case f.typ == "password":
		return "correct horse battery staple"
	}
	return "kept " + f.name
}

// postShown posts a form's values as a browser would, multipart when the
// form says so.
func (c *testClient) postShown(f shownForm, values url.Values) *testResponse {
	c.t.Helper()
	if !f.multipart {
		return c.post(f.action, values)
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, vs := range values {
		for _, v := range vs {
			if err := mw.WriteField(k, v); err != nil {
				c.t.Fatal(err)
			}
		}
	}
	if err := mw.Close(); err != nil {
		c.t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, c.app.ts.URL+f.action, &body)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.do(req)
}

// keptValue is the value a re-shown form holds in a field, and whether the
// page has the field.
func keptValue(doc *goquery.Document, name string) (string, bool) {
	sel := doc.Find(`[name="` + name + `"]`).FilterFunction(func(_ int, s *goquery.Selection) bool {
		return goquery.NodeName(s) == "textarea" || textInputTypes[strings.ToLower(s.AttrOr("type", ""))]
	})
	if sel.Length() == 0 {
		return "", false
	}
	for i := range sel.Length() {
		s := sel.Eq(i)
		v := s.AttrOr("value", "")
		if goquery.NodeName(s) == "textarea" {
			v = s.Text()
		}
		if v != "" {
			return v, true
		}
	}
	return "", true
}

// fieldPages are the pages the over-long test reads forms from, beyond the
// matrix's GET rows: those whose forms show only in a state the world sets
// up in the test.
func overLongPages(w *authzWorld) []struct {
	actor int
	path  string
} {
	var out []struct {
		actor int
		path  string
	}
	seen := map[string]bool{}
	for _, row := range authzMatrix {
		if row.method != http.MethodGet || strings.HasPrefix(row.route, "/static") || strings.Contains(row.route, "export") ||
			strings.HasSuffix(row.route, "/pdf") || strings.HasSuffix(row.route, ".ics") || strings.Contains(row.route, "photo") ||
			strings.HasPrefix(row.route, "/monitoring") || row.route == "/metrics" {
			continue
		}
		actor := sweepActor(row.want)
		if row.want.at(actor) != allow {
			continue
		}
		path := row.path
		if path == "" {
			path = row.route
		}
		path = w.fill(path, actor)
		if seen[path] {
			continue
		}
		seen[path] = true
		out = append(out, struct {
			actor int
			path  string
		}{actor, path})
	}
	return out
}

// Every text input and text area of every form the pages show carries the
// maxlength the server takes (components.MaxLineChars, MaxTextChars for a
// text area, or a smaller one of its own), and a form posted with one of
// them over its limit, as a pasted text or a script sends it, is shown
// again: 422, a message beside that field, the over-long value kept whole
// and every other typed value kept; nothing is saved. Each single-line field
// is also posted holding a tab (checkTabbedField): the form again with a
// message beside it and the value as typed. The forms are read
// from the pages themselves (each GET row of the authorization matrix as
// someone it lets in; TestOverLongFieldOnDeskForms adds the forms of a
// booking that is out), so a form or field added later is covered without a
// new row.
func TestOverLongFieldShownBesideIt(t *testing.T) {
	app := newTestApp(t)
	w := newAuthzWorld(t, app)
	client := w.actorClients(app)
	var pages []pageAs
	for _, p := range overLongPages(w) {
		pages = append(pages, pageAs{client(p.actor), actorNames[p.actor], p.path})
	}
	if n := checkOverLongForms(t, app, pages); n < 100 {
		t.Errorf("only %d text fields found in the forms: the pages did not show their forms", n)
	}
}

// The forms of the desk that show only for a booking that is out with a
// deposit and a payment (the return form with its notes, the deposit's
// return, the refund) and of a bulk item's stock, as in
// TestOverLongFieldShownBesideIt.
func TestOverLongFieldOnDeskForms(t *testing.T) {
	s := newShop(t, "Europe/Berlin")
	tent := s.item("Tent", 2)
	chairs := s.bulkItem("Chair", 10)
	cust := s.createUser(store.RoleCustomer, "hiker@example.test", "correct horse battery")
	start, end := s.instant(1, 10), s.instant(2, 10)
	b := s.deskBookLines(cust.ID, start, end, bookingLine(tent, 1), bookingLine(chairs, 2))
	c, staff := s.staffClient("desk@example.test")
	s.setClock(start)
	ledger := payment.NewLedger(s.st, s.clock)
	ctx := context.Background()
	if err := ledger.TakeDeposit(ctx, nil, b.ID, 20000, store.MethodCash, "", staff.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := ledger.RecordPayment(ctx, nil, payment.Payment{BookingID: b.ID, Method: store.MethodCash, Amount: 5000, StaffID: staff.ID, AboveOwed: true}); err != nil {
		t.Fatal(err)
	}
	c.htmx(fmt.Sprintf("/staff/bookings/%d/scan", b.ID), url.Values{"tag": {b.Lines[0].Units[0].AssetTag}}).expectStatus(t, http.StatusOK)
	c.post(fmt.Sprintf("/staff/bookings/%d/lines/%d/pickup", b.ID, b.Lines[1].ID), nil).expectStatus(t, http.StatusSeeOther)
	s.setClock(end.Add(3 * time.Hour))
	pages := []pageAs{
		{c, "staff", fmt.Sprintf("/staff/bookings/%d", b.ID)},
		{c, "staff", fmt.Sprintf("/staff/bookings/%d/return", b.ID)},
		{c, "staff", fmt.Sprintf("/staff/items/%d", chairs)},
	}
	posted := map[string]bool{}
	checkOverLongFormsSeen(t, s.testApp, pages, func(action, field string) { posted[field] = true })
	for _, want := range []string{"note_" + b.Lines[0].Units[0].AssetTag, "damage_note", "ret_amount", "ref_amount", "qty_" + itoa(s.loc)} {
		if !posted[want] {
			t.Errorf("no form with the field %q was found", want)
		}
	}
}

// pageAs is a page the over-long check reads forms from, and who reads it.
type pageAs struct {
	c    *testClient
	who  string
	path string
}

// checkOverLongForms posts each text field of each POST form of the pages
// over its limit (see TestOverLongFieldShownBesideIt) and returns how many
// fields it posted.
func checkOverLongForms(t *testing.T, app *testApp, pages []pageAs) int {
	return checkOverLongFormsSeen(t, app, pages, nil)
}

func checkOverLongFormsSeen(t *testing.T, app *testApp, pages []pageAs, seen func(action, field string)) int {
	t.Helper()
	type posted struct{ action, field string }
	done := map[posted]bool{}
	fields := 0
	for _, p := range pages {
		c := p.c
		res := c.get(p.path)
		if res.StatusCode != http.StatusOK || res.Doc == nil {
			continue
		}
		for _, f := range postForms(p.path, res.Doc) {
			for _, tf := range f.text {
				limit := components.MaxLineChars
				if tf.typ == "textarea" {
					limit = components.MaxTextChars
				}
				what := fmt.Sprintf("%s (on %s as %s) field %q", f.action, p.path, p.who, tf.name)
				if n, err := strconv.Atoi(tf.maxlength); !tf.hasMax || err != nil || n < 1 || n > limit {
					t.Errorf("%s: maxlength %q, want at most %d", what, tf.maxlength, limit)
				} else {
					limit = n
				}
				key := posted{f.action, tf.name}
				// A search box (the walk-in form's pickers) is not saved:
				// its maxlength is the search's own limit, refused on its
				// GET like any over-long query.
				if done[key] || tf.typ == "search" {
					continue
				}
				done[key] = true
				fields++
				if seen != nil {
					seen(f.action, tf.name)
				}
				checkOverLongField(t, app, c, f, tf, limit, what)
				// Emails and phones take their tabs to their handlers,
				// which have rules of their own for them.
				if tf.typ != "textarea" && !handlerCheckedFields[tf.name] {
					checkTabbedField(t, app, c, f, tf, what)
				}
			}
		}
	}
	t.Logf("%d text fields of %d pages", fields, len(pages))
	return fields
}

// checkTabbedField posts one form with a tab in one single-line field, as a
// value pasted from a spreadsheet brings it: the form again, as typed, with a
// message beside that field, and nothing saved.
func checkTabbedField(t *testing.T, app *testApp, c *testClient, f shownForm, tf textField, what string) {
	t.Helper()
	tabbed := "Ann\tLee"
	got, ok := postShownAgain(t, app, c, f, formWith(f, tf, tabbed), what+" with a tab")
	if !ok {
		return
	}
	if msg := got.fieldError(tf.name); msg == "" {
		t.Errorf("%s with a tab: no message beside it", what)
	}
	// An email address is shown again in lower case, as it is kept.
	if v, _ := keptValue(got.Doc, tf.name); v != tabbed && tf.typ != "password" && !(tf.typ == "email" && strings.EqualFold(v, tabbed)) {
		t.Errorf("%s with a tab: shown again as %q, want it as typed", what, v)
	}
}

// formWith is the form as shown with v in the field tf and a plausible
// value in each other empty text field, so only tf can be refused.
func formWith(f shownForm, tf textField, v string) url.Values {
	values := cloneValues(f.values)
	for _, other := range f.text {
		if other.name != tf.name && other.typ != "search" && values.Get(other.name) == "" {
			values.Set(other.name, plausible(other))
		}
	}
	values.Set(tf.name, v)
	return values
}

// postShownAgain posts values to the form f and checks the answer is the
// form again (422) and that nothing was saved; ok is false when no form
// came back.
func postShownAgain(t *testing.T, app *testApp, c *testClient, f shownForm, values url.Values, what string) (got *testResponse, ok bool) {
	t.Helper()
	before := dbSnapshot(t, app)
	got = c.postShown(f, values)
	if got.StatusCode != http.StatusUnprocessableEntity || got.Doc == nil {
		t.Errorf("%s: status %d, want 422 with the form again\n%.300s", what, got.StatusCode, got.Body)
		return got, false
	}
	if after := dbSnapshot(t, app); after != before {
		t.Errorf("%s changed data:\n%s", what, diffSnapshots(before, after))
	}
	return got, true
}

// checkOverLongField posts one form with one field over its limit.
func checkOverLongField(t *testing.T, app *testApp, c *testClient, f shownForm, tf textField, limit int, what string) {
	t.Helper()
	long := strings.Repeat("x", limit) + "y"
	values := formWith(f, tf, long)
	got, ok := postShownAgain(t, app, c, f, values, what+" over its limit")
	if !ok {
		return
	}
	want := fmt.Sprintf("at most %d characters", limit)
	if msg := got.fieldError(tf.name); !strings.Contains(msg, want) {
		t.Errorf("%s over its limit: message beside it %q, want one saying %q", what, msg, want)
	}
	if v, _ := keptValue(got.Doc, tf.name); v != long && tf.typ != "password" {
		t.Errorf("%s over its limit: the value is not kept whole (%d characters shown)", what, len(v))
	}
	var lost []string
	for _, other := range f.text {
		sent := values.Get(other.name)
		if other.name == tf.name || other.typ == "password" || other.typ == "search" || sent == "" {
			continue
		}
		if v, ok := keptValue(got.Doc, other.name); ok && strings.TrimSpace(v) != strings.TrimSpace(sent) {
			lost = append(lost, fmt.Sprintf("%s: sent %q, shown %q", other.name, sent, v))
		} else if !ok {
			lost = append(lost, other.name+": not on the page")
		}
	}
	sort.Strings(lost)
	if len(lost) > 0 {
		t.Errorf("%s over its limit: other values not kept:\n  %s", what, strings.Join(lost, "\n  "))
	}
}
