package booking

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/rentdesk/rentdesk/internal/invoice"
	"github.com/rentdesk/rentdesk/internal/period"
	"github.com/rentdesk/rentdesk/internal/store"
)

// LineRequest is one wanted line: an item, a quantity and [Start, End).
type LineRequest struct {
	ItemID   int64
	Quantity int
	Start    time.Time
	End      time.Time
}

// Request is a whole booking: every line is taken, or none.
type Request struct {
	CustomerID int64
	LocationID int64
	Lines      []LineRequest
	Actor      Actor
	// IdempotencyKey is the checkout form's token: a second submit of the same
	// form answers with the booking the first made (*DuplicateError).
	IdempotencyKey string
	// Online marks a customer's own checkout: only online-bookable items, and
	// the payment step decides between hold and confirmation. Staff bookings
	// (walk-ins) are confirmed at once.
	Online bool
}

// Result is what Book made.
type Result struct {
	BookingID int64
	Status    string
	// RedirectURL is where an online payment continues ("" = nowhere to go).
	RedirectURL string
}

// PaymentStep is where payment plugs into checkout. It runs inside the
// booking's transaction, just after the whole cart became one hold, and
// decides whether the booking is confirmed now or waits (for a webhook) with a
// redirect to a payment page.
type PaymentStep interface {
	Begin(ctx context.Context, tx *store.Store, b store.Booking, st store.Settings) (PaymentOutcome, error)
}

// PaymentOutcome is what a PaymentStep decided.
type PaymentOutcome struct {
	Confirm     bool
	RedirectURL string
}

// PayAtPickup confirms at once: the customer pays at the desk.
type PayAtPickup struct{}

// Begin confirms the hold.
func (PayAtPickup) Begin(context.Context, *store.Store, store.Booking, store.Settings) (PaymentOutcome, error) {
	return PaymentOutcome{Confirm: true}, nil
}

// Validate checks a request before any SQL: dates, quantities, sizes.
// Field keys: "lines", "quantity", "start", "end".
func Validate(lines []LineRequest, now time.Time) FieldErrors {
	fe := FieldErrors{}
	if len(lines) == 0 {
		fe["lines"] = "Add at least one item."
	}
	if len(lines) > MaxLines {
		fe["lines"] = fmt.Sprintf("A booking can have at most %d lines.", MaxLines)
	}
	for _, l := range lines {
		checkLine(fe, l, now)
	}
	if len(fe) == 0 {
		return nil
	}
	return fe
}

func checkLine(fe FieldErrors, l LineRequest, now time.Time) {
	switch {
	case l.Quantity < 1:
		fe["quantity"] = "Choose a quantity of at least 1."
	case l.Quantity > MaxQuantity:
		fe["quantity"] = fmt.Sprintf("At most %d at a time; call the shop for more.", MaxQuantity)
	}
	checkPeriod(fe, l.Start, l.End, now)
}

// CheckPeriod validates a period chosen on a form: both ends given, the end
// after the start, not starting in the past, at most a year long.
func CheckPeriod(start, end, now time.Time) FieldErrors {
	fe := FieldErrors{}
	checkPeriod(fe, start, end, now)
	if len(fe) == 0 {
		return nil
	}
	return fe
}

func checkPeriod(fe FieldErrors, start, end, now time.Time) {
	switch {
	case start.IsZero():
		fe["start"] = "Choose a start date and time."
	case end.IsZero():
		fe["end"] = "Choose an end date and time."
	case !end.After(start):
		fe["end"] = "The end must be after the start."
	case start.Before(now.Add(-startGrace)):
		fe["start"] = "The start is in the past."
	case end.Sub(start) > MaxDuration:
		fe["end"] = "A booking can last at most a year."
	}
}

// Book takes stock for every line of the request in one transaction and makes
// one booking: a hold that the payment step confirms at once (pay at pickup)
// or leaves waiting for payment; staff bookings are confirmed.
func (e *Engine) Book(ctx context.Context, r Request) (Result, error) {
	now := e.now()
	lines := mergeLines(r.Lines)
	if fe := Validate(lines, now); fe != nil {
		return Result{}, fe
	}
	settings, loc, items, err := e.bookingFacts(ctx, r.LocationID, lines, r.Online)
	if err != nil {
		return Result{}, err
	}
	fe := FieldErrors{}
	for _, l := range lines {
		checkHorizon(fe, "end", l.End, settings, now)
		checkHours(fe, loc, l.Start, l.End, true, true)
	}
	if len(fe) > 0 {
		return Result{}, fe
	}
	zone := period.Zone(loc.TimeZone)
	quotes := make([]Quote, len(lines))
	for i, l := range lines {
		if quotes[i], err = e.pricer.Quote(items[l.ItemID], l.Start, l.End, zone, l.Quantity, settings); err != nil {
			return Result{}, err
		}
	}
	var res Result
	err = e.st.WithTx(ctx, func(tx *store.Store) error {
		// The booking is priced and checked with these settings; its
		// invoice is issued with them too, not with a second read that a
		// change committed in between would make disagree with its prices.
		tx.UseSettings(settings)
		var err error
		res, err = e.bookTx(ctx, tx, r, lines, quotes, items, settings, loc, now)
		return err
	})
	if errors.Is(err, errDuplicate) {
		return e.duplicate(ctx, r)
	}
	if err != nil {
		return Result{}, err
	}
	return res, nil
}

var errDuplicate = errors.New("booking: duplicate submit")

func (e *Engine) bookTx(ctx context.Context, tx *store.Store, r Request, lines []LineRequest, quotes []Quote,
	items map[int64]store.BookableItem, settings store.Settings, loc store.BookingLocation, now time.Time) (Result, error) {
	itemIDs := make([]int64, 0, len(lines))
	for _, l := range lines {
		itemIDs = append(itemIDs, l.ItemID)
	}
	if err := e.housekeep(ctx, tx, now, itemIDs...); err != nil {
		return Result{}, err
	}
	holdMin := settings.HoldMinutes
	if holdMin <= 0 {
		holdMin = defaultHoldM
	}
	expires := now.Add(time.Duration(holdMin) * time.Minute)
	// A booking the payment step confirms at once whatever it holds (staff
	// walk-ins, pay at pickup) is written confirmed: no hold expiry on it or
	// its units to clear a moment later, nor its status to copy to its lines
	// again. Its audit still tells it as made: created a hold, confirmed.
	atOnce := !r.Online || confirmsAtOnce(e.payment, settings)
	status, hold := store.BookingHold, &expires
	if atOnce {
		status, hold = store.BookingConfirmed, nil
	}
	// The totals are priced before the transaction, so the booking is
	// written with them rather than updated once its lines are in.
	var deposit int64
	for _, l := range lines {
		deposit += items[l.ItemID].Deposit * int64(l.Quantity)
	}
	newLine := func(i int, bookingID int64) store.NewLine {
		l := lines[i]
		return store.NewLine{BookingID: bookingID, ItemID: l.ItemID, Quantity: l.Quantity,
			StartsAt: l.Start, EndsAt: l.End, UnitPrice: quotes[i].UnitPrice, LineTotal: quotes[i].Total,
			PriceBreakdown: quotes[i].Breakdown}
	}
	// The booking and its first line are one statement; the other lines
	// follow, each taking its stock before the next is written.
	id, firstLine, err := tx.CreateBookingWithLine(ctx, store.NewBooking{CustomerID: r.CustomerID, LocationID: r.LocationID,
		Status: status, ExpiresAt: hold, Currency: settings.Currency,
		IdempotencyKey: r.IdempotencyKey, CreatedBy: createdBy(r), Now: now, Totals: SumQuotes(quotes, deposit)}, newLine(0, 0))
	if err != nil {
		if store.ConstraintOf(err) == store.IdempotencyConstraint {
			return Result{}, errDuplicate
		}
		return Result{}, err
	}
	for i, l := range lines {
		it := items[l.ItemID]
		lineID := firstLine
		if i > 0 {
			if lineID, err = tx.InsertLine(ctx, newLine(i, id)); err != nil {
				return Result{}, err
			}
		}
		ls := lineStock{lineID: lineID, item: it, locationID: r.LocationID, quantity: l.Quantity,
			start: l.Start, end: l.End, hold: hold, zone: loc.TimeZone}
		if err := e.allocate(ctx, tx, ls, now); err != nil {
			return Result{}, asConflict(err, it, l.Start, l.End, loc.TimeZone)
		}
	}
	b, err := tx.GetBooking(ctx, id)
	if err != nil {
		return Result{}, err
	}
	b.Status = store.BookingHold // as the audit and the payment step see it
	// The creation's audit row is written with the confirmation's when the
	// booking is confirmed at once: one statement for both.
	created := bookingAudit(r.Actor, "booking.create", id, nil, snapshot(b))
	out := PaymentOutcome{Confirm: true}
	if r.Online && !atOnce {
		if out, err = e.payment.Begin(ctx, tx, b, settings); err != nil {
			return Result{}, err
		}
	}
	res := Result{BookingID: id, Status: store.BookingHold, RedirectURL: out.RedirectURL}
	if !out.Confirm {
		return res, tx.InsertAudit(ctx, created)
	}
	if err := e.confirmTx(ctx, tx, b, r.Actor, now, r.Online, &created, atOnce); err != nil {
		return Result{}, err
	}
	res.Status = store.BookingConfirmed
	return res, nil
}

// duplicate answers a second submit of the same form with the first booking,
// but only to the customer who made it.
func (e *Engine) duplicate(ctx context.Context, r Request) (Result, error) {
	id, customer, err := e.st.BookingByIdempotencyKey(ctx, r.IdempotencyKey)
	if err != nil {
		return Result{}, err
	}
	if customer != r.CustomerID {
		return Result{}, fmt.Errorf("booking: form token reused by another customer: %w", store.ErrConflict)
	}
	return Result{}, &DuplicateError{BookingID: id}
}

func createdBy(r Request) int64 {
	if r.Actor.UserID == r.CustomerID {
		return 0
	}
	return r.Actor.UserID
}

// mergeLines joins lines for the same item and period (the same thing added
// twice) and orders them by item, so every transaction takes locks in the same
// order and two bookings cannot deadlock on each other's units.
func mergeLines(in []LineRequest) []LineRequest {
	var out []LineRequest
	for _, l := range in {
		merged := false
		for i := range out {
			if out[i].ItemID == l.ItemID && out[i].Start.Equal(l.Start) && out[i].End.Equal(l.End) {
				out[i].Quantity += l.Quantity
				merged = true
			}
		}
		if !merged {
			out = append(out, l)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].ItemID != out[j].ItemID {
			return out[i].ItemID < out[j].ItemID
		}
		return out[i].Start.Before(out[j].Start)
	})
	return out
}

// bookingFacts loads the settings, the location and the items of a request,
// refusing items a customer may not book.
func (e *Engine) bookingFacts(ctx context.Context, locationID int64, lines []LineRequest, online bool) (store.Settings, store.BookingLocation, map[int64]store.BookableItem, error) {
	settings, err := e.st.GetSettings(ctx)
	if err != nil {
		return settings, store.BookingLocation{}, nil, err
	}
	loc, err := e.st.GetBookingLocation(ctx, locationID)
	if errors.Is(err, store.ErrNotFound) {
		return settings, loc, nil, FieldErrors{"location": "Choose a location."}
	}
	if err != nil {
		return settings, loc, nil, err
	}
	items := map[int64]store.BookableItem{}
	for _, l := range lines {
		it, err := e.st.GetBookableItem(ctx, l.ItemID)
		if errors.Is(err, store.ErrNotFound) || (err == nil && (it.Archived || (online && !it.OnlineBookable))) {
			return settings, loc, nil, FieldErrors{"item": "That item cannot be booked."}
		}
		if err != nil {
			return settings, loc, nil, err
		}
		items[it.ID] = it
	}
	return settings, loc, items, nil
}

// Confirm turns a hold into a confirmed booking (the payment webhook and the
// desk call it). A hold that expired in the meantime is re-allocated first:
// if its stock went elsewhere the answer is a *ConflictError.
func (e *Engine) Confirm(ctx context.Context, bookingID int64, a Actor) error {
	return e.st.WithTx(ctx, func(tx *store.Store) error { return e.ConfirmTx(ctx, tx, bookingID, a) })
}

// ConfirmTx is Confirm inside the caller's transaction, for the payment
// webhook, whose fulfilment (confirmation, payment, invoice, email) commits
// as one. On a *ConflictError the caller must roll back: the failed
// allocation leaves the transaction unusable.
func (e *Engine) ConfirmTx(ctx context.Context, tx *store.Store, bookingID int64, a Actor) error {
	return e.withBookingTx(ctx, tx, bookingID, 0, func(tx *store.Store, b store.Booking, now time.Time) error {
		switch b.Status {
		case store.BookingConfirmed:
			return nil
		case store.BookingHold:
		case store.BookingExpired, store.BookingCancelled:
			if err := e.reallocate(ctx, tx, b, now); err != nil {
				return err
			}
		default:
			return &RuleError{Msg: "Booking " + b.Number + " is " + b.Status + " and cannot be confirmed."}
		}
		// The system (a payment webhook) confirms what a customer booked
		// online; staff confirming at the desk need no notice of it.
		online := a.UserID == 0 || a.UserID == b.CustomerID
		return e.confirmTx(ctx, tx, b, a, now, online, nil, false)
	})
}

// confirmTx confirms b inside tx and issues its invoice; created, the audit
// of the booking's creation not yet written, says the booking was created in
// tx (it can have no invoice yet): it is written with the confirmation's.
// written says b was created confirmed in tx (b.Status is still the hold it
// was asked as): its rows need no change.
func (e *Engine) confirmTx(ctx context.Context, tx *store.Store, b store.Booking, a Actor, now time.Time, online bool, created *store.Audit, written bool) error {
	if !written {
		if err := tx.ConfirmBooking(ctx, b.ID, now); err != nil {
			return err
		}
	}
	confirmed := bookingAudit(a, "booking.confirm", b.ID, map[string]string{"status": b.Status},
		map[string]string{"status": store.BookingConfirmed})
	if created != nil {
		if err := tx.InsertAuditPair(ctx, *created, confirmed); err != nil {
			return err
		}
	} else if err := tx.InsertAudit(ctx, confirmed); err != nil {
		return err
	}
	// The invoice is issued in the confirming transaction and numbered when
	// it commits (invoice.IssueAtCommit): the number's counter row, which
	// every confirmation in the shop takes, is locked only for the commit.
	// Both callers hold the booking's row (bookTx inserted it, ConfirmTx
	// locked it) and read it with its lines there; only its status changed
	// since.
	b.Status = store.BookingConfirmed
	// One job is queued that renders the emails after the commit, out of the
	// window where the booking's units are locked, from the booking as bookTx
	// or ConfirmTx read it (nothing of what the emails tell changed since).
	if err := e.notify.BookingConfirmed(ctx, tx, b, online); err != nil {
		return err
	}
	return invoice.IssueAtCommit(ctx, tx, b, created != nil)
}

// reallocate takes stock again for every line of a cancelled or expired
// booking (re-confirming it). All lines or none: a conflict rolls back.
func (e *Engine) reallocate(ctx context.Context, tx *store.Store, b store.Booking, now time.Time) error {
	for _, l := range b.Lines {
		if _, err := tx.ReleaseLineUnits(ctx, l.ID, 0); err != nil {
			return err
		}
		it, err := tx.GetBookableItem(ctx, l.ItemID)
		if err != nil {
			return err
		}
		ls := lineStock{lineID: l.ID, item: it, locationID: b.LocationID, quantity: l.Quantity,
			start: l.StartsAt, end: l.EndsAt, zone: b.TimeZone}
		if err := e.allocate(ctx, tx, ls, now); err != nil {
			return asConflict(err, it, l.StartsAt, l.EndsAt, b.TimeZone)
		}
	}
	return nil
}

// snapshot is the audit view of a booking.
func snapshot(b store.Booking) map[string]any {
	lines := make([]map[string]any, len(b.Lines))
	for i, l := range b.Lines {
		tags := make([]string, len(l.Units))
		for j, u := range l.Units {
			tags[j] = u.AssetTag
		}
		lines[i] = map[string]any{"item_id": l.ItemID, "quantity": l.Quantity, "starts_at": l.StartsAt,
			"ends_at": l.EndsAt, "line_total": l.LineTotal, "units": tags}
	}
	return map[string]any{"status": b.Status, "number": b.Number, "customer_id": b.CustomerID,
		"location_id": b.LocationID, "total": b.Total, "lines": lines}
}
