package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Requests are labelled by route pattern from the route table, never by the
// raw path or Host: a client must not be able to create series. Every label
// set is made once, when the routes are registered, so counting a request is
// a map lookup and three atomic adds, with no allocation.

type routeKey struct{ method, pattern string }

type routeInstruments struct {
	codes    [6]prometheus.Counter // 1xx..5xx, then anything else
	duration prometheus.Observer
}

var codeClasses = [6]string{"1xx", "2xx", "3xx", "4xx", "5xx", "other"}

func (m *Metrics) instruments(method, pattern string) *routeInstruments {
	ri := &routeInstruments{duration: m.duration.WithLabelValues(RouteGroup(pattern))}
	if pattern == "unmatched" {
		ri.duration = m.duration.WithLabelValues("unmatched")
	}
	for i, class := range codeClasses {
		ri.codes[i] = m.requests.WithLabelValues(pattern, method, class)
	}
	return ri
}

// AddRoute makes the instruments of one route of the route table. Call it for
// every route before serving; requests to anything else count as "unmatched".
func (m *Metrics) AddRoute(method, pattern string) {
	k := routeKey{method, pattern}
	if _, ok := m.routes[k]; !ok {
		m.routes[k] = m.instruments(method, pattern)
	}
}

// ObserveRequest counts one answered request. pattern is the matched route
// pattern (Echo's c.Path()); an unknown method/pattern pair counts as unmatched.
func (m *Metrics) ObserveRequest(method, pattern string, status int, d time.Duration) {
	ri, ok := m.routes[routeKey{method, pattern}]
	if !ok {
		ri = m.other
	}
	class := status/100 - 1
	if class < 0 || class > 4 {
		class = 5
	}
	ri.codes[class].Inc()
	ri.duration.Observe(d.Seconds())
}
