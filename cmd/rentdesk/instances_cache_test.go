package main

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/internal/testenv"
)

// Two `rentdesk serve` processes keep the settings and the category list in
// memory; a change committed elsewhere (here a third client of the database)
// shows on both without a restart, and well within the 30 seconds the page
// header used to keep the shop's name for.
func TestTwoInstancesSeeReferenceDataChanges(t *testing.T) {
	dbURL := testenv.DatabaseURL(t)
	st, err := store.Open(t.Context(), dbURL, store.Options{MaxOpenConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.DB().Exec(`WITH c AS (INSERT INTO categories (name, slug, position) VALUES ('Bikes', 'bikes', 1) RETURNING id)
		INSERT INTO items (name, slug, tracking, rate_day, deposit, category_id) SELECT 'Gravel bike', 'gravel-bike', 'serialized', 2500, 0, id FROM c`); err != nil {
		t.Fatal(err)
	}
	env := []string{"DATABASE_URL=" + dbURL}
	pa, pb := startProgram(t, env, "serve"), startProgram(t, env, "serve")
	bases := []string{"http://" + pa.waitAddr(t), "http://" + pb.waitAddr(t)}

	visitor := newBrowser(t)
	home := func(base string) string {
		code, body := visitor.get(base + "/")
		if code != http.StatusOK {
			t.Fatalf("%s/: %d", base, code)
		}
		return body
	}
	for _, base := range bases {
		if body := home(base); !strings.Contains(body, "Bikes") || strings.Contains(body, "Kayaks") {
			t.Fatalf("%s/ before the change:\n%s", base, body)
		}
	}

	if _, err := st.DB().Exec(`UPDATE shop_settings SET shop_name = 'Harbour Rentals'`); err != nil {
		t.Fatal(err)
	}
	if _, err := st.DB().Exec(`WITH c AS (INSERT INTO categories (name, slug, position) VALUES ('Kayaks', 'kayaks', 2) RETURNING id)
		INSERT INTO items (name, slug, tracking, rate_day, deposit, category_id) SELECT 'Sea kayak', 'sea-kayak', 'serialized', 4000, 0, id FROM c`); err != nil {
		t.Fatal(err)
	}
	for _, base := range bases {
		deadline := time.Now().Add(15 * time.Second)
		for {
			body := home(base)
			if strings.Contains(body, "Harbour Rentals") && strings.Contains(body, "Kayaks") {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s/ does not show the new name and category:\n%s", base, body)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}
