package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/rentdesk/rentdesk/internal/auth"
	"github.com/rentdesk/rentdesk/internal/booking"
	"github.com/rentdesk/rentdesk/internal/catalog"
	"github.com/rentdesk/rentdesk/internal/desk"
	"github.com/rentdesk/rentdesk/internal/money"
	"github.com/rentdesk/rentdesk/internal/period"
	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/templates/components"
	"github.com/rentdesk/rentdesk/templates/pages"
)

// StaffReturnsFind is check-in from anywhere: a scanned tag opens the return
// of the booking the unit is out on, whichever it is.
func (s *Server) StaffReturnsFind(c echo.Context) error {
	tag := strings.TrimSpace(c.QueryParam("tag"))
	v := pages.ReturnsFindView{Page: s.page(c, "Check in"), Tag: tag}
	if tag == "" {
		return s.render(c, http.StatusOK, pages.ReturnsFindPage(v))
	}
	ctx := c.Request().Context()
	unit, err := s.Store.GetBookingUnitByTag(ctx, tag)
	var amb *store.AmbiguousTagError
	switch {
	case errors.Is(err, store.ErrNotFound):
		v.Error = "No unit has the tag " + tag + "."
		return s.render(c, http.StatusUnprocessableEntity, pages.ReturnsFindPage(v))
	case errors.As(err, &amb):
		v.Error = amb.Message()
		return s.render(c, http.StatusUnprocessableEntity, pages.ReturnsFindPage(v))
	case err != nil:
		return err
	}
	id, err := s.Store.OpenCheckoutOfTag(ctx, unit.AssetTag)
	if err == nil {
		return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/staff/bookings/%d/return?tag=%s", id, url.QueryEscape(unit.AssetTag)))
	}
	if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	v.Error = unit.AssetTag + " is not out on any booking."
	return s.render(c, http.StatusUnprocessableEntity, pages.ReturnsFindPage(v))
}

// StaffReturnShow is the return form of a booking, the scanned unit ticked.
func (s *Server) StaffReturnShow(c echo.Context) error {
	tag := strings.TrimSpace(c.QueryParam("tag"))
	in := returnInput{tag: tag}
	if tag == "" {
		return s.returnPage(c, http.StatusOK, in, nil, "")
	}
	// The tag as typed at the booking's check-in field: letter case aside.
	unit, err := s.Store.GetBookingUnitByTag(c.Request().Context(), tag)
	var amb *store.AmbiguousTagError
	switch {
	case err == nil:
		tag = unit.AssetTag
	case errors.As(err, &amb):
		return s.returnPage(c, http.StatusUnprocessableEntity, in, nil, amb.Message())
	case !errors.Is(err, store.ErrNotFound):
		return err
	}
	in.tag, in.checked = tag, map[string]bool{tag: true}
	return s.returnPage(c, http.StatusOK, in, nil, "")
}

// returnInput is the return form as typed.
type returnInput struct {
	tag        string
	checked    map[string]bool
	conditions map[string]string
	notes      map[string]string
	form       pages.ReturnForm
	photos     bool // photos came with the form
}

func (s *Server) returnPage(c echo.Context, status int, in returnInput, errs components.Errors, formErr string) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	b, err := s.Store.GetBooking(ctx, id)
	if err != nil {
		return err
	}
	items, err := s.Desk.OutItems(ctx, b)
	if err != nil {
		return err
	}
	banner := desk.StatusBanner(b, s.Now(), period.Zone(b.TimeZone))
	v := pages.ReturnView{Page: s.page(c, "Check in "+b.Number), BookingID: b.ID, Number: b.Number, Customer: b.CustomerName,
		Banner: banner.Text, BannerKind: banner.Kind, Form: in.form, Currency: b.Currency, Errors: errs, FormError: formErr,
		MaxPhotos: desk.MaxReturnPhotos}
	if in.form.DepositMethod == "" {
		v.Form.DepositMethod = store.MethodCash
	}
	t, err := s.Store.GetLedgerTotals(ctx, b.ID)
	if err != nil {
		return err
	}
	if t.DepositHeld > 0 {
		v.DepositHeld = money.Format(t.DepositHeld, b.Currency)
		if v.Form.DepositBack == "" {
			v.Form.DepositBack = money.FormatPlain(t.DepositHeld, b.Currency)
		}
	}
	for _, it := range items {
		iv := pages.ReturnItemView{Key: it.Key, Label: it.Label, Checked: in.checked[it.Key] || in.checked == nil,
			Condition: in.conditions[it.Key], Note: in.notes[it.Key], Error: errs["condition_"+it.Key], PhotoError: errs["photos_"+it.Key], NoteError: errs["note_"+it.Key],
			LateFee: it.LateFee.Breakdown(b.Currency), Late: it.LateFee.Total > 0}
		if iv.Condition == "" {
			iv.Condition = store.ConditionOK
		}
		v.Items = append(v.Items, iv)
	}
	if len(v.Items) == 0 && formErr == "" {
		v.FormError = "Nothing is out on this booking."
	}
	return s.render(c, status, pages.ReturnPage(v))
}

// StaffReturn takes back what staff ticked, with condition, fees and deposit.
func (s *Server) StaffReturn(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	b, err := s.Store.GetBooking(ctx, id)
	if err != nil {
		return err
	}
	in, r, errs, err := parseReturn(c, b)
	if err != nil {
		return err
	}
	// A browser never keeps the files chosen in a form shown again.
	again := ""
	if in.photos {
		again = "The photos were not saved: choose them again."
	}
	if big, ok := tooLargeUpload(c); ok {
		// The photos were skipped unread; the rest of the form comes back as typed.
		tooLargeReturn(in, errs, big)
		return s.returnPage(c, http.StatusRequestEntityTooLarge, in, errs, "The photos were not saved: choose them again.")
	}
	if errs.Any() {
		return s.returnPage(c, http.StatusUnprocessableEntity, in, errs, again)
	}
	res, err := s.Desk.TakeBack(ctx, r)
	if err != nil {
		var fe booking.FieldErrors
		if errors.As(err, &fe) {
			return s.returnPage(c, http.StatusUnprocessableEntity, in, returnErrors(fe), again)
		}
		var ce *booking.ConflictError
		if errors.As(err, &ce) {
			// The return form again, as ticked and typed, with the reason.
			msg := ce.StaffMessage()
			return s.returnPage(c, http.StatusConflict, in, nil, msg)
		}
		return s.bookingFailed(c, err, fmt.Sprintf("/staff/bookings/%d/return", id), func(_ components.Errors, msg string) error {
			return s.returnPage(c, http.StatusUnprocessableEntity, in, nil, msg)
		})
	}
	s.flash(c, "success", returnSummary(res, len(r.Items), b.Currency))
	for _, n := range res.Notices {
		s.flash(c, "warn", n)
	}
	return redirect(c, fmt.Sprintf("/staff/bookings/%d", id))
}

// parseReturn reads the return form; money fields are parsed in the
// booking's currency, photos checked like item photos.
func parseReturn(c echo.Context, b store.Booking) (returnInput, desk.Return, components.Errors, error) {
	in := returnInput{checked: map[string]bool{}, conditions: map[string]string{}, notes: map[string]string{}}
	errs := components.Errors{}
	_ = c.FormValue("item")
	r := desk.Return{BookingID: b.ID, Actor: actor(c)}
	for _, key := range c.Request().Form["item"] {
		key = strings.TrimSpace(key)
		if key == "" || in.checked[key] {
			continue
		}
		in.checked[key] = true
		it := desk.ItemBack{Tag: key, Condition: field(c, "condition_"+key), Note: field(c, "note_"+key)}
		if rest, ok := strings.CutPrefix(key, "line:"); ok {
			n, err := strconv.ParseInt(rest, 10, 64)
			if err != nil || n <= 0 {
				errs["items"] = "Choose what came back."
				continue
			}
			it.Tag, it.LineID = "", n
		}
		in.conditions[key], in.notes[key] = it.Condition, it.Note
		photos, msg, err := readPhotos(c, "photos_"+key, desk.MaxReturnPhotos)
		if err != nil {
			return in, r, errs, err
		}
		if msg != "" {
			errs["photos_"+key] = msg
		}
		it.Photos = photos
		in.photos = in.photos || len(photos) > 0 || msg != ""
		r.Items = append(r.Items, it)
	}
	in.form = pages.ReturnForm{Waive: field(c, "waive") != "", WaiveReason: field(c, "waive_reason"),
		DamageAmount: field(c, "damage_amount"), DamageNote: field(c, "damage_note"),
		GiveDepositBack: field(c, "deposit_give") != "", DepositBack: field(c, "deposit_back"), DepositMethod: field(c, "deposit_method")}
	r.WaiveLateFee, r.WaiveReason, r.DamageNote = in.form.Waive, in.form.WaiveReason, in.form.DamageNote
	r.GiveDepositBack, r.DepositMethod = in.form.GiveDepositBack, in.form.DepositMethod
	if in.form.DamageAmount != "" {
		n, err := money.Parse(in.form.DamageAmount, b.Currency)
		if err != nil {
			errs["damage_amount"] = catalog.Sentence(err.Error())
		}
		r.DamageAmount = n
	}
	if r.GiveDepositBack {
		n, err := money.Parse(in.form.DepositBack, b.Currency)
		if err != nil {
			errs["deposit_back"] = catalog.Sentence(err.Error())
		}
		r.DepositBack = n
	}
	return in, r, tooLong(c, errs), nil
}

// tooLargeReturn puts the message of a form too large beside the photo
// fields that carried files or, when none is known (the form was cut short),
// beside those of the units ticked as not fine.
func tooLargeReturn(in returnInput, errs components.Errors, big uploadRefusal) {
	put := func(want func(key string) bool) bool {
		found := false
		for key := range in.checked {
			if want(key) {
				errs["photos_"+key], found = big.message(), true
			}
		}
		return found
	}
	if put(func(key string) bool { return big.fields["photos_"+key] }) {
		return
	}
	if put(func(key string) bool { return in.conditions[key] != "" && in.conditions[key] != store.ConditionOK }) {
		return
	}
	put(func(string) bool { return true })
}

// returnErrors moves the ledger's field names onto the return form's.
func returnErrors(fe booking.FieldErrors) components.Errors {
	errs := components.Errors{}
	for k, m := range fe {
		switch k {
		case "amount":
			k = "deposit_back"
		case "method":
			k = "deposit_method"
		}
		for _, prefix := range []string{"condition_", "photos_"} {
			if rest, ok := strings.CutPrefix(k, prefix+"line_"); ok {
				k = prefix + "line:" + rest
			}
		}
		errs[k] = m
	}
	return errs
}

func returnSummary(res desk.ReturnResult, n int, currency string) string {
	msg := fmt.Sprintf("Checked in %d.", n)
	if n == 1 {
		msg = "Checked in."
	}
	if res.LateFees > 0 {
		msg += " Late fee charged: " + money.Format(res.LateFees, currency) + "."
	}
	if res.Waived > 0 {
		msg += " Late fee waived: " + money.Format(res.Waived, currency) + "."
	}
	if res.Closed {
		msg += " The booking is closed."
	}
	return msg
}

// StaffBookingClose closes a returned booking whose balance is settled.
func (s *Server) StaffBookingClose(c echo.Context) error {
	return s.staffScan(c, "Closed.", func(id int64, _ string) error {
		return s.Desk.Close(c.Request().Context(), id, actor(c))
	})
}

// StaffLinePeriod extends or shortens a line at the desk, re-checked and
// re-priced through the booking engine like every change.
func (s *Server) StaffLinePeriod(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	lineID, err := pathID(c, "line")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	b, err := s.Store.GetBooking(ctx, id)
	if err != nil {
		return err
	}
	line, ok := b.Line(lineID)
	if !ok {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	raw := field(c, "end")
	errs := components.Errors{}
	end := parseLocal(errs, "end", raw, period.Zone(b.TimeZone))
	rerender := func(fe components.Errors, msg string) error {
		return s.staffLinePage(c, http.StatusUnprocessableEntity, lineID, raw, fe, msg)
	}
	if errs.Any() {
		return rerender(errs, "")
	}
	err = s.Booking.ChangeLinePeriod(ctx, booking.PeriodChange{BookingID: b.ID, LineID: line.ID, Start: line.StartsAt, End: end, Actor: actor(c)})
	var ce *booking.ConflictError
	if errors.As(err, &ce) {
		// Beside the field, with the end typed and what is in the way.
		msg := cannotKeepUntil(line.ItemName, end, b.TimeZone)
		if ce.Detail != "" {
			msg += ": " + ce.Detail
		}
		return s.staffLinePage(c, http.StatusConflict, lineID, raw, components.Errors{"end": msg + ". Choose an earlier end."}, "")
	}
	if err != nil {
		return s.bookingFailed(c, err, fmt.Sprintf("/staff/bookings/%d", b.ID), rerender)
	}
	s.flash(c, "success", "The end of the line moved; the price was worked out again.")
	return redirect(c, fmt.Sprintf("/staff/bookings/%d", b.ID))
}

// staffLinePage shows the booking again with a refused end form, as typed:
// status 409 when the end is taken by another booking, 422 otherwise.
func (s *Server) staffLinePage(c echo.Context, status int, lineID int64, raw string, errs components.Errors, msg string) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	v, err := s.staffBookingView(c, id)
	if err != nil {
		return err
	}
	v.Errors, v.FormError, v.MoveLine = errs, msg, lineID
	for i := range v.Lines {
		if v.Lines[i].ID == lineID {
			v.Lines[i].EndValue = raw
		}
	}
	return s.render(c, status, pages.StaffBookingPage(v))
}

// StaffMaintenanceEnd ends a maintenance block early and goes back where
// staff came from (a same-site path only).
func (s *Server) StaffMaintenanceEnd(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if err := s.Booking.EndBlock(c.Request().Context(), id, actor(c)); err != nil {
		return err
	}
	s.flash(c, "success", "The unit is back in service.")
	return redirect(c, auth.SafeReturnPath(field(c, "back")))
}

// StaffReturnWaive waives a late fee charged at a return, afterwards: all
// of it or a part, with a reason. A refusal shows the booking again with the
// waiver form open, as typed, its message beside the field.
func (s *Server) StaffReturnWaive(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	retID, err := pathID(c, "ret")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	b, err := s.Store.GetBooking(ctx, id)
	if err != nil {
		return err
	}
	reason, rawAmount := field(c, "waive_reason"), field(c, "waive_amount")
	refused := func(errs components.Errors, msg string) error {
		return s.waivePage(c, b.ID, retID, reason, rawAmount, errs, msg)
	}
	w := desk.Waiver{BookingID: b.ID, ReturnID: retID, Reason: reason, Actor: actor(c)}
	errs := components.Errors{}
	if strings.TrimSpace(reason) == "" {
		errs["waive_reason"] = "Say why the late fee is waived."
	}
	if strings.TrimSpace(rawAmount) != "" {
		n, err := money.Parse(rawAmount, b.Currency)
		switch {
		case err != nil:
			errs["waive_amount"] = catalog.Sentence(err.Error())
		case n <= 0:
			errs["waive_amount"] = "Enter an amount above zero, or leave it empty to waive all of it."
		}
		w.Amount = n
	}
	if tooLong(c, errs).Any() {
		return refused(errs, "")
	}
	res, err := s.Desk.WaiveCharged(ctx, w)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return err
		}
		return s.bookingFailed(c, err, fmt.Sprintf("/staff/bookings/%d", b.ID), refused)
	}
	msg := "Late fee waived: " + money.Format(res.Amount, res.Currency) + "."
	if res.Closed {
		msg += " The booking is closed."
	}
	s.flash(c, "success", msg)
	if res.Owed > 0 {
		s.flash(c, "warn", "The customer has paid "+money.Format(res.Owed, res.Currency)+" more than is now due: give it back as a refund.")
	}
	return redirect(c, fmt.Sprintf("/staff/bookings/%d#return-%d", b.ID, retID))
}

// waivePage shows the booking again with a refused waiver: its form open,
// the values kept and the messages beside the fields (a refusal that is no
// field's goes above the page).
func (s *Server) waivePage(c echo.Context, bookingID, retID int64, reason, amount string, errs components.Errors, msg string) error {
	v, err := s.staffBookingView(c, bookingID)
	if err != nil {
		return err
	}
	v.FormError = msg
	shown := false
	for i := range v.Returns {
		if r := &v.Returns[i]; r.ID == retID {
			r.WaiveOpen, r.WaiveReason, r.WaiveAmount, r.Errors = true, reason, amount, errs
			shown = r.Waive != ""
		}
	}
	if !shown && v.FormError == "" {
		// The fee is no longer there to waive (waived meanwhile): the
		// form is not on the page, so its message goes above it.
		for _, k := range []string{"waive_reason", "waive_amount"} {
			if errs[k] != "" {
				v.FormError = errs[k]
				break
			}
		}
	}
	return s.render(c, http.StatusUnprocessableEntity, pages.StaffBookingPage(v))
}
