//go:build benchpgx

package store

import (
	"context"
	"database/sql/driver"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// A build with the benchpgx tag opens its pools with pgx's database/sql
// driver instead of lib/pq, so the load benchmark can measure what the
// choice of lib/pq costs on the same queries. The shipped binary is built
// without the tag. Error classification reads lib/pq's errors, so such a
// build is for the benchmark's read scenarios only.
func init() {
	newConnector = func(url string) (driver.Connector, error) {
		cfg, err := pgx.ParseConfig(url)
		if err != nil {
			return nil, err
		}
		return pgxConnector{stdlib.GetConnector(*cfg)}, nil
	}
}

// pgxConnector hands out pgx connections with the one method lib/pq's have
// and pgx's lack (driver.Validator), so the store's connector wraps both.
type pgxConnector struct{ driver.Connector }

func (c pgxConnector) Connect(ctx context.Context) (driver.Conn, error) {
	cn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return pgxConn{cn.(*stdlib.Conn)}, nil
}

type pgxConn struct{ *stdlib.Conn }

// IsValid: a broken pgx connection answers driver.ErrBadConn itself.
func (c pgxConn) IsValid() bool { return !c.Conn.Conn().IsClosed() }
