package web

import (
	"net/http"
	"net/mail"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/rentdesk/rentdesk/templates/components"
)

// field reads one form value with surrounding space removed.
func field(c echo.Context, name string) string { return strings.TrimSpace(c.FormValue(name)) }

// pathID reads a numeric id from the path; anything else is a 404, as if the
// object did not exist. Only the id's own spelling names it: "+1" and "01"
// would otherwise open the page of 1 under other addresses.
func pathID(c echo.Context, name string) (int64, error) {
	raw := c.Param(name)
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 || strconv.FormatInt(id, 10) != raw {
		return 0, echo.NewHTTPError(http.StatusNotFound)
	}
	return id, nil
}

// formID reads a numeric id a form carries in a hidden field; anything else
// is a 400 (no one types it).
func formID(c echo.Context, name string) (int64, error) {
	id, err := strconv.ParseInt(field(c, name), 10, 64)
	if err != nil || id <= 0 {
		return 0, echo.NewHTTPError(http.StatusBadRequest, "The "+name+" field is not valid.")
	}
	return id, nil
}

// queryInt64 reads an optional numeric query parameter; junk is a 400.
func queryInt64(c echo.Context, name string) (int64, error) {
	raw := c.QueryParam(name)
	if raw == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || n < 0 {
		return 0, echo.NewHTTPError(http.StatusBadRequest, "The "+name+" parameter is not valid.")
	}
	return n, nil
}

// maxPage bounds page numbers in links: far past any list's end, and small
// enough that the offset it gives stays an ordinary number.
const maxPage = 100_000

// queryPage reads an optional page number (1 when absent); anything but a
// number from 1 to maxPage is a 400 naming the parameter.
func queryPage(c echo.Context, name string) (int, error) {
	raw := c.QueryParam(name)
	if raw == "" {
		return 1, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 1 || n > maxPage {
		return 0, echo.NewHTTPError(http.StatusBadRequest, "The "+name+" parameter is not valid: give a page number from 1.")
	}
	return n, nil
}

// oneOf checks a query or form value against an allowlist; junk is a 400.
func oneOf(value string, allowed ...string) error {
	for _, a := range allowed {
		if value == a {
			return nil
		}
	}
	return echo.NewHTTPError(http.StatusBadRequest, "A filter value is not valid.")
}

// checkSearch refuses a search PostgreSQL cannot take as text (a NUL byte,
// which no one types) with a 400 instead of a failed query.
func checkSearch(q string) error {
	if strings.ContainsRune(q, 0) {
		return echo.NewHTTPError(http.StatusBadRequest, "The search is not valid.")
	}
	return nil
}

// checkName requires a human name of sensible length.
func checkName(errs components.Errors, key, v string) {
	switch n := utf8.RuneCountInString(v); {
	case n == 0:
		errs[key] = "Enter your name."
	case n > 100:
		errs[key] = "Use at most 100 characters."
	}
}

// maxEmailBytes is the longest address SMTP allows (RFC 5321).
const maxEmailBytes = 254

// checkEmail requires one plain address (no display name, no header tricks).
func checkEmail(errs components.Errors, key, v string) {
	if v == "" {
		errs[key] = "Enter your email address."
		return
	}
	a, err := mail.ParseAddress(v)
	if err != nil || a.Address != v || len(v) > maxEmailBytes || !strings.Contains(v[strings.LastIndex(v, "@"):], ".") {
		errs[key] = "Enter an email address like name@example.com."
	}
}

// checkPhone accepts an empty phone or digits with the usual punctuation.
func checkPhone(errs components.Errors, key, v string) {
	if v == "" {
		return
	}
	digits := 0
	for _, r := range v {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case strings.ContainsRune(" +-()./", r):
		default:
			errs[key] = "Use digits, spaces and + - ( ) only."
			return
		}
	}
	if digits < 5 || len(v) > 30 {
		errs[key] = "Enter a phone number like +49 30 1234567."
	}
}

// moveStep reads the "dir" of a move-up/move-down button: -1 for up, +1 for
// down; anything else is a 400.
func moveStep(c echo.Context) (dir string, step int, err error) {
	switch dir = c.FormValue("dir"); dir {
	case "up":
		return dir, -1, nil
	case "down":
		return dir, 1, nil
	}
	return dir, 0, oneOf(dir, "up", "down")
}
