package web

import (
	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/templates/pages"
)

// These map the store's list rows to the pages' view models.

func itemCards(rows []store.ItemListRow) []pages.ItemCard {
	cards := make([]pages.ItemCard, len(rows))
	for i, r := range rows {
		cards[i] = pages.ItemCard{Item: r.Item, CategoryName: r.CategoryName, CategorySlug: r.CategorySlug,
			UnitsTotal: r.UnitsTotal, UnitsAvailable: r.UnitsAvailable, BulkQuantity: r.BulkQuantity, PhotoID: r.PhotoID}
	}
	return cards
}

func photoViews(rows []store.PhotoMeta) []pages.Photo {
	ps := make([]pages.Photo, len(rows))
	for i, r := range rows {
		ps[i] = pages.Photo{ID: r.ID, ItemID: r.ItemID, Position: r.Position, ContentType: r.ContentType, Size: r.Size}
	}
	return ps
}

func unitLines(rows []store.UnitRow) []pages.UnitLine {
	us := make([]pages.UnitLine, len(rows))
	for i, r := range rows {
		us[i] = pages.UnitLine{Unit: r.Unit, LocationName: r.LocationName, ItemName: r.ItemName, ItemSlug: r.ItemSlug,
			LocationSlug: r.LocationSlug}
	}
	return us
}

func stockLines(rows []store.StockRow) []pages.StockLine {
	ss := make([]pages.StockLine, len(rows))
	for i, r := range rows {
		ss[i] = pages.StockLine{LocationID: r.LocationID, LocationName: r.LocationName, Quantity: r.Quantity}
	}
	return ss
}
