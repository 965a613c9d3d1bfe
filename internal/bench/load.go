package bench

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// client is one simulated browser: its own cookies (session, CSRF).
type client struct {
	base  string
	http  *http.Client
	token string // the CSRF token of the last page seen
	// location is the Location of the last answer (where a redirect went).
	location string
}

var csrfMeta = regexp.MustCompile(`<meta name="csrf-token" content="([^"]+)"`)

func newClient(base string, tr *http.Transport) *client {
	jar, _ := cookiejar.New(nil)
	return &client{base: base, http: &http.Client{Transport: tr, Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// do sends one request and reads the whole body.
func (c *client) do(method, path string, form url.Values) (int, string, error) {
	return c.doWith(method, path, form, nil)
}

// doWith is do with extra headers (HX-Request for the htmx fragments).
func (c *client) doWith(method, path string, form url.Values, header http.Header) (int, string, error) {
	var body io.Reader
	if form != nil {
		form.Set("_csrf", c.token)
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, c.base+path, body)
	if err != nil {
		return 0, "", err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range header {
		req.Header[k] = v
	}
	res, err := c.http.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer res.Body.Close()
	c.location = res.Header.Get("Location")
	b, err := io.ReadAll(res.Body)
	if m := csrfMeta.FindSubmatch(b); m != nil {
		c.token = string(m[1])
	}
	return res.StatusCode, string(b), err
}

// login signs in (one GET for the CSRF cookie, one POST).
func (c *client) login(email string) error {
	if _, _, err := c.do("GET", "/login", nil); err != nil {
		return err
	}
	st, body, err := c.do("POST", "/login", url.Values{"email": {email}, "password": {Password}})
	if err != nil {
		return err
	}
	if st != http.StatusSeeOther {
		return fmt.Errorf("login %s: status %d: %.200s", email, st, body)
	}
	// Login draws a new token: take it from a page.
	_, _, err = c.do("GET", "/account", nil)
	return err
}

// chooseDates picks location and period as a visitor does at /book.
func (c *client) chooseDates(loc int64, from, to time.Time, zone *time.Location) error {
	return c.chooseDatesTimed(loc, from, to, zone, nil)
}

// chooseDatesTimed is chooseDates sending its two requests through steps
// (nil: untimed).
func (c *client) chooseDatesTimed(loc int64, from, to time.Time, zone *time.Location, steps *stepTally) error {
	if _, _, err := steps.do(c, StepBook, "GET", "/book", nil); err != nil {
		return err
	}
	st, body, err := steps.do(c, StepDates, "POST", "/book/dates", url.Values{"location": {fmt.Sprint(loc)},
		"start": {from.In(zone).Format("2006-01-02T15:04")}, "end": {to.In(zone).Format("2006-01-02T15:04")}})
	if err != nil {
		return err
	}
	if st != http.StatusSeeOther {
		return fmt.Errorf("choose dates: status %d: %.300s", st, body)
	}
	return nil
}

// result of one scenario in one round.
type roundResult struct {
	n, errs int
	elapsed time.Duration
	lat     []time.Duration
	other   map[string]int       // outcome counts beyond ok/error (holds)
	steps   map[string]stepCount // requests of a flow by step (holds)
}

// Steps of the hold flow, as the report names them.
const (
	StepBook     = "GET /book"
	StepDates    = "POST /book/dates"
	StepCart     = "POST /cart/items"
	StepCheckout = "GET /checkout"
	StepHold     = "POST /checkout"
	StepEmpty    = "POST /cart/items/ID (empties a refused cart)"
)

// holdSteps lists the steps in the order a flow sends them.
var holdSteps = []string{StepBook, StepDates, StepCart, StepCheckout, StepHold, StepEmpty}

// stepCount is how many requests one step of a flow sent and their summed
// latency.
type stepCount struct {
	n   int
	lat time.Duration
}

// stepTally counts a flow's requests by step, across its workers.
type stepTally struct {
	mu sync.Mutex
	by map[string]stepCount
}

// do sends one request of step name through c and counts it; a nil tally
// only sends it.
func (t *stepTally) do(c *client, name, method, path string, form url.Values) (int, string, error) {
	if t == nil {
		return c.do(method, path, form)
	}
	t0 := time.Now()
	st, body, err := c.do(method, path, form)
	d := time.Since(t0)
	t.mu.Lock()
	if t.by == nil {
		t.by = map[string]stepCount{}
	}
	sc := t.by[name]
	sc.n, sc.lat = sc.n+1, sc.lat+d
	t.by[name] = sc
	t.mu.Unlock()
	return st, body, err
}

// take returns the counts so far and starts over.
func (t *stepTally) take() map[string]stepCount {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := t.by
	t.by = nil
	return out
}

// step is one request (or flow) of a scenario by worker w, iteration i; it
// returns an outcome ("" = ok) or an error.
type step func(w, i int) (string, error)

// drive runs fn from c workers for d.
func drive(ctx context.Context, c int, d time.Duration, fn step) roundResult {
	var mu sync.Mutex
	var logged atomic.Int32 // the first few errors of a round, from any worker
	res := roundResult{other: map[string]int{}}
	deadline := time.Now().Add(d)
	start := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < c; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			var lat []time.Duration
			other := map[string]int{}
			errs := 0
			for i := 0; time.Now().Before(deadline) && ctx.Err() == nil; i++ {
				t0 := time.Now()
				out, err := fn(w, i)
				lat = append(lat, time.Since(t0))
				if err != nil {
					errs++
					if logged.Add(1) <= 5 {
						stdLogf("  error: %v", err)
					}
				} else if out != "" {
					other[out]++
				}
			}
			mu.Lock()
			res.lat = append(res.lat, lat...)
			res.errs += errs
			for k, v := range other {
				res.other[k] += v
			}
			mu.Unlock()
		}(w)
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	res.n = len(res.lat)
	return res
}

// pairedResult is what paired measured of each of its two steps: the
// successful requests, the time they ran, and the CPU time the serving
// process and the load generator (this process) used meanwhile.
type pairedResult struct {
	aN, bN           int
	aT, bT           time.Duration
	aCPU, bCPU       time.Duration // the serving process
	aClient, bClient time.Duration // the load generator
}

// rate is a's and b's requests per second over their slices.
func (p pairedResult) rates() (a, b float64) {
	if p.aT > 0 {
		a = float64(p.aN) / p.aT.Seconds()
	}
	if p.bT > 0 {
		b = float64(p.bN) / p.bT.Seconds()
	}
	return a, b
}

// paired runs a and b for d each, in alternating slices (a b, b a, a b, …),
// so whatever else slows the machine meanwhile falls on both alike; cpu,
// when not nil, reads the CPU time the serving process has used so far,
// before and after each slice, and the load generator's own is read beside
// it. Comparing two separate windows instead mixes the machine's drift into
// the difference, which for a cost of a few percent is larger than the
// cost. On a shared machine even alternating slices see other work come and
// go; the CPU time per request depends on it far less (work elsewhere takes
// the server's turns, and only its caches and cores' contention add to the
// cost, for both alike).
func paired(ctx context.Context, c int, d time.Duration, slices int, a, b step, cpu func() (time.Duration, error)) (pairedResult, error) {
	slice := d / time.Duration(slices)
	var p pairedResult
	run := func(s step, n *int, el, used, client *time.Duration) error {
		var before, clientBefore time.Duration
		if cpu != nil {
			var err error
			if before, err = cpu(); err != nil {
				return err
			}
			clientBefore = selfCPU()
		}
		r := drive(ctx, c, slice, s)
		*n, *el = *n+r.n-r.errs, *el+r.elapsed
		if cpu != nil {
			*client += selfCPU() - clientBefore
			after, err := cpu()
			if err != nil {
				return err
			}
			*used += after - before
		}
		return nil
	}
	for i := 0; i < slices && ctx.Err() == nil; i++ {
		order := []bool{true, false}
		if i%2 == 1 {
			order = []bool{false, true}
		}
		for _, isA := range order {
			var err error
			if isA {
				err = run(a, &p.aN, &p.aT, &p.aCPU, &p.aClient)
			} else {
				err = run(b, &p.bN, &p.bT, &p.bCPU, &p.bClient)
			}
			if err != nil {
				return p, err
			}
		}
	}
	return p, nil
}

// get is a step that GETs a path and expects 200.
func get(clients []*client, path func(w, i int) string) step {
	return getWith(clients, path, nil)
}

// getHX GETs an htmx fragment as htmx does.
func getHX(clients []*client, path func(w, i int) string) step {
	return getWith(clients, path, http.Header{"Hx-Request": {"true"}})
}

func getWith(clients []*client, path func(w, i int) string, header http.Header) step {
	return func(w, i int) (string, error) {
		p := path(w, i)
		st, body, err := clients[w].doWith("GET", p, nil, header)
		if err != nil {
			return "", err
		}
		if st != http.StatusOK {
			return "", fmt.Errorf("GET %s: status %d: %.200s", p, st, body)
		}
		return "", nil
	}
}

// startProcess runs a server process and waits until url answers 200.
func startProcess(ctx context.Context, name string, cmd *exec.Cmd, ready string, logPath string) (func(), error) {
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("bench: start %s: %w", name, err)
	}
	stop := func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		logf.Close()
	}
	for t0 := time.Now(); time.Since(t0) < 60*time.Second; time.Sleep(200 * time.Millisecond) {
		if ctx.Err() != nil {
			break
		}
		res, err := http.Get(ready)
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return stop, nil
			}
		}
	}
	stop()
	return nil, fmt.Errorf("bench: %s did not get ready (see %s)", name, logPath)
}

func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

var hrefItem = regexp.MustCompile(`href="/items/([a-z0-9-]+)"`)

// percentile of sorted latencies.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted)-1) * p)
	return sorted[i]
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
