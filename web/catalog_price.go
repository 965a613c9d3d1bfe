package web

import (
	"context"

	"github.com/rentdesk/rentdesk/internal/catalog"
	"github.com/rentdesk/rentdesk/templates/pages"
)

// quote prices the chosen period at a location (placeholder until the
// pricing package lands).
func (s *Server) quote(ctx context.Context, it catalog.Item, loc catalog.Location, start, end string) pages.PriceView {
	return pages.PriceView{Error: "Prices are not available yet."}
}
