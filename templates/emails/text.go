package emails

import (
	"fmt"
	"strings"

	"github.com/rentdesk/rentdesk/internal/mail"
)

// The plain-text parts. They say the same as the HTML parts, for mail
// programs that show text only and for spam filters that compare the two.

func textFooter(shop mail.Shop) string {
	return fmt.Sprintf("\n-- \n%s\n%s\n", shop.Name, shop.BaseURL)
}

func welcomeText(shop mail.Shop, v mail.Welcome) string {
	return fmt.Sprintf("%s\n\nWelcome to %s! Your account is ready.\n\nBrowse the catalog and book: %s/catalog\nYour account: %s\n",
		greeting(v.To.Name), shop.Name, shop.BaseURL, accountURL(shop))
}

func accountExistsText(shop mail.Shop, v mail.AccountExists) string {
	return fmt.Sprintf("%s\n\nSomeone (hopefully you) tried to sign up at %s with this email address, but you already have an account.\n\n"+
		"Log in: %s/login\nForgot your password? Choose a new one: %s/password/forgot\n\n"+
		"If this was not you, ignore this email: nothing changed.\n",
		greeting(v.To.Name), shop.Name, shop.BaseURL, shop.BaseURL)
}

func resetText(shop mail.Shop, v mail.PasswordReset) string {
	return fmt.Sprintf("%s\n\nSomeone (hopefully you) asked to reset the password of your %s account.\n"+
		"Open this link to choose a new password. It works once, within an hour:\n\n%s\n\n"+
		"If you did not ask for this, ignore this email: your password stays as it is.\n",
		greeting(v.To.Name), shop.Name, resetURL(shop, v.Token))
}

func emailChangeText(shop mail.Shop, v mail.EmailChange) string {
	return fmt.Sprintf("%s\n\nSomeone (hopefully you) asked to use this address for their %s account.\n"+
		"Open this link to confirm it. It works once, within a day:\n\n%s\n\n"+
		"Until then the account keeps its old address. If you did not ask for this, ignore this email: nothing changes.\n",
		greeting(v.To.Name), shop.Name, emailChangeURL(shop, v.Token))
}

func emailInUseText(shop mail.Shop, v mail.EmailInUse) string {
	return fmt.Sprintf("%s\n\nSomeone tried to change the email of another %s account to this address, which is already yours.\n\n"+
		"Nothing changed: the address stays with your account. If you do not know why, you can ignore this email.\n\n"+
		"Log in: %s/login\n",
		greeting(v.To.Name), shop.Name, shop.BaseURL)
}

func emailChangedText(shop mail.Shop, v mail.EmailChanged) string {
	return fmt.Sprintf("%s\n\nThe email of your %s account was changed to %s. From now on you log in with that address.\n\n"+
		"If you did not do this, contact the shop at once.\n",
		greeting(v.To.Name), shop.Name, v.NewEmail)
}

func bookingText(shop mail.Shop, b mail.Booking, hello, intro, link string) string {
	var s strings.Builder
	fmt.Fprintf(&s, "%s\n\n%s\n\n", greeting(hello), intro)
	fmt.Fprintf(&s, "Booking %s\n", b.Number)
	fmt.Fprintf(&s, "Location: %s", b.Location.Name)
	if b.Location.Address != "" {
		fmt.Fprintf(&s, ", %s", b.Location.Address)
	}
	fmt.Fprintf(&s, "\nTimes are local to the shop (%s).\n\n", b.Location.TimeZone)
	for _, l := range b.Lines {
		fmt.Fprintf(&s, "- %d × %s\n  pickup %s\n  return %s\n  %s\n", l.Quantity, l.ItemName,
			LocalTime(l.PickupAt, b.Location.TimeZone), LocalTime(l.ReturnAt, b.Location.TimeZone), l.Price)
	}
	for _, t := range totals(b) {
		fmt.Fprintf(&s, "%s: %s\n", t.Label, t.Value)
	}
	fmt.Fprintf(&s, "\nView the booking: %s\n", link)
	return s.String()
}

func digestText(shop mail.Shop, v mail.StaffOverdueDigest) string {
	var s strings.Builder
	fmt.Fprintf(&s, "%s\n\n%d rental(s) are overdue on %s:\n\n", greeting(v.To.Name), len(v.Items), v.Date)
	for _, it := range v.Items {
		fmt.Fprintf(&s, "- %s, %s: %s, due %s\n  %s\n", it.BookingNumber, it.Customer, it.Items,
			LocalTime(it.DueAt, it.TimeZone), staffBookingURL(shop, it.BookingID))
	}
	return s.String()
}

func deadJobsText(shop mail.Shop, v mail.AdminDeadJobs) string {
	var s strings.Builder
	fmt.Fprintf(&s, "%s\n\nThese background jobs gave up after their retries:\n\n", greeting(v.To.Name))
	for _, j := range v.Jobs {
		fmt.Fprintf(&s, "- job %d (%s), %d attempt(s)", j.ID, j.Kind, j.Attempts)
		if j.Email != "" {
			fmt.Fprintf(&s, ": %s", j.Email)
		}
		fmt.Fprintf(&s, "\n  last error: %s\n", j.LastError)
	}
	fmt.Fprintf(&s, "\nRetry or discard them on the mail and jobs page: %s/admin/mail?status=dead\n", shop.BaseURL)
	return s.String()
}

func alertText(shop mail.Shop, v mail.AdminAlert) string {
	return fmt.Sprintf("%s\n\n%s reached %s (threshold %s) at %s UTC.\n\nSee the metrics dashboard: %s/admin/metrics\n",
		greeting(v.To.Name), v.Rule, v.Value, v.Threshold, v.Started.UTC().Format("2006-01-02 15:04"), shop.BaseURL)
}

// total is one line of a booking's money summary.
type total struct{ Label, Value string }

// totals lists the money lines a booking email shows, skipping zero taxes and
// deposits so small shops do not see empty lines.
func totals(b mail.Booking) []total {
	out := []total{}
	if b.Subtotal.Currency != "" && b.Subtotal != b.Total {
		out = append(out, total{"Subtotal", b.Subtotal.String()})
	}
	if b.Tax.Amount != 0 {
		out = append(out, total{"Tax", b.Tax.String()})
	}
	out = append(out, total{"Total", b.Total.String()})
	if b.Deposit.Amount != 0 {
		out = append(out, total{"Deposit", b.Deposit.String()})
	}
	if b.Paid.Amount > 0 {
		out = append(out, total{"Paid", b.Paid.String()})
	}
	if b.DueAtPickup.Amount != 0 {
		out = append(out, total{"Due at pickup", b.DueAtPickup.String()})
	}
	return out
}
