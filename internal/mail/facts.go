package mail

import (
	"encoding/json"
	"fmt"
)

// EncodeFacts returns what an email of c is written from, for the kinds
// stored that way (ok false: every other kind is stored rendered). A
// booking's confirmation and its staff notices keep, in the email's row and
// in place of their rendered text, HTML and calendar file, the booking as it
// was confirmed (and, for a staff notice, who it goes to); the mailer renders
// them when it sends them. The rows are written once per booking and person,
// in the transaction after the confirmation's, and the rendered copies took
// about three times the room (and the write-ahead log) of the facts.
func EncodeFacts(c Content) (facts []byte, ok bool, err error) {
	switch c.(type) {
	case BookingConfirmed, StaffNewBooking:
	default:
		return nil, false, nil
	}
	facts, err = json.Marshal(c)
	if err != nil {
		return nil, false, fmt.Errorf("mail: facts of a %s email: %w", c.Kind(), err)
	}
	return facts, true, nil
}

// DecodeFacts is the Content EncodeFacts kept for an email of kind.
func DecodeFacts(kind string, facts []byte) (Content, error) {
	var c Content
	var err error
	switch kind {
	case KindBookingConfirmed:
		var v BookingConfirmed
		err = json.Unmarshal(facts, &v)
		c = v
	case KindStaffNewBooking:
		var v StaffNewBooking
		err = json.Unmarshal(facts, &v)
		c = v
	default:
		return nil, fmt.Errorf("mail: a %s email is not written from facts", kind)
	}
	if err != nil {
		return nil, fmt.Errorf("mail: facts of a %s email: %w", kind, err)
	}
	return c, nil
}
