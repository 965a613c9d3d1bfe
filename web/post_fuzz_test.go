package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// FuzzPostRoutes (R6) sends fuzzed forms to every POST route of the route
// table (the authorization matrix, which TestAuthzMatrixCoversEveryRoute
// keeps complete), as an actor the route lets in and with a valid CSRF
// token, so the fuzzed values reach each handler's own form decoding: one
// field of the route's form replaced, any extra fields appended, and the
// path parameters replaced. It must never answer with a 5xx.
func FuzzPostRoutes(f *testing.F) {
	app := newTestApp(f)
	w := newAuthzWorld(f, app)
	var rows []authzRow
	for _, row := range authzMatrix {
		if row.method == http.MethodPost {
			rows = append(rows, row)
		}
	}
	ids := map[int]int64{}
	clients := map[int]*testClient{}
	login := func(actor int) {
		c := clients[actor]
		if w.emails[actor] != "" {
			c.login(w.emails[actor], authzPassword)
		}
		c.get("/") // the session's CSRF token
	}
	for actor := range actorNames {
		clients[actor] = app.client()
		login(actor)
		if w.emails[actor] != "" {
			var id int64
			if err := app.st.DB().QueryRow(`SELECT id FROM users WHERE email = $1`, w.emails[actor]).Scan(&id); err != nil {
				f.Fatal(err)
			}
			ids[actor] = id
		}
	}
	roles := [5]string{"", "customer", "customer", "staff", "admin"}

	for i := range rows {
		f.Add(uint16(i), "", uint8(0), "", "")
	}
	f.Add(uint16(0), "", uint8(0), "\xff\xfe", "email=%00")
	f.Add(uint16(1), "9223372036854775808", uint8(1), "9999-12-31T23:59", "quantity=-1&quantity=99999999999999999999")
	f.Add(uint16(2), "-1", uint8(2), "a\r\nb", "%zz")

	f.Fuzz(func(t *testing.T, index uint16, param string, field uint8, value, extra string) {
		row := rows[int(index)%len(rows)]
		actor := sweepActor(row.want)
		c := clients[actor]
		c.t = t
		path := row.path
		if path == "" {
			path = row.route
		}
		base, rawQuery, _ := strings.Cut(w.fill(path, actor), "?")
		if param != "" {
			segs, rsegs := strings.Split(base, "/"), strings.Split(row.route, "/")
			for i := range rsegs {
				if i < len(segs) && strings.HasPrefix(rsegs[i], ":") {
					segs[i] = url.PathEscape(param)
				}
			}
			base = strings.Join(segs, "/")
		}
		if rawQuery != "" {
			base += "?" + rawQuery
		}
		form := url.Values{}
		var keys []string
		for k, vs := range row.form {
			keys = append(keys, k)
			for _, v := range vs {
				form.Add(k, w.fill(v, actor))
			}
		}
		if len(keys) > 0 {
			// The actor's own email stays: a changed login would end the
			// fuzzing as that actor, not find a bug.
			if k := sortedKey(keys, int(field)); !(row.route == "/account/profile" && k == "email") {
				form.Set(k, value)
			}
		}
		body := "_csrf=" + url.QueryEscape(c.csrf) + "&" + form.Encode()
		if extra != "" {
			body += "&" + extra
		}
		req, err := http.NewRequest(http.MethodPost, app.ts.URL+base, strings.NewReader(body))
		if err != nil {
			return // not a URL a browser could send
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		res := c.do(req)
		if res.StatusCode >= 500 {
			t.Fatalf("POST %s as %s, body %q: status %d", base, actorNames[actor], body, res.StatusCode)
		}
		// Put the actors back as they were (a fuzzed id may have hit one of
		// them on the admin's user routes), so every input runs as its role.
		for a, id := range ids {
			r, err := app.st.DB().Exec(`UPDATE users SET role = $2, email = $3, disabled_at = NULL
				WHERE id = $1 AND (role <> $2 OR email <> $3 OR disabled_at IS NOT NULL)`, id, roles[a], w.emails[a])
			if err != nil {
				t.Fatal(err)
			}
			if n, _ := r.RowsAffected(); n > 0 {
				// Fuzzed logins from this address may have throttled it:
				// the re-login is set-up, not under test.
				if _, err := app.st.DB().Exec(`DELETE FROM login_failures; DELETE FROM throttle_events`); err != nil {
					t.Fatal(err)
				}
				clients[a].t = t
				login(a)
			}
		}
	})
}

// sortedKey is the n-th key (modulo) of keys in sorted order, so a corpus
// entry picks the same field on every run.
func sortedKey(keys []string, n int) string {
	slices.Sort(keys)
	return keys[n%len(keys)]
}
