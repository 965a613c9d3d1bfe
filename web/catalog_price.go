package web

import (
	"context"
	"errors"

	"github.com/rentdesk/rentdesk/internal/catalog"
	"github.com/rentdesk/rentdesk/internal/period"
	"github.com/rentdesk/rentdesk/templates/pages"
)

// quote prices the chosen period, read as wall-clock times in the
// location's zone (never the server's or the browser's).
func (s *Server) quote(ctx context.Context, it catalog.Item, loc catalog.Location, start, end string) pages.PriceView {
	zone, err := loc.Zone()
	if err != nil {
		return pages.PriceView{Error: "This location has no valid time zone; please ask the shop."}
	}
	p, err := period.Parse(start, end, zone)
	var fe period.FieldErrors
	if errors.As(err, &fe) {
		msg := fe[period.FieldStart]
		if msg == "" {
			msg = fe[period.FieldEnd]
		}
		return pages.PriceView{Error: sentenceCase(msg) + "."}
	}
	if err != nil {
		return pages.PriceView{Error: "Choose a start and an end."}
	}
	return pages.PriceView{Asked: true, Period: period.FormatRange(p, zone), Error: "Prices are not available yet."}
}

// sentenceCase capitalises the first letter of an ASCII message.
func sentenceCase(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}
