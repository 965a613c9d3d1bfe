package store

import (
	"math"
	"time"

	"github.com/lib/pq"
)

// HotParams are the arguments the hot queries are checked with.
type HotParams struct {
	Now                      time.Time
	LocationID               int64
	SerialItemID, BulkItemID int64
	CustomerID, StaffID      int64
	// The money pages': a booking of CustomerID's with payments and an
	// invoice, that invoice, and a Stripe payment intent of the ledger.
	BookingID, InvoiceID int64
	PaymentIntent        string
	// RevenueLateFrom is the oldest xmin of the revenue rollup runs'
	// snapshots, as text (nil before the first run): from that transaction
	// on the item figures look for entries the runs did not see.
	RevenueLateFrom *string
}

// HotQuery is one query a busy page runs, with arguments, so its plan on a
// large shop can be checked (the benchmark's EXPLAIN check): the SQL is
// this package's own constant, never a copy.
type HotQuery struct {
	Name string
	SQL  string
	Args []any
	// Prepared: the store runs it as a prepared statement, and the check
	// asks that PostgreSQL keep its generic plan after the first calls
	// (otherwise it is planned again on every call, which can cost more than
	// running it).
	Prepared bool
	// Serial: the store runs it without parallel workers
	// (withoutParallel), so the check plans it the same way.
	Serial bool
	// Generic: the store runs it on its generic plan (withGenericPlan), so
	// the check judges that plan.
	Generic bool
}

// HotQueries lists the queries whose cost must not grow with the shop's
// history: availability for a week ahead, an item's four-week calendar, the
// desk board and search, the customer's and the staff's booking lists, the
// audit page, and the admin dashboard's business figures (a 30-day period,
// all locations and one).
func HotQueries(p HotParams) []HotQuery {
	from := p.Now.Add(7 * 24 * time.Hour)
	to := from.Add(7 * 24 * time.Hour)
	var starts, ends []string
	for d := 0; d < 28; d++ {
		s := p.Now.Add(time.Duration(d) * 24 * time.Hour)
		starts = append(starts, s.UTC().Format(time.RFC3339Nano))
		ends = append(ends, s.Add(24*time.Hour).UTC().Format(time.RFC3339Nano))
	}
	dayStart := p.Now.Truncate(24 * time.Hour)
	// The dashboard's default period: the last 30 local days up to now.
	periodFrom := dayStart.AddDate(0, 0, -29)
	fromDay, toDay := periodFrom.Format(time.DateOnly), dayStart.AddDate(0, 0, 1).Format(time.DateOnly)
	yearFrom := dayStart.AddDate(0, 0, -364)
	yearFromDay := yearFrom.Format(time.DateOnly)
	// The revenue rollup holds the ledger up to its last run (migration
	// 00133), at most one interval of its periodic job ago: the figures read
	// the ledger from there on.
	rolledTo := p.Now.Add(-15 * time.Minute)
	grace, horizon := pgInterval(2*time.Hour), pgInterval(48*time.Hour)
	// The funnel rollup holds the UTC days before today,
	// and its quarter hours (migration 00173) today's up to the last run's
	// end, at most a run's interval and the lag before now.
	quartersTo := p.Now.Add(-funnelQuarterLag - 15*time.Minute).Truncate(funnelQuarter)
	funnelArgs := func(from, to time.Time, loc int64, rolledTo time.Time) []any {
		lo, hi := funnelDays(from, to, rolledTo)
		qlo, qhi := funnelQuarters(from, to, hi, rolledTo, quartersTo)
		return []any{from, to, loc, lo, hi, qlo, qhi}
	}
	// The desk search's customers: as many as match "meyer 12" there.
	searchCustomers := make([]int64, 150)
	for i := range searchCustomers {
		searchCustomers[i] = p.CustomerID + int64(i)*7
	}
	// A catalog page's items: 24 of them.
	catalogPage := make([]int64, 24)
	for i := range catalogPage {
		catalogPage[i] = p.SerialItemID + int64(i)
	}
	// A /book page's items: 51 of them (the page and the next one's first).
	bookPage := make([]int64, 51)
	for i := range bookPage {
		bookPage[i] = p.SerialItemID + int64(i)
	}
	return []HotQuery{
		{"availability, all items", availabilityPageSQL, []any{p.LocationID, from, to, p.Now, false, int64(0), 0}, false, false, false},
		{"availability, a page by name", availabilityPageFewSQL, []any{p.LocationID, from, to, p.Now, false, int64(0), 51}, true, false, false},
		{"availability, a later page by name", availabilityPageFewSQL, []any{p.LocationID, from, to, p.Now, false, p.SerialItemID, 51}, true, false, false},
		{"availability, /book page", freeFewSQL, []any{p.LocationID, from, to, p.Now, false, pq.Array(bookPage)}, true, false, false},
		{"item cursor, a later /book page", itemCursorSQL, []any{p.SerialItemID}, true, false, false},
		{"availability, cart items", availabilityFewSQL, []any{p.LocationID, from, to, p.Now, false, pq.Array([]int64{p.SerialItemID, p.BulkItemID})}, true, false, false},
		{"availability, a catalog page", freeFewSQL, []any{p.LocationID, from, to, p.Now, false, pq.Array(catalogPage)}, true, false, false},
		{"availability, a one-item list", availabilityOfSQL, []any{p.LocationID, from, to, p.Now, false, pq.Array([]int64{p.SerialItemID})}, true, false, false},
		{"availability, one item", availabilityItemSQL, []any{p.LocationID, from, to, p.Now, true, p.SerialItemID}, true, false, false},
		{"calendar, serialized item", itemCalendarSQL, []any{p.SerialItemID, p.LocationID, pq.Array(starts), pq.Array(ends), p.Now}, true, false, false},
		{"next free (first week of candidates) and similar items (the first three free)", alternativesSQL, []any{p.LocationID, from, to, p.Now, false,
			pq.Array(append([]int64{p.BulkItemID}, catalogPage[1:]...)), 3, p.SerialItemID, pq.Array(starts[7:14]), pq.Array(ends[7:14])}, true, false, false},
		{"next free (first week of candidates) of a bulk item, no similar items", alternativesSQL, []any{p.LocationID, from, to, p.Now, false,
			pq.Array([]int64{}), 3, p.BulkItemID, pq.Array(starts[7:14]), pq.Array(ends[7:14])}, true, false, false},
		{"next free, the rest of the candidates", itemCalendarSQL, []any{p.SerialItemID, p.LocationID, pq.Array(starts[14:]), pq.Array(ends[14:]), p.Now}, true, false, false},
		{"calendar, bulk item", itemCalendarSQL, []any{p.BulkItemID, p.LocationID, pq.Array(starts), pq.Array(ends), p.Now}, true, false, false},
		// Every booking's housekeeping asks this (booking_housekeep's
		// first statement, the same form): no hold on the benchmark's data,
		// so the check is that nothing but the hold-expiry index answers it.
		{"hold expiry, the due holds", expireHoldsSQL, []any{p.Now}, true, false, false},
		{"free units", freeUnitsSQL, []any{p.SerialItemID, p.LocationID, from, to, p.Now, pq.Array([]int64{}), 10}, false, false, false},
		{"free units, locked (a booking's candidates)", lockFreeUnitsSQL, []any{p.SerialItemID, p.LocationID, from, to, p.Now, pq.Array([]int64{}), 1}, false, false, false},
		{"free unit, re-check", freeUnitSQL, []any{p.SerialItemID, p.LocationID, from, to, p.Now, int64(1)}, false, false, false},
		{"bulk peak", bulkPeakSQL, []any{p.BulkItemID, p.LocationID, from, to, p.Now, 0}, false, false, false},
		{"why unavailable", explainSQL, []any{p.SerialItemID, p.LocationID, from, to, p.Now}, false, false, false},
		{"why unavailable, bulk", explainSQL, []any{p.BulkItemID, p.LocationID, from, to, p.Now}, false, false, false},
		{"desk lines", listDeskLinesSQL, []any{p.LocationID, dayStart, dayStart.Add(24 * time.Hour), p.Now, DeskPerPage, 0, 0, 0, p.Now.Add(2 * time.Hour)}, true, true, true},
		{"desk lines, a later page", listDeskLinesSQL, []any{p.LocationID, dayStart, dayStart.Add(24 * time.Hour), p.Now, DeskPerPage, 4 * DeskPerPage, DeskPerPage, 0, p.Now.Add(2 * time.Hour)}, true, true, true},
		{"desk endangered", listEndangeredSQL, []any{p.LocationID, p.Now, p.Now.Add(7 * 24 * time.Hour), dayStart, dayStart.Add(24 * time.Hour)}, true, true, true},
		{"desk endangered, a day ahead", listEndangeredSQL, []any{p.LocationID, p.Now, p.Now.Add(7 * 24 * time.Hour), dayStart.AddDate(0, 0, 30), dayStart.AddDate(0, 0, 31)}, true, true, true},
		{"desk expiring holds", listExpiringHoldsSQL, []any{p.LocationID, p.Now, p.Now.Add(2 * time.Hour)}, true, true, true},
		{"desk search, matching customers", searchMatchCustomersSQL, []any{"%meyer 12%"}, false, false, false},
		{"desk search, matching customers by email", searchMatchCustomersSQL, []any{"%customer4242@%"}, false, false, false},
		{"desk search, their bookings", searchText(searchByCustomersSQL, 50), []any{int64(0), pq.Array(searchCustomers)}, true, false, false},
		{"desk search by number", searchText(searchByCustomersSQL, 50), []any{int64(4242), pq.Array([]int64{})}, true, false, false},
		{"desk search, many customers", searchText(searchWalkSQL, 50), []any{int64(0), "%bench.example%"}, true, false, false},
		{"staff bookings", allBookingsText(51), []any{int64(math.MaxInt64)}, true, false, false},
		{"staff bookings, confirmed", listBookingsSQL, []any{BookingConfirmed, int64(0), 50, false}, false, false, false},
		{"my bookings", customerBookingsText(100), []any{p.CustomerID, int64(math.MaxInt64)}, true, false, false},
		{"audit page", listAuditPageSQL + limitText(51), []any{int64(math.MaxInt64)}, true, false, false},
		{"audit page, by entity type", listAuditSQL, []any{int64(0), "booking", "", int64(0), 51}, false, false, false},
		{"audit entity types", auditEntityTypesSQL, nil, true, false, false},
		{"dashboard revenue", revenueSQL, []any{periodFrom, p.Now, int64(0)}, false, true, false},
		{"dashboard revenue, 365 days", revenueSQL, []any{yearFrom, p.Now, int64(0)}, false, true, false},
		// Today against yesterday up to this time of day, from a midnight an
		// hour east of UTC: every location's edges are partial days.
		{"dashboard revenue, yesterday up to now", revenueSQL, []any{dayStart.Add(-25 * time.Hour), p.Now.Add(-24 * time.Hour), int64(0)}, false, true, false},
		{"monitoring revenue bookings", revenueBookingsSQL, []any{periodFrom, p.Now, int64(0)}, false, true, false},
		{"dashboard revenue by day", revenueByDaySQL, []any{periodFrom, p.Now, int64(0)}, false, true, false},
		{"dashboard revenue by day, 365 days", revenueByDaySQL, []any{yearFrom, p.Now, int64(0)}, false, true, false},
		{"dashboard funnel", funnelSQL, funnelArgs(periodFrom, p.Now, int64(0), dayStart), false, false, false},
		{"dashboard funnel, one location", funnelSQL, funnelArgs(periodFrom, p.Now, p.LocationID, dayStart), false, false, false},
		{"dashboard funnel, 365 days", funnelSQL, funnelArgs(yearFrom, p.Now, int64(0), dayStart), false, false, false},
		{"dashboard funnel, 365 days, one location", funnelSQL, funnelArgs(yearFrom, p.Now, p.LocationID, dayStart), false, false, false},
		{"dashboard attention", attentionSQL, []any{p.Now, grace, horizon, int64(0)}, false, true, false},
		{"dashboard attention, one location", attentionSQL, []any{p.Now, grace, horizon, p.LocationID}, false, true, false},
		{"dashboard item figures", itemFiguresSQL, []any{periodFrom, p.Now, int64(0), rolledTo, fromDay, toDay, p.RevenueLateFrom}, false, true, false},
		{"dashboard item figures, 365 days", itemFiguresSQL, []any{yearFrom, p.Now, int64(0), rolledTo, yearFromDay, toDay, p.RevenueLateFrom}, false, true, false},
		{"dashboard utilization by day", utilizationByDaySQL, []any{fromDay, toDay, int64(0)}, false, false, false},
		{"dashboard utilization by location", utilizationByLocationSQL, []any{fromDay, toDay}, false, false, false},
		{"booking ledger", listLedgerSQL, []any{p.BookingID}, false, false, false},
		{"booking ledger totals", ledgerTotalsSQL, []any{p.BookingID}, false, false, false},
		{"booking invoices", bookingInvoicesSQL, []any{p.BookingID}, true, false, false},
		{"booking invoice links", bookingInvoiceSummariesSQL, []any{p.BookingID}, true, false, false},
		{"booking money", bookingMoneySQL, []any{p.BookingID}, true, false, false},
		{"booking checkout session", latestCheckoutSessionSQL, []any{p.BookingID}, false, false, false},
		{"invoice", getInvoiceSQL, []any{p.InvoiceID}, true, false, false},
		{"invoice lines", invoiceLinesSQL, []any{p.InvoiceID}, true, false, false},
		{"invoices, first page", listInvoiceSummariesSQL, []any{nil, nil, int64(0), int64(0), 50}, false, false, false},
		{"invoices, a month a year ago", listInvoiceSummariesSQL, []any{yearFromDay, yearFrom.AddDate(0, 0, 30).Format(time.DateOnly), int64(0), int64(0), 50}, false, false, false},
		{"invoices of a customer", listInvoiceSummariesSQL, []any{nil, nil, p.CustomerID, int64(0), 50}, false, false, false},
		{"stripe payment by payment intent", paymentByStripeSQL, []any{p.PaymentIntent}, false, false, false},
	}
}
