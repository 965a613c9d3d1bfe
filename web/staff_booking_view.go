package web

import (
	"fmt"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/rentdesk/rentdesk/internal/booking"
	"github.com/rentdesk/rentdesk/internal/desk"
	"github.com/rentdesk/rentdesk/internal/money"
	"github.com/rentdesk/rentdesk/internal/payment"
	"github.com/rentdesk/rentdesk/internal/period"
	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/templates/pages"
)

// staffBookingView loads a booking and builds its desk page: the banner and
// actions its status allows, the customer's contact, prices and balance.
func (s *Server) staffBookingView(c echo.Context, id int64) (pages.StaffBookingView, error) {
	ctx := c.Request().Context()
	b, err := s.Store.GetBooking(ctx, id)
	if err != nil {
		return pages.StaffBookingView{}, err
	}
	st, err := s.Store.GetSettings(ctx)
	if err != nil {
		return pages.StaffBookingView{}, err
	}
	zone, now := period.Zone(b.TimeZone), s.Now()
	banner := desk.StatusBanner(b, now, zone)
	a := desk.Allowed(b)
	v := pages.StaffBookingView{Page: s.page(c, "Booking "+b.Number), ID: b.ID, Number: b.Number, Status: b.Status,
		Customer: b.CustomerName, Email: b.CustomerEmail, Phone: b.CustomerPhone, Location: b.LocationName, Zone: b.TimeZone,
		BannerKind: banner.Kind, Banner: banner.Text,
		Totals:  totalRows(store.Totals{Subtotal: b.Subtotal, Tax: b.Tax, Total: b.Total}, st, b.Currency),
		Deposit: money.Format(b.Deposit, b.Currency),
		Actions: pages.StaffActions{ScanOut: a.ScanOut, ScanIn: a.ScanIn, ChangeUnit: a.ChangeUnit, HandOver: a.HandOver,
			Confirm: a.Confirm, Cancel: a.Cancel}}
	var loc *store.BookingLocation
	for _, l := range b.Lines {
		lv := staffLine(l, b, now, zone)
		if lv.CanMove && !l.EndsAt.After(now) {
			// An overdue line's end is past, so sent as it comes it could
			// only be refused: the form proposes what the customer's own
			// extend form does, a day after now at an opening time.
			if loc == nil {
				bl, err := s.Store.GetBookingLocation(ctx, b.LocationID)
				if err != nil {
					return pages.StaffBookingView{}, err
				}
				loc = &bl
			}
			lv.EndValue = formatLocal(extendProposal(*loc, l.EndsAt, now), zone)
		}
		v.Lines = append(v.Lines, lv)
	}
	// The ledger is the one account of money: the banner's paid and balance
	// come from it, as does the money card. The card lists every entry, so
	// the totals are summed from those entries (store.TotalsOf) instead of
	// asked again.
	entries, err := s.Store.ListLedgerEntries(ctx, b.ID)
	if err != nil {
		return pages.StaffBookingView{}, err
	}
	t := store.TotalsOf(entries)
	s.staffMoney(c, &v, b, t, entries)
	if v.Invoices, err = s.invoiceLinks(ctx, b.ID, true); err != nil {
		return pages.StaffBookingView{}, err
	}
	return v, s.staffBookingMoney(c, b, t, &v)
}

// staffBookingMoney fills the balance from the ledger, and the returns with
// their condition and late fee.
func (s *Server) staffBookingMoney(c echo.Context, b store.Booking, t store.LedgerTotals, v *pages.StaffBookingView) error {
	ctx := c.Request().Context()
	bal := payment.BalanceOf(b, t)
	if extra := bal.Charges - t.DepositHeld; extra != 0 {
		v.Charges = append(v.Charges, pages.PriceRow{Label: "Late fees and damage", Amount: money.Format(extra, b.Currency)})
	}
	if t.DepositHeld != 0 {
		v.Charges = append(v.Charges, pages.PriceRow{Label: "Deposit held", Amount: money.Format(t.DepositHeld, b.Currency)})
	}
	v.Paid, v.Balance = money.Format(bal.Paid, b.Currency), money.Format(bal.Due, b.Currency)
	v.Settled = bal.Due == 0 && t.DepositHeld == 0
	rs, err := s.Store.ListUnitReturns(ctx, b.ID, s.Now())
	if err != nil {
		return err
	}
	// Photos are only shown beside their return: a booking with no returns
	// (most of them) has none to show, and is spared the statement.
	var photos map[int64][]int64
	if len(rs) > 0 {
		if photos, err = s.Store.ListReturnPhotos(ctx, b.ID); err != nil {
			return err
		}
	}
	zone := period.Zone(b.TimeZone)
	for _, r := range rs {
		line := fmt.Sprintf("%s back %s, %s", r.What, period.FormatDisplay(r.ReturnedAt, zone), strings.ReplaceAll(r.Condition, "_", " "))
		if r.Note != "" {
			line += " (" + r.Note + ")"
		}
		if r.Maintenance {
			line += ", blocked for maintenance"
		}
		switch {
		case r.LateFee > 0 && r.WaivedLater:
			line += ", late fee " + money.Format(r.LateFee, b.Currency) + ", " + money.Format(r.LateFeeWaivedAmount, b.Currency) +
				" of it waived later"
			if r.WaivedBy != "" {
				line += " by " + r.WaivedBy
			}
			line += ": " + r.LateFeeWaived
		case r.LateFee > 0 && r.LateFeeWaived != "":
			line += ", late fee " + money.Format(r.LateFee, b.Currency) + " waived: " + r.LateFeeWaived
		case r.LateFee > 0:
			line += ", late fee " + money.Format(r.LateFee, b.Currency)
		}
		if r.ReceivedBy != "" {
			line += ", by " + r.ReceivedBy
		}
		rv := pages.ReturnRow{ID: r.ID, Text: line, Photos: returnPhotoLinks(photos[r.ID])}
		if r.MaintenanceOn {
			rv.EndBlock = fmt.Sprintf("/staff/maintenance/%d/end", r.MaintenanceID)
		}
		// A charged fee not waived yet can still be waived (once).
		if r.Charged && r.LateFee > 0 && r.LateFeeWaived == "" {
			rv.Waive = fmt.Sprintf("/staff/bookings/%d/returns/%d/waive", b.ID, r.ID)
			rv.Charged = money.Format(r.LateFee, b.Currency)
		}
		v.Returns = append(v.Returns, rv)
	}
	return nil
}

func staffLine(l store.BookingLine, b store.Booking, now time.Time, zone *time.Location) pages.StaffLineView {
	lv := pages.StaffLineView{ID: l.ID, Item: l.ItemName, Quantity: l.Quantity, Period: displayRange(l.StartsAt, l.EndsAt, zone),
		Total: money.Format(l.LineTotal, b.Currency), Breakdown: priceRows(booking.ParseBreakdown(l.PriceBreakdown), b.Currency),
		Bulk: l.Tracking == "bulk", Out: l.PickedUpAt != nil, Back: l.ReturnedAt != nil}
	for _, u := range l.Units {
		st := "waiting"
		if u.ReturnedAt != nil {
			st = "back"
		} else if u.PickedUpAt != nil {
			st = "out"
		}
		lv.Units = append(lv.Units, pages.StaffUnitView{Tag: u.AssetTag, Status: st})
	}
	if late := desk.LineOverdue(l, now); late > 0 {
		lv.Overdue = desk.FormatLate(late)
	}
	live := b.Status == store.BookingHold || b.Status == store.BookingConfirmed || b.Status == store.BookingOut
	lv.CanMove, lv.EndValue = live && l.ReturnedAt == nil, formatLocal(l.EndsAt, zone)
	return lv
}

// returnPhotoLinks are the links of photos taken at a return.
func returnPhotoLinks(ids []int64) []pages.ReturnPhotoLink {
	out := make([]pages.ReturnPhotoLink, 0, len(ids))
	for _, id := range ids {
		out = append(out, pages.ReturnPhotoLink{Full: fmt.Sprintf("/staff/return-photos/%d", id),
			Thumb: fmt.Sprintf("/staff/return-photos/%d/thumb", id)})
	}
	return out
}
