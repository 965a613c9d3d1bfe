package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/pressly/goose/v3"

	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/internal/testenv"
	"github.com/rentdesk/rentdesk/migrations"
)

// Migration 00099 fills the per-location days from what the rollup already
// holds per item, so a shop rolled up before it reads the same totals after
// it, without a run of the job in between.
func TestRevenueDailyLocationMigrationFills(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, testenv.EmptyDatabaseURL(t), store.Options{MaxOpenConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	p, err := goose.NewProvider(goose.DialectPostgres, db.DB(), migrations.FS)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, 98); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO locations (id, name, slug, time_zone) VALUES (1, 'Berlin', 'berlin', 'Europe/Berlin'), (2, 'Depot', 'depot', 'UTC')`,
		`INSERT INTO items (id, name, slug, tracking) VALUES (1, 'Camera', 'camera', 'serialized'), (2, 'Chair', 'chair', 'bulk')`,
		`INSERT INTO revenue_daily (location_id, day, item_id, amount) VALUES
			(1, '2026-03-28', 1, 333.66666666666666666667), (1, '2026-03-28', 2, 667.33333333333333333333),
			(1, '2026-03-29', 1, -100), (2, '2026-03-28', 2, 1500)`,
	} {
		if _, err := db.DB().ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if _, err := p.UpTo(ctx, 99); err != nil {
		t.Fatal(err)
	}
	rows, err := db.DB().QueryContext(ctx, `SELECT location_id, day, amount::text FROM revenue_daily_location ORDER BY location_id, day`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var loc int64
		var day time.Time
		var amount string
		if err := rows.Scan(&loc, &day, &amount); err != nil {
			t.Fatal(err)
		}
		got = append(got, day.Format(time.DateOnly)+" "+amount+" @"+string(rune('0'+loc)))
	}
	want := []string{"2026-03-28 1001.00000000000000000000 @1", "2026-03-29 -100 @1", "2026-03-28 1500 @2"}
	if len(got) != len(want) {
		t.Fatalf("rows %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("row %d: %q, want %q", i, got[i], want[i])
		}
	}
}
