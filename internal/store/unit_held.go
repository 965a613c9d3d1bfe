package store

import "fmt"

// UnitHeldError is GuardUnitChanges' refusal: a change would take a unit out
// of service or move it away while a booking still holds it. It names both,
// so a page can say which row of an import or which unit edit to undo; it
// matches ErrConflict for pages that need only the status.
type UnitHeldError struct {
	AssetTag      string
	BookingNumber string
}

func (e *UnitHeldError) Error() string {
	return fmt.Sprintf("store: unit %s is held by booking %s: %v", e.AssetTag, e.BookingNumber, ErrConflict)
}

// Is makes errors.Is(err, ErrConflict) true.
func (e *UnitHeldError) Is(target error) bool { return target == ErrConflict }
