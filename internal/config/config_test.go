package config

import (
	"strings"
	"testing"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestLoadDefaults(t *testing.T) {
	c, err := Load(env(map[string]string{"DATABASE_URL": "postgres://x@localhost/db"}))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if c.Addr != ":8080" || c.DBMaxOpenConns != 20 || c.Secure() {
		t.Errorf("unexpected defaults: %+v", c)
	}
}

func TestLoadReportsEveryProblem(t *testing.T) {
	_, err := Load(env(map[string]string{
		"RENTDESK_DB_MAX_OPEN": "many",
		"RENTDESK_BASE_URL":    "ftp://x",
		"SMTP_TLS":             "maybe",
		"LOG_LEVEL":            "loud",
	}))
	if err == nil {
		t.Fatal("Load accepted a broken environment")
	}
	for _, name := range []string{"DATABASE_URL", "RENTDESK_DB_MAX_OPEN", "RENTDESK_BASE_URL", "SMTP_TLS", "LOG_LEVEL"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error does not mention %s: %v", name, err)
		}
	}
}

func TestSecureFollowsBaseURL(t *testing.T) {
	c, err := Load(env(map[string]string{"DATABASE_URL": "postgres://x@localhost/db", "RENTDESK_BASE_URL": "https://rent.example.com/"}))
	if err != nil {
		t.Fatal(err)
	}
	if !c.Secure() || c.BaseURL.String() != "https://rent.example.com" {
		t.Errorf("Secure()=%v base=%s", c.Secure(), c.BaseURL)
	}
}

// The pool keeps as many idle connections as it may open unless told
// otherwise, so a smaller open limit alone is accepted, and an explicit idle
// count above the open limit is refused.
func TestIdleConnectionsFollowOpenLimit(t *testing.T) {
	cases := []struct {
		open, idle string
		want       int
		fails      bool
	}{
		{"", "", 20, false},
		{"8", "", 8, false},
		{"8", "2", 2, false},
		{"8", "0", 0, false},
		{"8", "9", 0, true},
		{"8", "few", 0, true},
	}
	for _, tc := range cases {
		c, err := Load(env(map[string]string{"DATABASE_URL": "postgres://x@localhost/db",
			"RENTDESK_DB_MAX_OPEN": tc.open, "RENTDESK_DB_MAX_IDLE": tc.idle}))
		if tc.fails {
			if err == nil || !strings.Contains(err.Error(), "RENTDESK_DB_MAX_IDLE") {
				t.Errorf("open %q idle %q: error %v, want one about RENTDESK_DB_MAX_IDLE", tc.open, tc.idle, err)
			}
			continue
		}
		if err != nil || c.DBMaxIdleConns != tc.want {
			t.Errorf("open %q idle %q: idle %d, %v; want %d", tc.open, tc.idle, c.DBMaxIdleConns, err, tc.want)
		}
	}
}
