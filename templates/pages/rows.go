package pages

import "github.com/rentdesk/rentdesk/internal/catalog"

// The view models below are what pages show of lists the store reads: the
// templates know these, never the store's rows, so a change in a query
// reaches a page only through the handler that maps it.

// ItemCard is an item as a card or a list row shows it.
type ItemCard struct {
	catalog.Item
	CategoryName   *string
	CategorySlug   *string
	UnitsTotal     int // not retired
	UnitsAvailable int // status available
	BulkQuantity   int
	PhotoID        *int64
}

// Photo is one of an item's photos.
type Photo struct {
	ID          int64
	ItemID      int64
	Position    int
	ContentType string
	Size        int
}

// UnitLine is a unit with where it is and what it is.
type UnitLine struct {
	catalog.Unit
	LocationName string
	ItemName     string
	ItemSlug     string
	LocationSlug string
}

// StockLine is a bulk item's quantity at one location.
type StockLine struct {
	LocationID   int64
	LocationName string
	Quantity     int
}
