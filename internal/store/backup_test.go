package store_test

import (
	"context"
	"os/exec"
	"strings"
	"testing"

	"github.com/rentdesk/rentdesk/internal/auth"
	"github.com/rentdesk/rentdesk/internal/demo"
	"github.com/rentdesk/rentdesk/internal/testenv"
)

// The backup the operations notes describe (deploy/pg-backup.sh, also
// `make backup-check`) restores: a shop with demo data is dumped, restored
// into a fresh database, and every table has the same number of rows.
func TestBackupRestoresIntoFreshDatabase(t *testing.T) {
	st, url := testenv.Store(t)
	if _, err := demo.Load(context.Background(), st, auth.NewHasher(auth.Params{Time: 1, Memory: 1024, Threads: 1, KeyLen: 32, SaltLen: 16})); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("bash", "../../deploy/pg-backup.sh", "check", url).CombinedOutput()
	if err != nil {
		t.Fatalf("backup check: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "row counts equal") || strings.Contains(string(out), " 0 tables") {
		t.Fatalf("backup check said:\n%s", out)
	}
}
