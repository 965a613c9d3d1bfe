package web

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/a-h/templ"
	"github.com/chromedp/chromedp"
	"github.com/labstack/echo/v4"

	"github.com/rentdesk/rentdesk/internal/booking"
	"github.com/rentdesk/rentdesk/internal/testenv"
	"github.com/rentdesk/rentdesk/templates/components"
)

// pageAudit runs in the page (through the DevTools protocol, so the CSP does
// not apply) and lists what is wrong with it for people on phones and people
// using assistive technology: sideways scrolling, duplicate ids (a label then
// points at the wrong field), form fields without a label, one-line fields
// stretched to the height of a text area, and headings out of order (the first
// must be the only h1; no level may be skipped going down).
const pageAudit = `(() => {
  const out = [];
  const de = document.documentElement;
  if (de.scrollWidth > de.clientWidth) {
    const wide = [...document.querySelectorAll("body *")]
      .filter(e => e.getBoundingClientRect().right > de.clientWidth + 1)
      .filter(e => ![...e.children].some(k => k.getBoundingClientRect().right > de.clientWidth + 1))
      .slice(0, 3).map(e => e.tagName.toLowerCase() + (e.className ? "." + String(e.className).split(" ").join(".") : ""));
    out.push("scrolls sideways: " + de.scrollWidth + " > " + de.clientWidth + " (" + wide.join(", ") + ")");
  }
  const seen = new Set();
  for (const e of document.querySelectorAll("[id]")) {
    if (seen.has(e.id)) out.push("duplicate id " + e.id);
    seen.add(e.id);
  }
  for (const e of document.querySelectorAll("input, select, textarea")) {
    if (["hidden", "submit", "button", "reset"].includes(e.type)) continue;
    if (!(e.labels && e.labels.length) && !e.getAttribute("aria-label") && !e.getAttribute("aria-labelledby")) {
      out.push("field without a label: " + e.outerHTML.slice(0, 100));
    }
  }
  // A one-line field is about a line of text high: one stretched by the
  // layout around it (a flex basis meant for its width) looks like a text area.
  for (const e of document.querySelectorAll("input, select")) {
    if (["hidden", "checkbox", "radio", "file", "submit", "button", "reset", "image", "range", "color"].includes(e.type)) continue;
    const h = e.getBoundingClientRect().height;
    if (h > 64) out.push("one-line field " + Math.round(h) + " px high: " + e.outerHTML.slice(0, 100));
  }
  const hs = [...document.querySelectorAll("h1, h2, h3, h4, h5, h6")];
  if (document.querySelectorAll("h1").length !== 1) out.push(document.querySelectorAll("h1").length + " h1 elements");
  let prev = 0;
  for (const h of hs) {
    const level = Number(h.tagName[1]);
    if (prev === 0 && level !== 1) out.push("first heading is " + h.tagName + ": " + h.textContent.trim().slice(0, 40));
    if (prev > 0 && level > prev + 1) out.push("heading skips from h" + prev + " to " + h.tagName + ": " + h.textContent.trim().slice(0, 40));
    prev = level;
  }
  return out;
})()`

// tapTargets runs at the phone width and lists what a finger cannot hit:
// every link, button, field and summary must be at least 44 × 44 CSS pixels,
// except a link inside a sentence of text (WCAG 2.5.8's inline exception)
// a check box or radio button whose label (the bigger target) is, and a
// card's stretched link, whose target is the card.
const tapTargets = `(() => {
  const out = [];
  const small = r => r.width < 43.5 || r.height < 43.5;
  const name = e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") +
    (e.className && typeof e.className === "string" ? "." + e.className.trim().split(/\s+/).join(".") : "") +
    " \"" + (e.textContent || e.value || e.name || "").trim().replace(/\s+/g, " ").slice(0, 30) + "\"";
  const visible = e => {
    const r = e.getBoundingClientRect(), s = getComputedStyle(e);
    return r.width > 1 && r.height > 1 && s.visibility !== "hidden" && s.display !== "none" && !e.closest(".visually-hidden, .skip-link");
  };
  const inSentence = e => {
    if (getComputedStyle(e).display !== "inline") return false;
    const p = e.parentElement;
    if (!p) return false;
    const rest = [...p.childNodes].filter(n => n !== e).map(n => n.textContent).join("").trim();
    return rest.length > 0;
  };
  for (const e of document.querySelectorAll("a[href], button, input, select, textarea, summary, [role=button]")) {
    if (e.type === "hidden" || !visible(e)) continue;
    if (e.tagName === "A" && inSentence(e)) continue;
    let r = e.getBoundingClientRect();
    // A stretched link (its ::after laid over the card) is as big as the card.
    const after = getComputedStyle(e, "::after");
    if (after.content !== "none" && after.position === "absolute" && e.offsetParent) r = e.offsetParent.getBoundingClientRect();
    if ((e.type === "checkbox" || e.type === "radio") && e.labels && e.labels.length) {
      r = e.labels[0].getBoundingClientRect();
    }
    if (small(r)) out.push("tap target " + Math.round(r.width) + "×" + Math.round(r.height) + ": " + name(e));
  }
  return out;
})()`

// auditSkip are routes the browser does not show as pages: probes, assets,
// photos and downloads.
var auditSkip = []string{"/healthz", "/readyz", "/static/", "/photos/", "/staff/export/", "/bookings/:id/calendar.ics",
	"/invoices/:id/pdf", "/staff/invoices/:id/pdf"}

// Every page the route table serves to each role, at a desktop and a 375 px
// phone width (the narrowest phones in use): nothing scrolls sideways, ids are unique, every field is
// labelled, headings are in order, on the phone every tap target is at least
// 44 × 44 px, and axe-core finds nothing serious or critical. The pages are the GET rows of the
// authorization matrix that the role may see, on the same fixture world, so a
// new page is audited as soon as its route has a row there. No CSP violation
// or script error on any of them (newBrowserApp). Booking A's unit is out, so
// its pages show what the desk does with a booking under way: the check-in form
// with a unit's condition, note and photos, and the line's new end.
func TestBrowserPagesAudit(t *testing.T) {
	ba := newBrowserApp(t)
	w := newAuthzWorld(t, ba.testApp)
	handOutBookingA(t, ba.testApp, w)
	for _, actor := range []int{0, 1, 3, 4} { // customer B sees what A sees
		if w.emails[actor] != "" {
			ba.run(chromedp.EmulateViewport(1280, 900), chromedp.Navigate(ba.url("/login")))
			ba.submitForm(`[data-testid="login-form"]`, map[string]string{"email": w.emails[actor], "password": authzPassword})
			ba.run(chromedp.WaitVisible(chromedp.CSS(`[data-testid="logout"]`)))
		}
		// The same actor over plain HTTP tells which rows answer a whole page:
		// htmx parts, downloads and refusals (a junk query's 422) are not
		// pages a person browses to.
		hc := ba.client()
		if w.emails[actor] != "" {
			hc.login(w.emails[actor], authzPassword)
		}
		seen := map[string]bool{}
		for _, row := range authzMatrix {
			path := row.path
			if path == "" {
				path = row.route
			}
			path = w.fill(path, actor)
			if row.method != "GET" || row.want.at(actor) != allow || seen[path] || skipAudit(row.route) {
				continue
			}
			seen[path] = true
			if res := hc.get(path); res.StatusCode != http.StatusOK || !strings.Contains(res.Body, "<html") {
				continue
			}
			for _, width := range []int64{1280, 375} {
				var opts []chromedp.EmulateViewportOption
				if width < 600 {
					opts = append(opts, chromedp.EmulateMobile)
				}
				ba.run(chromedp.EmulateViewport(width, 844, opts...), chromedp.Navigate(ba.url(path)), chromedp.WaitReady(chromedp.CSS("body")))
				problems, err := chromedp.Run(ba.b.Context(), chromedp.Evaluate[[]string](pageAudit))
				if err != nil {
					t.Fatalf("%s: audit: %v", path, err)
				}
				if width < 600 {
					small, err := chromedp.Run(ba.b.Context(), chromedp.Evaluate[[]string](tapTargets))
					if err != nil {
						t.Fatalf("%s: tap targets: %v", path, err)
					}
					problems = append(problems, small...)
				}
				problems = append(problems, ba.b.Axe()...)
				for _, p := range problems {
					t.Errorf("%s as %s at %d px: %s", path, actorNames[actor], width, p)
				}
			}
		}
		if w.emails[actor] != "" {
			ba.run(chromedp.EmulateViewport(1280, 900), chromedp.Click(chromedp.CSS(`[data-testid="logout"]`)),
				chromedp.WaitVisible(chromedp.CSS(`[data-testid="nav-login"]`)))
		}
	}
}

// handOutBookingA checks out the unit booking A holds, as staff at the desk.
func handOutBookingA(t *testing.T, app *testApp, w *authzWorld) {
	t.Helper()
	ctx := t.Context()
	id, err := strconv.ParseInt(w.vars["{bookingA}"], 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	b, err := app.st.GetBooking(ctx, id)
	if err != nil || len(b.Lines) == 0 || len(b.Lines[0].Units) == 0 {
		t.Fatalf("booking A: %+v %v", b, err)
	}
	staff, err := app.st.GetUserByEmail(ctx, w.emails[3])
	if err != nil {
		t.Fatal(err)
	}
	if err := app.srv.Booking.CheckOut(ctx, id, b.Lines[0].Units[0].AssetTag, booking.Actor{UserID: staff.ID}); err != nil {
		t.Fatalf("check out booking A: %v", err)
	}
}

func skipAudit(route string) bool {
	for _, p := range auditSkip {
		if strings.HasPrefix(route, p) {
			return true
		}
	}
	return false
}

// The audit itself: a page with an unlabelled field and an image without a
// text alternative must be reported, or the silence above would prove nothing.
func TestBrowserAuditReportsProblems(t *testing.T) {
	b := testenv.NewBrowser(t)
	app := newTestApp(t)
	app.srv.Echo().GET("/test/bad", func(c echo.Context) error {
		return c.HTML(http.StatusOK, `<!doctype html><html lang="en"><head><title>t</title></head><body><main>`+
			`<h2>First</h2><h4>Skipped</h4><input id="x" name="x"><input id="x" name="y"><img src="/nothing.png">`+
			`<p>Read <a href="/terms">the terms</a> first.</p><button type="button">Tiny</button></main></body></html>`)
	})
	b.Run(chromedp.Navigate(app.ts.URL+"/test/bad"), chromedp.WaitReady(chromedp.CSS("body")))
	b.ExpectError("nothing.png")
	b.ExpectError("404")
	own, err := chromedp.Run(b.Context(), chromedp.Evaluate[[]string](pageAudit))
	if err != nil {
		t.Fatal(err)
	}
	small, err := chromedp.Run(b.Context(), chromedp.Evaluate[[]string](tapTargets))
	if err != nil {
		t.Fatal(err)
	}
	if s := strings.Join(small, "\n"); !strings.Contains(s, `button "Tiny"`) || strings.Contains(s, "the terms") {
		t.Errorf("tap targets: the small button must be reported and the link in a sentence not:\n%s", s)
	}
	got := strings.Join(append(own, b.Axe()...), "\n")
	for _, want := range []string{"duplicate id x", "field without a label", "first heading is H2", "skips from h2 to H4", "image-alt", "label"} {
		if !strings.Contains(got, want) {
			t.Errorf("the audit missed %q; it found:\n%s", want, got)
		}
	}
}

// A chart's numbers are a table only screen readers see; a table is never
// narrower than its cells, so one of many days and locations must not make
// a phone's page scroll sideways (the dashboard's utilization per day: 510 px
// on a 375 px phone).
func TestBrowserChartTableStaysOffScreen(t *testing.T) {
	b := testenv.NewBrowser(t)
	app := newTestApp(t)
	c := components.ChartData{ID: "wide", Title: "Utilization per day", Desc: "Share of unit-hours out, per location."}
	for d := 1; d <= 30; d++ {
		c.Labels = append(c.Labels, "Mon "+strconv.Itoa(d)+" November")
	}
	for i, name := range []string{"Berlin Kreuzberg", "San Francisco Mission", "Hamburg Altona"} {
		s := components.Series{Name: name, Class: "chart-s" + strconv.Itoa(i+1)}
		for d := 1; d <= 30; d++ {
			s.Values = append(s.Values, float64(d*(i+1))/7)
		}
		c.Series = append(c.Series, s)
	}
	bars := c
	bars.ID = "wide-bars"
	css := app.srv.Assets.Path("css/app.css")
	app.srv.Echo().GET("/test/chart", func(e echo.Context) error {
		var buf strings.Builder
		buf.WriteString(`<!doctype html><html lang="en"><head><meta name="viewport" content="width=device-width, initial-scale=1">` +
			`<title>t</title><link rel="stylesheet" href="` + css + `"></head><body><main class="container site-main"><h1>Chart</h1>`)
		for _, chart := range []templ.Component{components.LineChart(c), components.BarChart(bars)} {
			if err := chart.Render(e.Request().Context(), &buf); err != nil {
				return err
			}
		}
		buf.WriteString(`</main></body></html>`)
		return e.HTML(http.StatusOK, buf.String())
	})
	b.Run(chromedp.EmulateViewport(375, 844, chromedp.EmulateMobile), chromedp.Navigate(app.ts.URL+"/test/chart"),
		chromedp.WaitReady(chromedp.CSS("body")))
	problems, err := chromedp.Run(b.Context(), chromedp.Evaluate[[]string](pageAudit))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("chart page at 375 px: %s", p)
	}
	// The table is still there for screen readers.
	n, err := chromedp.Run(b.Context(), chromedp.Evaluate[int](`document.querySelectorAll("figure.chart table tbody tr").length`))
	if err != nil || n != 60 {
		t.Errorf("rows of the charts' tables: %d, %v; want 60", n, err)
	}
}
