package web

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/rentdesk/rentdesk/internal/catalog"
)

// shopInfo is what every page says about the shop: its name (from the
// settings, as the emails use it) and, in the footer, the first location's
// address and opening hours.
type shopInfo struct {
	Name, Address, Hours string
}

// shopCache keeps shopInfo for a short while, so a page costs no extra
// queries; a change in the settings shows within shopInfoTTL on every
// instance. While the store's own cache is live (it holds the settings and
// locations, dropped on every change) the info is kept for as long as the
// cache's generation stays the same, so a change shows at once and a page
// neither copies the settings and locations out of the cache nor writes the
// opening hours again.
type shopCache struct {
	mu   sync.Mutex
	info shopInfo
	at   time.Time
	// gen is the store cache's generation info was loaded in (genOK: it was
	// live then).
	gen   uint64
	genOK bool
}

const shopInfoTTL = 30 * time.Second

// shop returns the shop's name, address and hours. When they cannot be loaded
// (the database is down) the last ones known are used, or the product's name.
// Error pages never wait for the database for it (fresh=false).
func (s *Server) shop(ctx context.Context, fresh bool) shopInfo {
	s.shopInfo.mu.Lock()
	defer s.shopInfo.mu.Unlock()
	now := s.Now()
	gen, live := s.Store.CacheGeneration()
	if live && s.shopInfo.genOK && s.shopInfo.gen == gen {
		fresh = false // nothing it was made of has changed
	}
	if fresh && (live || s.shopInfo.at.IsZero() || now.Sub(s.shopInfo.at) > shopInfoTTL || now.Before(s.shopInfo.at)) {
		if info, err := s.loadShop(ctx); err == nil {
			s.shopInfo.info, s.shopInfo.at = info, now
			s.shopInfo.gen, s.shopInfo.genOK = gen, live
		}
	}
	if s.shopInfo.info.Name == "" {
		return shopInfo{Name: "Rentdesk"}
	}
	return s.shopInfo.info
}

func (s *Server) loadShop(ctx context.Context) (shopInfo, error) {
	st, err := s.Store.GetSettings(ctx)
	if err != nil {
		return shopInfo{}, err
	}
	info := shopInfo{Name: st.ShopName}
	locs, err := s.Store.ListLocations(ctx)
	if err != nil {
		return shopInfo{}, err
	}
	if len(locs) > 0 {
		info.Address = locs[0].Address
		info.Hours = weekHours(locs[0].OpeningHours)
	}
	return info, nil
}

// weekHours writes a week of opening hours compactly, days with the same
// hours joined: "Mon–Thu 09:00–18:00 · Fri 09:00–19:00 · Sat 10:00–14:00".
func weekHours(h catalog.OpeningHours) string {
	if len(h) == 0 {
		return ""
	}
	day := func(d int) string {
		var parts []string
		for _, iv := range h[d] {
			parts = append(parts, iv.Open+"–"+iv.Close)
		}
		return strings.Join(parts, ", ")
	}
	short := []string{"", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}
	var out []string
	for d := 1; d <= 7; {
		e := d
		for e < 7 && day(e+1) == day(d) {
			e++
		}
		if day(d) != "" {
			label := short[d]
			if e > d {
				label += "–" + short[e]
			}
			out = append(out, label+" "+day(d))
		}
		d = e + 1
	}
	return strings.Join(out, " · ")
}
