package catalog

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"
)

// Import kinds: what one CSV file holds.
const (
	ImportItems = "items"
	ImportUnits = "units"
)

// ItemColumns are the columns of an items CSV, in export order. Only name,
// slug and tracking are required on import; a missing optional column takes
// its default (so a re-import without "deposit" sets deposits to zero).
var ItemColumns = []string{"slug", "name", "category", "tracking", "description",
	"rate_hour", "rate_day", "rate_week", "rate_month", "deposit", "replacement_value",
	"min_duration", "buffer_before", "buffer_after", "tax_category", "online_bookable", "featured", "archived"}

// UnitColumns are the columns of a units CSV, in export order.
var UnitColumns = []string{"asset_tag", "item", "location", "serial_number", "status", "condition_notes"}

var requiredColumns = map[string][]string{
	ImportItems: {"slug", "name", "tracking"},
	ImportUnits: {"asset_tag", "item", "location"},
}

// MaxImportRows bounds one file; bigger catalogs import in several files.
const MaxImportRows = 50_000

// Problem is one thing wrong with an import, pointing at a row (the file's
// line number, the header being row 1) and a column.
type Problem struct {
	Row     int    `json:"row"`
	Column  string `json:"column"`
	Message string `json:"message"`
}

// ItemRow is one valid row of an items file. Category is a category slug
// (empty for none); the store resolves it.
type ItemRow struct {
	Row      int
	Item     Item
	Category string
	Archived bool
}

// UnitRow is one valid row of a units file, keyed by asset tag; Item and
// Location are slugs.
type UnitRow struct {
	Row                                  int
	AssetTag, Item, Location             string
	SerialNumber, Status, ConditionNotes string
}

// Import is a parsed CSV file.
type Import struct {
	Kind     string
	Items    []ItemRow
	Units    []UnitRow
	Problems []Problem
}

// Rows counts the data rows read.
func (im Import) Rows() int { return len(im.Items) + len(im.Units) }

// ParseImport reads a CSV file of the given kind and checks every row on its
// own (references to categories, items and locations are the store's to
// check). It never stops at the first problem, except when the file itself is
// unreadable, so staff see everything to fix at once. Amounts are in currency.
func ParseImport(kind string, data []byte, currency string) Import {
	im := Import{Kind: kind}
	if kind != ImportItems && kind != ImportUnits {
		im.Problems = append(im.Problems, Problem{Row: 0, Column: "", Message: "Unknown import kind."})
		return im
	}
	if !utf8.Valid(data) {
		im.Problems = append(im.Problems, Problem{Row: 1, Message: "The file is not UTF-8 text; save it as CSV UTF-8."})
		return im
	}
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\uFEFF"))))
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		msg := "The file is empty; the first line must name the columns."
		if !errors.Is(err, io.EOF) {
			msg = "The first line could not be read as CSV: " + csvMessage(err)
		}
		im.Problems = append(im.Problems, Problem{Row: 1, Message: msg})
		return im
	}
	cols, ok := im.checkHeader(header)
	if !ok {
		return im
	}
	seen := map[string]int{}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.StartLine
			}
			im.Problems = append(im.Problems, Problem{Row: line, Message: "Not valid CSV: " + csvMessage(err)})
			return im
		}
		line, _ := r.FieldPos(0) // only valid after a successful Read
		if im.Rows()+1 > MaxImportRows {
			im.Problems = append(im.Problems, Problem{Row: line, Message: fmt.Sprintf("A file may hold at most %d rows; split it.", MaxImportRows)})
			return im
		}
		if len(rec) != len(header) {
			im.Problems = append(im.Problems, Problem{Row: line, Message: fmt.Sprintf("Expected %d values, found %d.", len(header), len(rec))})
			continue
		}
		get := func(col string) string {
			if i, ok := cols[col]; ok {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		if kind == ImportItems {
			im.itemRow(line, get, cols, currency, seen)
		} else {
			im.unitRow(line, get, seen)
		}
	}
	return im
}

// checkHeader maps column names to positions, reporting unknown, repeated
// and missing columns.
func (im *Import) checkHeader(header []string) (map[string]int, bool) {
	known := ItemColumns
	if im.Kind == ImportUnits {
		known = UnitColumns
	}
	cols := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		switch _, dup := cols[h]; {
		case !slices.Contains(known, h):
			im.Problems = append(im.Problems, Problem{Row: 1, Column: h, Message: "Unknown column; expected: " + strings.Join(known, ", ") + "."})
		case dup:
			im.Problems = append(im.Problems, Problem{Row: 1, Column: h, Message: "The column appears twice."})
		default:
			cols[h] = i
		}
	}
	for _, req := range requiredColumns[im.Kind] {
		if _, ok := cols[req]; !ok {
			im.Problems = append(im.Problems, Problem{Row: 1, Column: req, Message: "This column is required."})
		}
	}
	return cols, len(im.Problems) == 0
}

func (im *Import) itemRow(line int, get func(string) string, cols map[string]int, currency string, seen map[string]int) {
	f := ItemForm{Name: get("name"), Slug: get("slug"), Description: get("description"), Tracking: get("tracking"),
		TaxCategory: get("tax_category"), RateHour: get("rate_hour"), RateDay: get("rate_day"), RateWeek: get("rate_week"),
		RateMonth: get("rate_month"), Deposit: get("deposit"), ReplacementValue: get("replacement_value"),
		MinDuration: get("min_duration"), BufferBefore: get("buffer_before"), BufferAfter: get("buffer_after")}
	before := len(im.Problems)
	var ok bool
	f.OnlineBookable, ok = parseBool(get("online_bookable"), true)
	if !ok {
		im.Problems = append(im.Problems, Problem{line, "online_bookable", "Write true or false."})
	}
	if f.Featured, ok = parseBool(get("featured"), false); !ok {
		im.Problems = append(im.Problems, Problem{line, "featured", "Write true or false."})
	}
	archived, ok := parseBool(get("archived"), false)
	if !ok {
		im.Problems = append(im.Problems, Problem{line, "archived", "Write true or false."})
	}
	if f.Slug == "" {
		im.Problems = append(im.Problems, Problem{line, "slug", "Give every row a slug; it is how a re-import finds the item."})
	}
	it, errs := f.Parse(currency)
	for _, col := range ItemColumns { // the form's field names are the column names
		if msg, bad := errs[col]; bad && !(col == "slug" && f.Slug == "") {
			im.Problems = append(im.Problems, Problem{line, col, msg})
		}
	}
	if prev, dup := seen[it.Slug]; dup && it.Slug != "" {
		im.Problems = append(im.Problems, Problem{line, "slug", fmt.Sprintf("The slug %q is already used in row %d.", it.Slug, prev)})
	}
	seen[it.Slug] = line
	cat := get("category")
	if cat != "" && CheckSlug(cat) != "" {
		im.Problems = append(im.Problems, Problem{line, "category", "Give the category's slug, like cameras."})
	}
	if len(im.Problems) == before {
		im.Items = append(im.Items, ItemRow{Row: line, Item: it, Category: cat, Archived: archived})
	}
}

func (im *Import) unitRow(line int, get func(string) string, seen map[string]int) {
	u := UnitRow{Row: line, AssetTag: get("asset_tag"), Item: get("item"), Location: get("location"),
		SerialNumber: get("serial_number"), Status: get("status"), ConditionNotes: get("condition_notes")}
	before := len(im.Problems)
	if msg := CheckAssetTag(u.AssetTag); msg != "" {
		im.Problems = append(im.Problems, Problem{line, "asset_tag", msg})
	} else if prev, dup := seen[u.AssetTag]; dup {
		im.Problems = append(im.Problems, Problem{line, "asset_tag", fmt.Sprintf("The asset tag %q is already used in row %d.", u.AssetTag, prev)})
	}
	seen[u.AssetTag] = line
	if CheckSlug(u.Item) != "" {
		im.Problems = append(im.Problems, Problem{line, "item", "Give the item's slug, like canon-r6-body."})
	}
	if CheckSlug(u.Location) != "" {
		im.Problems = append(im.Problems, Problem{line, "location", "Give the location's slug, like berlin."})
	}
	if u.Status == "" {
		u.Status = UnitAvailable
	}
	if !slices.Contains(UnitStatuses, u.Status) {
		im.Problems = append(im.Problems, Problem{line, "status", "Write available, maintenance or retired."})
	}
	if msg := CheckUnitText(u.SerialNumber, u.ConditionNotes); msg != "" {
		im.Problems = append(im.Problems, Problem{line, "serial_number", msg})
	}
	if len(im.Problems) == before {
		im.Units = append(im.Units, u)
	}
}

// parseBool reads a CSV yes/no cell; empty gives def.
func parseBool(s string, def bool) (bool, bool) {
	switch strings.ToLower(s) {
	case "":
		return def, true
	case "true", "yes", "y", "1":
		return true, true
	case "false", "no", "n", "0":
		return false, true
	}
	return def, false
}

func csvMessage(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return Sentence(pe.Err.Error())
	}
	return "unreadable."
}
