package bench

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/rentdesk/rentdesk/internal/jobs"
)

// scenario is one measured page or flow.
type scenario struct {
	Name    string
	Who     string // ceiling, visitor, visitor with dates, customer, staff, admin
	Ceiling bool
	step    step
}

// fixture is what the scenarios need from the generated data.
type fixture struct {
	loc       int64
	zone      *time.Location
	slugs     []string
	itemIDs   []int64
	holdItems []holdItem
	// The money pages': CustomerEmail's bookings paid online (newest
	// first) and their invoices.
	paidBookings []int64
	invoices     []int64
	// The latest end of a line the hold flow's stretch of days holds
	// (earlier runs' bookings); zero if none.
	lastHeld time.Time
}

type holdItem struct {
	id       int64
	capacity int
}

func loadFixture(ctx context.Context, db *sql.DB) (fixture, error) {
	var f fixture
	var zone string
	if err := db.QueryRowContext(ctx, `SELECT id, time_zone FROM locations ORDER BY id LIMIT 1`).Scan(&f.loc, &zone); err != nil {
		return f, err
	}
	z, err := time.LoadLocation(zone)
	if err != nil {
		return f, err
	}
	f.zone = z
	rows, err := db.QueryContext(ctx, `SELECT id, slug FROM items ORDER BY id LIMIT 500`)
	if err != nil {
		return f, err
	}
	for rows.Next() {
		var id int64
		var slug string
		if err := rows.Scan(&id, &slug); err != nil {
			return f, err
		}
		f.itemIDs = append(f.itemIDs, id)
		f.slugs = append(f.slugs, slug)
	}
	rows.Close()
	rows, err = db.QueryContext(ctx, `
SELECT b.id, i.id FROM bookings b JOIN invoices i ON i.booking_id = b.id AND i.kind = 'invoice'
WHERE b.customer_id = (SELECT id FROM users WHERE email = $1)
  AND EXISTS (SELECT 1 FROM ledger_entries e WHERE e.booking_id = b.id AND e.kind = 'payment' AND e.method = 'stripe')
ORDER BY b.id DESC LIMIT 50`, CustomerEmail)
	if err != nil {
		return f, err
	}
	for rows.Next() {
		var b, i int64
		if err := rows.Scan(&b, &i); err != nil {
			return f, err
		}
		f.paidBookings, f.invoices = append(f.paidBookings, b), append(f.invoices, i)
	}
	rows.Close()
	if len(f.paidBookings) == 0 {
		return f, fmt.Errorf("no paid bookings of %s: a data set generated before payments were; drop its database to generate it again", CustomerEmail)
	}
	rows, err = db.QueryContext(ctx, `
SELECT item_id, count(*) FROM units WHERE location_id = $1 AND status = 'available'
GROUP BY item_id ORDER BY item_id LIMIT 2000`, f.loc)
	if err != nil {
		return f, err
	}
	defer rows.Close()
	for rows.Next() {
		var h holdItem
		if err := rows.Scan(&h.id, &h.capacity); err != nil {
			return f, err
		}
		f.holdItems = append(f.holdItems, h)
	}
	return f, rows.Err()
}

// target is one `rentdesk serve` on one data set with its logged-in
// clients and its scenarios.
type target struct {
	size      string
	db        *sql.DB
	base      string
	token     string // the bearer token of its /metrics
	scenarios []scenario
	holds     *holdRun
	soakMix   step
	stop      func()
}

// startTarget serves dbURL with a rentdesk process of its own and logs in n
// clients per role.
func startTarget(ctx context.Context, o Options, bin, size, dbURL string, dataNow time.Time, tr *http.Transport) (*target, error) {
	db, err := sql.Open("postgres", dbURL)
	if err != nil {
		return nil, err
	}
	t := &target{size: size, db: db, stop: func() { db.Close() }}
	fail := func(err error) (*target, error) { t.stop(); return nil, err }
	fx, err := loadFixture(ctx, db)
	if err != nil {
		return fail(fmt.Errorf("bench: read fixture of %s: %w", size, err))
	}
	if fx.lastHeld, err = lastHeld(ctx, db, fx.loc, dataNow); err != nil {
		return fail(fmt.Errorf("bench: read what earlier runs held in %s: %w", size, err))
	}
	appAddr, err := freePort()
	if err != nil {
		return fail(err)
	}
	// The soak reads the server's memory and goroutines from its /metrics.
	t.token = fmt.Sprintf("bench-%d", time.Now().UnixNano())
	app := exec.CommandContext(ctx, bin, "serve")
	app.Env = append(os.Environ(), "DATABASE_URL="+dbURL, "RENTDESK_ADDR="+appAddr,
		"RENTDESK_BASE_URL=http://"+appAddr, "SMTP_HOST=", "RENTDESK_METRICS_TOKEN="+t.token)
	stopApp, err := startProcess(ctx, "rentdesk serve ("+size+")", app, "http://"+appAddr+"/readyz",
		filepath.Join(o.OutDir, "bench-serve-"+size+".log"))
	if err != nil {
		return fail(err)
	}
	t.stop = func() { stopApp(); db.Close() }
	if err := awaitFirstRollup(ctx, db, size); err != nil {
		return fail(err)
	}

	t.base = "http://" + appAddr
	n := o.Concurrency
	mk := func(setup func(c *client, w int) error) ([]*client, error) {
		// One after the other: concurrent logins to one account count as
		// guesses for the login throttle.
		cs := make([]*client, n)
		for w := range cs {
			cs[w] = newClient(t.base, tr)
			if err := setup(cs[w], w); err != nil {
				return nil, err
			}
		}
		return cs, nil
	}
	from := nextHour(dataNow.Add(7*24*time.Hour), fx.zone)
	to := from.Add(7 * 24 * time.Hour)
	stdLogf("logging in %d clients per role (%s) ...", n, size)
	var anon, dated, customers, staff, admins, holders []*client
	for _, role := range []struct {
		cs    *[]*client
		setup func(c *client, w int) error
	}{
		{&anon, func(c *client, _ int) error { _, _, err := c.do("GET", "/", nil); return err }},
		{&dated, func(c *client, _ int) error { return c.chooseDates(fx.loc, from, to, fx.zone) }},
		{&customers, func(c *client, _ int) error { return c.login(CustomerEmail) }},
		{&staff, func(c *client, _ int) error { return c.login(StaffEmail) }},
		{&admins, func(c *client, _ int) error { return c.login(AdminEmail) }},
		{&holders, func(c *client, w int) error { return c.login(fmt.Sprintf("customer%d@bench.example", 100+w)) }},
	} {
		if *role.cs, err = mk(role.setup); err != nil {
			return fail(err)
		}
	}
	fixed := func(p string) func(int, int) string { return func(int, int) string { return p } }
	item := func(_, i int) string { return "/items/" + fx.slugs[i%len(fx.slugs)] }
	paid := func(format string, ids []int64) func(int, int) string {
		return func(w, i int) string { return fmt.Sprintf(format, ids[(w*3+i)%len(ids)]) }
	}
	cal := func(w, i int) string { return fmt.Sprintf("/book/items/%d", fx.itemIDs[(w*7+i)%len(fx.itemIDs)]) }
	t.holds = newHoldRun(fx, dataNow, holders)
	scans := newScanRun(db, fx, holders, staff)
	// Read scenarios first; Write marks those that change data (no growth pair).
	t.scenarios = []scenario{
		{"home", "visitor", false, get(anon, fixed("/"))},
		{"catalog", "visitor", false, get(anon, fixed("/catalog"))},
		{"item page", "visitor", false, get(anon, item)},
		{"catalog with dates", "visitor with dates", false, get(dated, fixed("/catalog"))},
		{"/book, a week for all items", "visitor with dates", false, get(dated, fixed("/book"))},
		{"item page with dates", "visitor with dates", false, get(dated, item)},
		{"item calendar", "visitor with dates", false, get(dated, cal)},
		{"my bookings", "customer", false, get(customers, fixed("/bookings"))},
		{"desk", "staff", false, get(staff, fixed("/desk"))},
		{"desk search", "staff", false, get(staff, fixed("/desk?q=meyer+12"))},
		{"staff bookings", "staff", false, get(staff, fixed("/staff/bookings"))},
		{"staff items", "staff", false, get(staff, fixed("/staff/items"))},
		{"admin audit", "admin", false, get(admins, fixed("/admin/audit"))},
		{"my booking with payments", "customer", false, get(customers, paid("/bookings/%d", fx.paidBookings))},
		{"staff booking with ledger", "staff", false, get(staff, paid("/staff/bookings/%d", fx.paidBookings))},
		{"staff invoices", "staff", false, get(staff, fixed("/staff/invoices"))},
		{"invoice PDF", "staff", false, get(staff, paid("/staff/invoices/%d/pdf", fx.invoices))},
		{"admin metrics dashboard", "admin", false, get(admins, fixed("/admin/metrics"))},
		{"admin metrics panels", "admin", false, getHX(admins, func(_, i int) string {
			return [2]string{"/admin/metrics/system", "/admin/metrics/business"}[i%2]
		})},
		{HoldName, "customer", false, t.holds.step},
		{ScanName, "staff", false, scans.step},
	}
	t.soakMix = mixed([]soakStep{
		{"catalog", get(anon, fixed("/catalog"))},
		{"item page", get(anon, item)},
		{"catalog with dates", get(dated, fixed("/catalog"))},
		{"item calendar", get(dated, cal)},
		{"booking", t.holds.step},
		{"my bookings", get(customers, fixed("/bookings"))},
		{"desk", get(staff, fixed("/desk"))},
		{"desk scan", scans.step},
		{"dashboard", get(admins, fixed("/admin/metrics"))},
		{"dashboard panel", getHX(admins, fixed("/admin/metrics/system"))},
	})
	return t, nil
}

// WebhookName is the scenario of signed Stripe webhook deliveries.
const WebhookName = "signed webhook deliveries (20% duplicates)"

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// HoldName and ScanName are the scenarios that write; growth pairs the others.
const (
	HoldName = "hold creation (20% conflicts)"
	ScanName = "desk scans (check-out and check-in)"
)

// DriverScenarios are the parameterised read scenarios run on both
// drivers: the same server built with lib/pq and with pgx (build tag
// benchpgx), on the same data set, in the same rounds.
var DriverScenarios = map[string]bool{
	"catalog with dates": true, "item page": true, "item calendar": true,
	"my bookings": true, "desk search": true, "staff bookings": true,
}

// PgxSuffix marks a scenario run on the pgx build.
const PgxSuffix = " [pgx]"

// ShortSuffix marks a read scenario run on the same shop with a short
// history (large-short) beside the large data set, in the same rounds: the
// growth ratio. SmallSuffix marks one run on the small data set, whose
// catalog is smaller too.
const (
	ShortSuffix = " [large-short]"
	SmallSuffix = " [small]"
)

// sideSuffix is the mark of the scenarios run on a side data set.
func sideSuffix(size string) string { return " [" + size + "]" }

// runLoad starts the ceiling and Rentdesk (and, on the large data set, a
// Rentdesk on each side data set for the growth ratios), drives every
// scenario in interleaved rounds, soaks, checks and writes the report.
func runLoad(ctx context.Context, o Options, sz Size, dbURL string, dataNow time.Time, sideSets []sideSet) error {
	if err := os.MkdirAll(o.OutDir, 0o755); err != nil {
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	ceilAddr, err := freePort()
	if err != nil {
		return err
	}
	stopCeil, err := startProcess(ctx, "ceiling", exec.CommandContext(ctx, self, "ceiling", "-addr", ceilAddr, "-db", dbURL),
		"http://"+ceilAddr+"/bare", filepath.Join(o.OutDir, "bench-ceiling.log"))
	if err != nil {
		return err
	}
	defer stopCeil()
	tr := &http.Transport{MaxIdleConns: 8 * o.Concurrency, MaxIdleConnsPerHost: 4 * o.Concurrency}
	main, err := startTarget(ctx, o, o.Binary, sz.Name, dbURL, dataNow, tr)
	if err != nil {
		return err
	}
	defer main.stop()
	// The plans are checked once the server's first metrics rollup is done
	// (startTarget waits for it): before it, the dashboard's rollups are
	// empty, and its queries would be judged on data no shop has for long.
	plans, err := checkPlans(ctx, sz, dbURL, dataNow)
	if err != nil {
		return err
	}
	var sides []*target
	for _, ss := range sideSets {
		side, err := startTarget(ctx, o, o.Binary, ss.size, ss.url, ss.now, tr)
		if err != nil {
			return err
		}
		defer side.stop()
		sides = append(sides, side)
	}
	var pgx *target
	if o.PgxBinary != "" {
		if pgx, err = startTarget(ctx, o, o.PgxBinary, "pgx", dbURL, dataNow, tr); err != nil {
			return err
		}
		defer pgx.stop()
	}
	// Webhooks go to a server of their own with Stripe switched on.
	whSecret := fmt.Sprintf("whsec_bench%d", time.Now().UnixNano())
	whAddr, err := freePort()
	if err != nil {
		return err
	}
	whApp := exec.CommandContext(ctx, o.Binary, "serve")
	whApp.Env = append(os.Environ(), "DATABASE_URL="+dbURL, "RENTDESK_ADDR="+whAddr, "RENTDESK_BASE_URL=http://"+whAddr,
		"SMTP_HOST=", "STRIPE_SECRET_KEY=sk_test_bench", "STRIPE_WEBHOOK_SECRET="+whSecret, "STRIPE_API_URL=http://127.0.0.1:1")
	stopWh, err := startProcess(ctx, "rentdesk serve (webhooks)", whApp, "http://"+whAddr+"/readyz", filepath.Join(o.OutDir, "bench-serve-webhooks.log"))
	if err != nil {
		return err
	}
	defer stopWh()
	wh, err := newWebhookRun(ctx, main.db, whSecret)
	if err != nil {
		return err
	}
	n := o.Concurrency
	whc := make([]*client, n)
	for w := range whc {
		whc[w] = newClient("http://"+whAddr, tr)
	}
	ceil := make([]*client, n)
	for w := range ceil {
		ceil[w] = newClient("http://"+ceilAddr, tr)
	}
	fixed := func(p string) func(int, int) string { return func(int, int) string { return p } }
	scenarios := []scenario{
		{BareName, "ceiling", true, get(ceil, fixed("/bare"))},
		{OneQueryName, "ceiling", true, get(ceil, fixed("/one-query"))},
		{InstrumentedName, "ceiling", true, get(ceil, fixed("/instrumented/bare"))},
	}
	for _, sc := range main.scenarios {
		scenarios = append(scenarios, sc)
		for _, side := range sides {
			for _, ss := range side.scenarios {
				if ss.Name == sc.Name && sc.Name != HoldName && sc.Name != ScanName {
					ss.Name += sideSuffix(side.size)
					scenarios = append(scenarios, ss)
				}
			}
		}
		if pgx != nil && DriverScenarios[sc.Name] {
			for _, ps := range pgx.scenarios {
				if ps.Name == sc.Name {
					ps.Name += PgxSuffix
					scenarios = append(scenarios, ps)
				}
			}
		}
	}
	scenarios = append(scenarios, scenario{WebhookName, "Stripe", false, wh.step(whc)})
	var runs = map[string][]roundResult{}
	for r := 1; r <= o.Rounds; r++ {
		for _, sc := range scenarios {
			if !sc.Ceiling && !selected(sc.Name, o.Only) {
				continue
			}
			// The hold flow's requests are counted by step, this round's only.
			tally := (*stepTally)(nil)
			if sc.Name == HoldName {
				tally = &main.holds.steps
				tally.take()
			}
			res := drive(ctx, n, o.Duration, sc.step)
			if tally != nil {
				res.steps = tally.take()
			}
			runs[sc.Name] = append(runs[sc.Name], res)
			stdLogf("round %d  %-30s %8.0f req/s  errors %d %v", r, sc.Name, float64(res.n)/res.elapsed.Seconds(), res.errs, res.other)
			if ctx.Err() != nil {
				return ctx.Err()
			}
		}
	}
	// The instrumentation's cost, a few percent, measured paired (the
	// table's two rows are windows seconds apart on a shared machine).
	// Each slice is bracketed by the CPU time of the ceiling process and of
	// this one: CPU per request is the steadier figure (see paired).
	pr, err := paired(ctx, n, o.Duration*time.Duration(o.Rounds), instrumentationSlices*o.Rounds,
		scenarios[0].step, scenarios[2].step, processCPU(tr, "http://"+ceilAddr+"/cpu"))
	if err != nil {
		return fmt.Errorf("bench: instrumentation: %w", err)
	}
	instr := instrumentationCost(pr, instrumentationSlices*o.Rounds)
	stdLogf("instrumentation, %d alternating slices: bare %.0f req/s, %.1f µs CPU each (server %.1f); instrumented %.0f req/s, %.1f µs CPU each (server %.1f); cost %.1f%% of the CPU, %.1f%% of the rate",
		instr.Slices, instr.BareRPS, instr.BareCPUMicros, instr.BareServerCPUMicros, instr.InstrumentedRPS, instr.InstrumentedCPUMicros,
		instr.InstrumentedServerCPUMicros, 100*instr.CPUCost, 100*instr.RateCost)
	over, err := checkOverbooking(ctx, main.db, main.holds.started)
	if err != nil {
		return err
	}
	if runs[WebhookName] != nil {
		got, err := wh.recorded(ctx, main.db)
		if err != nil {
			return err
		}
		over["webhook events not recorded exactly once"] = abs(got - wh.fresh)
	}
	var soak *SoakResult
	if o.Soak > 0 {
		if soak, err = runSoak(ctx, main.db, main.base, main.token, n, o.Soak, main.soakMix); err != nil {
			return err
		}
	}
	rep := buildReport(ctx, main.db, o, sz, dataNow, plans, scenarios, runs, over)
	rep.Soak = soak
	if instr.BareCPUMicros > 0 && instr.InstrumentedCPUMicros > 0 {
		rep.Instrumentation, rep.InstrumentationPaired = instr.CPUCost, &instr
	}
	for _, side := range sides {
		switch sideSuffix(side.size) {
		case ShortSuffix:
			rep.ShortDataset = datasetCounts(ctx, side.db)
		case SmallSuffix:
			rep.SmallDataset = datasetCounts(ctx, side.db)
		}
	}
	if err := rep.write(o.OutDir); err != nil {
		return err
	}
	if soak != nil && len(soak.Failures) > 0 {
		return fmt.Errorf("soak failed: %s", strings.Join(soak.Failures, "; "))
	}
	return nil
}

// instrumentationSlices is how many alternating slices per round measure
// the instrumentation's cost against the bare handler.
const instrumentationSlices = 10

// selected says whether -only picks the scenario name: empty picks all,
// "a|b" picks the names that contain a or b.
func selected(name, only string) bool {
	if only == "" {
		return true
	}
	for _, part := range strings.Split(only, "|") {
		if part != "" && strings.Contains(name, part) {
			return true
		}
	}
	return false
}

// sideSet is a data set served beside the large one for the growth ratios.
type sideSet struct {
	size string
	url  string
	now  time.Time
}

func nextHour(t time.Time, z *time.Location) time.Time {
	l := t.In(z)
	return time.Date(l.Year(), l.Month(), l.Day(), 10, 0, 0, 0, z)
}

// holdRun books far in the future, where the data set has nothing: four
// in five attempts a fresh item and day, one in five all units of an item
// and day an earlier attempt booked, which must be refused.
type holdRun struct {
	fx      fixture
	base    time.Time
	clients []*client
	started time.Time
	mu      sync.Mutex
	booked  []holdSlot
	seq     int
	steps   stepTally
}

type holdSlot struct {
	item holdItem
	day  int
}

var tokenRE = regexp.MustCompile(`name="token" value="([^"]+)"`)

func newHoldRun(fx fixture, now time.Time, cs []*client) *holdRun {
	return &holdRun{fx: fx, clients: cs, started: time.Now(),
		base: nextHour(now.Add(time.Duration(holdStartDay(now, fx.lastHeld))*24*time.Hour), fx.zone)}
}

// Days from the data set's now where the hold flow books: after the data
// set's last booking (half a year ahead) and within the shop's default
// booking horizon (18 months, about 540 days), with room for a run.
const (
	holdFirstDay = 190
	holdLastDay  = 480
)

// lastHeld reads the latest end of a line of location loc starting at or
// after the hold flow's first day: what earlier runs booked there.
func lastHeld(ctx context.Context, db *sql.DB, loc int64, now time.Time) (time.Time, error) {
	var last sql.NullTime
	err := db.QueryRowContext(ctx, `SELECT max(ends_at) FROM booking_lines WHERE booking_location_id = $1 AND starts_at >= $2`,
		loc, now.Add(holdFirstDay*24*time.Hour)).Scan(&last)
	return last.Time, err
}

// holdStartDay is the first day of a run's stretch: two days after what
// earlier runs booked there (lastHeld, the latest end of a line of the
// location at or after holdFirstDay; zero if none), so their bookings are
// not in the way and a fresh attempt is refused only by another attempt of
// the same run. Once earlier runs have filled the room to the horizon, runs
// start over at holdFirstDay and a stretch every 20 days by the clock's
// minute, as they would on a set booked full there.
func holdStartDay(now, lastHeld time.Time) int {
	if lastHeld.IsZero() {
		return holdFirstDay
	}
	day := int(lastHeld.Sub(now).Hours()/24) + 2
	if day < holdFirstDay {
		return holdFirstDay
	}
	if day > holdLastDay {
		return holdFirstDay + int(time.Now().Unix()/60%15)*20
	}
	return day
}

func (h *holdRun) next() (holdSlot, int, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.seq++
	if h.seq%5 == 0 && len(h.booked) > 0 {
		s := h.booked[(h.seq/5*7919)%len(h.booked)]
		return s, s.item.capacity, true
	}
	k := h.seq - h.seq/5
	return holdSlot{item: h.fx.holdItems[k%len(h.fx.holdItems)], day: k / len(h.fx.holdItems)}, 1, false
}

func (h *holdRun) step(w, _ int) (string, error) {
	c := h.clients[w]
	s, qty, conflict := h.next()
	from := h.base.AddDate(0, 0, 2*s.day)
	if err := c.chooseDatesTimed(h.fx.loc, from, from.Add(24*time.Hour), h.fx.zone, &h.steps); err != nil {
		return "", err
	}
	st, body, err := h.steps.do(c, StepCart, "POST", "/cart/items", url.Values{"item_id": {fmt.Sprint(s.item.id)}, "quantity": {fmt.Sprint(qty)}})
	if err != nil {
		return "", err
	}
	if st >= 500 {
		return "", fmt.Errorf("add to cart: status %d: %.200s", st, body)
	}
	if st != http.StatusSeeOther {
		return refused(conflict, "at cart"), nil
	}
	_, page, err := h.steps.do(c, StepCheckout, "GET", "/checkout", nil)
	if err != nil {
		return "", err
	}
	m := tokenRE.FindStringSubmatch(page)
	if m == nil {
		return "", fmt.Errorf("no checkout token: %.300s", page)
	}
	st, body, err = h.steps.do(c, StepHold, "POST", "/checkout", url.Values{"token": {m[1]}})
	if err != nil {
		return "", err
	}
	if st == http.StatusSeeOther {
		if conflict {
			return "conflict booked", nil
		}
		h.mu.Lock()
		h.booked = append(h.booked, s)
		h.mu.Unlock()
		return "booked", nil
	}
	if st >= 500 {
		return "", fmt.Errorf("checkout: status %d: %.200s", st, body)
	}
	// Refused at checkout: empty the cart for the next attempt.
	h.steps.do(c, StepEmpty, "POST", fmt.Sprintf("/cart/items/%d", s.item.id), url.Values{"quantity": {"0"}})
	return refused(conflict, "at checkout"), nil
}

func refused(conflict bool, where string) string {
	if conflict {
		return "conflict refused " + where
	}
	return "fresh refused " + where
}

// checkOverbooking counts, among allocations and lines written since since,
// units promised twice and lines short of units; both must be 0.
func checkOverbooking(ctx context.Context, db *sql.DB, since time.Time) (map[string]int, error) {
	out := map[string]int{}
	var n int
	err := db.QueryRowContext(ctx, `
SELECT count(*) FROM unit_allocations a
WHERE a.created_at >= $1 AND a.active
  AND EXISTS (SELECT 1 FROM unit_allocations b
              WHERE b.unit_id = a.unit_id AND b.id <> a.id AND b.active AND b.occupied && a.occupied)`, since).Scan(&n)
	if err != nil {
		return nil, fmt.Errorf("bench: overbooking check: %w", err)
	}
	out["units promised twice"] = n
	err = db.QueryRowContext(ctx, `
SELECT count(*) FROM booking_lines l
JOIN bookings b ON b.id = l.booking_id JOIN items i ON i.id = l.item_id
WHERE l.created_at >= $1 AND i.tracking = 'serialized' AND b.status IN ('hold', 'confirmed')
  AND l.quantity <> (SELECT count(*) FROM unit_allocations a WHERE a.booking_line_id = l.id AND a.active)`, since).Scan(&n)
	if err != nil {
		return nil, fmt.Errorf("bench: line check: %w", err)
	}
	out["lines short of units"] = n
	return out, nil
}

// awaitFirstRollup waits until the server's metrics rollup has run once on
// the data set and none is left to run. On a freshly generated set the first
// run backfills three years of utilization and revenue, a few minutes of one
// core: measured alongside, it would fall on whichever scenarios ran first.
// A shop's server does that once, when the dashboard's rollups are installed.
func awaitFirstRollup(ctx context.Context, db *sql.DB, size string) error {
	const q = `
SELECT EXISTS (SELECT 1 FROM river_job WHERE kind = $1 AND state = 'completed')
   AND NOT EXISTS (SELECT 1 FROM river_job WHERE kind = $1 AND state IN ('available', 'scheduled', 'running', 'retryable'))`
	deadline := time.Now().Add(jobs.MetricsRollupTimeout + time.Minute)
	logged := false
	for {
		var done bool
		if err := db.QueryRowContext(ctx, q, jobs.MetricsRollupArgs{}.Kind()).Scan(&done); err != nil {
			return fmt.Errorf("bench: metrics rollup of %s: %w", size, err)
		}
		if done {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("bench: the metrics rollup of %s did not finish within %s", size, jobs.MetricsRollupTimeout+time.Minute)
		}
		if !logged {
			stdLogf("waiting for the server's metrics rollup on %s (a new data set is backfilled once) ...", size)
			logged = true
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Second):
		}
	}
}
