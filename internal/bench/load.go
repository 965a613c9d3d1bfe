package bench

import (
	"context"
	"errors"
	"time"
)

func runLoad(ctx context.Context, o Options, sz Size, dbURL string, dataNow time.Time, plans []Plan) error {
	return errors.New("not yet")
}

// ServeCeiling serves the reference pages.
func ServeCeiling(ctx context.Context, args []string) error { return errors.New("not yet") }
