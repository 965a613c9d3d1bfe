package store

import (
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"
)

var driverBadConn = driver.ErrBadConn

// isNetErr reports errors that mean the server is gone or unreachable rather
// than that the query was wrong.
func isNetErr(err error) bool {
	var netErr net.Error
	return errors.As(err, &netErr) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ENOENT)
}

// isPoolClosed reports database/sql's error for a pool that was closed (as
// during shutdown), which it does not export.
func isPoolClosed(err error) bool {
	return strings.Contains(err.Error(), "sql: database is closed")
}
