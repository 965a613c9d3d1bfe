package desk

import (
	"strings"
	"testing"
	"time"

	"github.com/rentdesk/rentdesk/internal/store"
)

func TestAllowedFollowsTheStatus(t *testing.T) {
	at := time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)
	waiting := store.BookingLine{Tracking: "serialized", StartsAt: at, EndsAt: at.Add(24 * time.Hour), Units: []store.LineUnit{{AssetTag: "A"}}}
	out := waiting
	out.Units = []store.LineUnit{{AssetTag: "A", PickedUpAt: &at}}
	back := waiting
	back.Units = []store.LineUnit{{AssetTag: "A", PickedUpAt: &at, ReturnedAt: &at}}
	for _, tc := range []struct {
		status string
		line   store.BookingLine
		want   Actions
	}{
		{store.BookingHold, waiting, Actions{Confirm: true, Cancel: true}},
		{store.BookingConfirmed, waiting, Actions{ScanOut: true, ChangeUnit: true, Cancel: true}},
		{store.BookingOut, out, Actions{ScanIn: true, HandOver: true}},
		{store.BookingReturned, back, Actions{HandOver: true}},
		{store.BookingClosed, back, Actions{}},
		{store.BookingCancelled, waiting, Actions{Confirm: true}},
		{store.BookingExpired, waiting, Actions{Confirm: true}},
	} {
		b := store.Booking{Status: tc.status, Lines: []store.BookingLine{tc.line}}
		if got := Allowed(b); got != tc.want {
			t.Errorf("%s: %+v, want %+v", tc.status, got, tc.want)
		}
	}
}

func TestStatusBannerSaysHowLate(t *testing.T) {
	at := time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)
	l := store.BookingLine{Tracking: "bulk", Quantity: 3, StartsAt: at, EndsAt: at.Add(24 * time.Hour), PickedUpAt: &at}
	b := store.Booking{Status: store.BookingOut, Lines: []store.BookingLine{l}}
	got := StatusBanner(b, at.Add(26*time.Hour+5*time.Minute), time.UTC)
	if got.Kind != "danger" || !strings.HasPrefix(got.Text, "Overdue by 2 h 5 min") {
		t.Errorf("banner %+v", got)
	}
	if got := StatusBanner(b, at.Add(time.Hour), time.UTC); got.Kind != "info" {
		t.Errorf("on time: %+v", got)
	}
	if Overdue(b, at.Add(23*time.Hour)) != 0 {
		t.Error("overdue before the end")
	}
}
