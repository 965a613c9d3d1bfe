package web

import (
	"encoding/csv"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/rentdesk/rentdesk/internal/catalog"
	"github.com/rentdesk/rentdesk/internal/money"
	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/templates/pages"
)

// maxImportBytes bounds an uploaded CSV file (10,000 items are about 2 MB).
const maxImportBytes = 10 << 20

const exportPage = 1000

// writeCSVPages streams an export page by page (keyset on id, exportPage
// rows at a time) so a large export never sits in memory: page reads the
// rows after an id, id and row say where a row is and what its cells are.
// The header is already out, so an error can only cut the file (handleError
// then drops the connection).
func writeCSVPages[T any](w *csv.Writer, page func(after int64) ([]T, error), id func(T) int64, row func(T) []string) error {
	return writeCSVPageRows(w, page, id, func(r T) [][]string { return [][]string{row(r)} }, 0)
}

// writeCSVPageRows is writeCSVPages for records of any number of rows
// (none included), starting after the id start.
func writeCSVPageRows[T any](w *csv.Writer, page func(after int64) ([]T, error), id func(T) int64, rows func(T) [][]string, start int64) error {
	for after := start; ; {
		recs, err := page(after)
		if err != nil {
			return err
		}
		for _, r := range recs {
			for _, cells := range rows(r) {
				_ = w.Write(cells)
			}
			after = id(r)
		}
		w.Flush()
		if err := w.Error(); err != nil || len(recs) < exportPage {
			return err
		}
	}
}

// StaffExportItems streams every item as CSV, in the columns the import reads.
func (s *Server) StaffExportItems(c echo.Context) error {
	ctx := c.Request().Context()
	cur, err := s.currency(ctx)
	if err != nil {
		return err
	}
	w := startCSV(c, "items.csv", catalog.ItemColumns)
	amt := func(p *int64) string {
		if p == nil {
			return ""
		}
		return money.FormatPlain(*p, cur)
	}
	return writeCSVPages(w, func(after int64) ([]store.ExportItem, error) { return s.Store.ExportItems(ctx, after, exportPage) },
		func(it store.ExportItem) int64 { return it.ID },
		func(it store.ExportItem) []string {
			cat := ""
			if it.CategorySlug != nil {
				cat = *it.CategorySlug
			}
			return []string{it.Slug, it.Name, cat, it.Tracking, it.Description, amt(it.RateHour), amt(it.RateDay),
				amt(it.RateWeek), amt(it.RateMonth), money.FormatPlain(it.Deposit, cur), money.FormatPlain(it.ReplacementValue, cur),
				strconv.Itoa(it.MinDurationMinutes), strconv.Itoa(it.BufferBeforeMinutes), strconv.Itoa(it.BufferAfterMinutes),
				it.TaxCategory, strconv.FormatBool(it.OnlineBookable), strconv.FormatBool(it.Featured), strconv.FormatBool(it.Archived())}
		})
}

// StaffExportUnits streams every unit as CSV.
func (s *Server) StaffExportUnits(c echo.Context) error {
	ctx := c.Request().Context()
	w := startCSV(c, "units.csv", catalog.UnitColumns)
	return writeCSVPages(w, func(after int64) ([]store.UnitRow, error) { return s.Store.ExportUnits(ctx, after, exportPage) },
		func(u store.UnitRow) int64 { return u.ID },
		func(u store.UnitRow) []string {
			return []string{u.AssetTag, u.ItemSlug, u.LocationSlug, u.SerialNumber, u.Status, u.ConditionNotes}
		})
}

func startCSV(c echo.Context, name string, header []string) *csv.Writer {
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	h.Set(echo.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	c.Response().WriteHeader(http.StatusOK)
	w := csv.NewWriter(c.Response())
	_ = w.Write(header)
	return w
}

// StaffImportForm shows the upload form.
func (s *Server) StaffImportForm(c echo.Context) error {
	v := pages.ImportFormView{Page: s.page(c, "Import CSV"), Kind: catalog.ImportItems,
		ItemColumns: catalog.ItemColumns, UnitColumns: catalog.UnitColumns}
	return s.render(c, http.StatusOK, pages.ImportFormPage(v))
}

// StaffImportUpload runs the dry run: the file is parsed and checked, kept
// with its report, and nothing else is written.
func (s *Server) StaffImportUpload(c echo.Context) error {
	ctx := c.Request().Context()
	kind := c.FormValue("kind")
	v := pages.ImportFormView{Page: s.page(c, "Import CSV"), Kind: kind, ItemColumns: catalog.ItemColumns, UnitColumns: catalog.UnitColumns}
	if kind != catalog.ImportItems && kind != catalog.ImportUnits {
		v.Error = "Choose what the file holds: items or units."
		return s.render(c, http.StatusUnprocessableEntity, pages.ImportFormPage(v))
	}
	data, err := readUpload(c, "file", maxImportBytes)
	var ue errUpload
	if errors.As(err, &ue) {
		v.Error = ue.msg
		return s.render(c, http.StatusUnprocessableEntity, pages.ImportFormPage(v))
	} else if err != nil {
		return err
	}
	problems, rows, err := s.dryRun(c, kind, data)
	if err != nil {
		return err
	}
	fh, _ := c.FormFile("file")
	im, err := s.Store.CreateImport(ctx, kind, fh.Filename, data, problems, rows, currentUser(c).ID)
	if err != nil {
		return err
	}
	return redirect(c, "/staff/import/"+idOf(im.ID))
}

// dryRun parses and checks a file and returns every problem found.
func (s *Server) dryRun(c echo.Context, kind string, data []byte) ([]catalog.Problem, int, error) {
	ctx := c.Request().Context()
	cur, err := s.currency(ctx)
	if err != nil {
		return nil, 0, err
	}
	im := catalog.ParseImport(kind, data, cur)
	more, err := s.Store.CheckImport(ctx, im)
	if err != nil {
		return nil, 0, err
	}
	return append(im.Problems, more...), im.Rows(), nil
}

// StaffImportReport shows the dry-run report of an upload.
func (s *Server) StaffImportReport(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	im, err := s.Store.GetImport(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return s.renderImportReport(c, http.StatusOK, im, im.Problems())
}

func (s *Server) renderImportReport(c echo.Context, status int, im store.CSVImport, problems []catalog.Problem) error {
	v := pages.ImportReportView{Page: s.page(c, "Import report"), ID: im.ID, Kind: im.Kind, Filename: im.Filename,
		Rows: im.RowCount, Problems: problems, Applied: im.AppliedAt != nil}
	return s.render(c, status, pages.ImportReportPage(v))
}

// StaffImportApply applies a checked import all-or-nothing.
func (s *Server) StaffImportApply(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	rec, res, err := s.applyImport(c, id)
	var ip *importProblems
	var held *store.UnitHeldError
	switch {
	case errors.As(err, &ip):
		return s.renderImportReport(c, http.StatusUnprocessableEntity, rec, ip.problems)
	case errors.As(err, &held):
		return s.renderImportReport(c, http.StatusUnprocessableEntity, rec, []catalog.Problem{heldUnitProblem(rec, held)})
	case errors.Is(err, errImportApplied):
		s.flash(c, "info", "This import was already applied.")
		return redirect(c, "/staff/items")
	case err != nil:
		return err
	}
	s.flash(c, "success", fmt.Sprintf("Import applied: %d added, %d updated.", res.Inserted, res.Updated))
	return redirect(c, "/staff/items")
}

// applyImport claims the import (so a double submit applies it once),
// parses and checks the stored file again inside the transaction (the
// catalog may have changed since the dry run), then writes every row in a
// few batched statements with one audit row.
func (s *Server) applyImport(c echo.Context, id int64) (rec store.CSVImport, res store.ImportResult, err error) {
	ctx := c.Request().Context()
	cur, err := s.currency(ctx)
	if err != nil {
		return rec, res, err
	}
	err = s.Store.WithTx(ctx, func(tx *store.Store) error {
		if rec, err = tx.GetImport(ctx, id); err != nil {
			return err
		}
		if err := tx.MarkImportApplied(ctx, id); errors.Is(err, store.ErrConflict) {
			return errImportApplied
		} else if err != nil {
			return err
		}
		im := catalog.ParseImport(rec.Kind, rec.Content, cur)
		more, err := tx.CheckImport(ctx, im)
		if err != nil {
			return err
		}
		if ps := append(im.Problems, more...); len(ps) > 0 {
			return &importProblems{ps}
		}
		if rec.Kind == catalog.ImportItems {
			res, err = tx.ApplyItemImport(ctx, im.Items, s.Now())
		} else {
			res, err = tx.ApplyUnitImport(ctx, im.Units)
		}
		if err != nil {
			return err
		}
		return audit(ctx, c, tx, "import.apply", rec.Kind, idOf(id), nil, res)
	})
	return rec, res, err
}

// errImportApplied answers an apply of an import that was applied already
// (a double submit, or two at once: the second waits for the first's claim).
var errImportApplied = errors.New("web: import already applied")

// heldUnitProblem explains an apply refused because a row would retire a
// booked unit, put it in maintenance or move it away: the row and the
// booking that holds the unit.
func heldUnitProblem(rec store.CSVImport, held *store.UnitHeldError) catalog.Problem {
	p := catalog.Problem{Column: "asset_tag", Message: fmt.Sprintf("Unit %s is held by booking %s, now or later: "+
		"it cannot be retired, put in maintenance or moved to another location until that booking no longer needs it.",
		held.AssetTag, held.BookingNumber)}
	for _, r := range catalog.ParseImport(rec.Kind, rec.Content, "").Units {
		if r.AssetTag == held.AssetTag {
			p.Row = r.Row
		}
	}
	return p
}

// importProblems rolls the apply back when the re-check finds problems.
type importProblems struct{ problems []catalog.Problem }

func (e *importProblems) Error() string { return "import has problems" }
