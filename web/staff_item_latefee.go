package web

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/rentdesk/rentdesk/internal/catalog"
	"github.com/rentdesk/rentdesk/internal/desk"
	"github.com/rentdesk/rentdesk/internal/money"
	"github.com/rentdesk/rentdesk/internal/payment"
	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/templates/components"
	"github.com/rentdesk/rentdesk/templates/pages"
)

// StaffItemLateFee saves an item's late fee rule (audited); bad input shows
// beside the fields with what was typed.
func (s *Server) StaffItemLateFee(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	cur, err := s.currency(ctx)
	if err != nil {
		return err
	}
	f := pages.LateFeeForm{Per: field(c, "late_fee_per"), Amount: field(c, "late_fee_amount"), Grace: field(c, "late_fee_grace"), Cap: field(c, "late_fee_cap")}
	rule, errs := parseLateFee(f, cur)
	errs = tooLong(c, errs)
	if errs.Any() {
		return s.renderItemShow(c, http.StatusUnprocessableEntity, id, func(v *pages.StaffItemView) {
			v.LateFee, v.Errors = f, errs
		})
	}
	a := actor(c)
	err = s.Store.WithTx(ctx, func(tx *store.Store) error {
		before, err := tx.GetLateFeeRule(ctx, id)
		if err != nil {
			return err
		}
		if err := tx.SetLateFeeRule(ctx, id, rule); err != nil {
			return err
		}
		return tx.InsertAudit(ctx, store.Audit{ActorID: a.UserID, Action: "item.late_fee", EntityType: "item",
			EntityID: fmt.Sprint(id), Before: before, After: rule, RequestID: a.RequestID})
	})
	if err != nil {
		return err
	}
	s.flash(c, "success", "Late fee saved.")
	return redirect(c, fmt.Sprintf("/staff/items/%d", id))
}

func parseLateFee(f pages.LateFeeForm, currency string) (store.LateFeeRule, components.Errors) {
	errs := components.Errors{}
	r := store.LateFeeRule{Per: f.Per}
	if err := oneOf(f.Per, desk.PerNone, desk.PerHour, desk.PerDay); err != nil {
		errs["late_fee_per"] = "Choose how the late fee is charged."
	}
	amount := func(key, raw string) int64 {
		if raw == "" {
			return 0
		}
		n, err := money.Parse(raw, currency)
		switch {
		case err != nil:
			errs[key] = catalog.Sentence(err.Error())
		case n > payment.MaxEntry:
			// The fee multiplies it by the time late and the quantity, and
			// the ledger takes at most this much in one charge.
			errs[key] = "Enter at most " + money.Format(payment.MaxEntry, currency) + "."
		}
		return n
	}
	r.Amount, r.Cap = amount("late_fee_amount", f.Amount), amount("late_fee_cap", f.Cap)
	if f.Grace != "" {
		g, err := strconv.Atoi(f.Grace)
		if err != nil || g < 0 || g > 10080 {
			errs["late_fee_grace"] = "Enter whole minutes from 0 to 10080 (a week)."
		}
		r.GraceMinutes = g
	}
	if r.Per != desk.PerNone && r.Amount == 0 && errs["late_fee_amount"] == "" {
		errs["late_fee_amount"] = "Enter the amount charged per hour or day."
	}
	return r, errs
}
