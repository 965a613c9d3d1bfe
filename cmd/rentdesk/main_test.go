package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rentdesk/rentdesk/internal/auth"
	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/internal/testenv"
)

// TestMain lets the tests run the real program: with RENTDESK_RUN_MAIN=1 the
// test binary is the rentdesk binary (main() with the given arguments, real
// signal handling and exit codes), so no separate build is needed.
func TestMain(m *testing.M) {
	if os.Getenv("RENTDESK_RUN_MAIN") == "1" {
		os.Args = append([]string{"rentdesk"}, os.Args[1:]...)
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// program is a running rentdesk process.
type program struct {
	cmd  *exec.Cmd
	out  *testenv.LockedBuffer
	addr chan string
	done chan error
}

func startProgram(t *testing.T, env []string, args ...string) *program {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "RENTDESK_RUN_MAIN=1", "RENTDESK_ADDR=127.0.0.1:0", "RENTDESK_DB_MAX_OPEN=4", "RENTDESK_DB_MAX_IDLE=2")
	cmd.Env = append(cmd.Env, env...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &program{cmd: cmd, out: &testenv.LockedBuffer{}, addr: make(chan string, 1), done: make(chan error, 1)}
	cmd.Stderr = p.out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			<-p.done
		}
	})
	serving := regexp.MustCompile(`msg="rentdesk is serving" addr=(\S+)`)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			line := sc.Text()
			p.out.Write([]byte(line + "\n"))
			if m := serving.FindStringSubmatch(line); m != nil {
				p.addr <- m[1]
			}
		}
		p.done <- cmd.Wait()
	}()
	return p
}

func (p *program) waitAddr(t *testing.T) string {
	t.Helper()
	select {
	case a := <-p.addr:
		return a
	case err := <-p.done:
		t.Fatalf("rentdesk exited early: %v\n%s", err, p.out)
	case <-time.After(60 * time.Second):
		t.Fatalf("rentdesk did not start serving:\n%s", p.out)
	}
	return ""
}

// R1: SIGTERM (and SIGINT, Ctrl-C) turn readiness off, then the process
// exits with code 0.
func TestSignalStopsServerCleanly(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			t.Parallel()
			dbURL := testenv.DatabaseURL(t)
			// The Ctrl-C run is also `make run`'s: demo data and its logins.
			args := []string{"serve"}
			if sig == syscall.SIGINT {
				args = append(args, "--demo")
			}
			p := startProgram(t, []string{"DATABASE_URL=" + dbURL}, args...)
			base := "http://" + p.waitAddr(t)
			if sig == syscall.SIGINT {
				for _, want := range []string{"admin@rentdesk.test", "staff@rentdesk.test", "customer@rentdesk.test"} {
					if !strings.Contains(p.out.String(), want) {
						t.Errorf("demo login %s not printed:\n%s", want, p.out)
					}
				}
			}
			client := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
			if code := status(client, base+"/readyz"); code != http.StatusOK {
				t.Fatalf("/readyz %d before the signal", code)
			}
			if code := status(client, base+"/login"); code != http.StatusOK {
				t.Fatalf("/login %d", code)
			}
			if err := p.cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			sawNotReady := false
			deadline := time.Now().Add(2 * time.Second)
			for time.Now().Before(deadline) && !sawNotReady {
				sawNotReady = status(client, base+"/readyz") == http.StatusServiceUnavailable
				time.Sleep(20 * time.Millisecond)
			}
			if !sawNotReady {
				t.Error("/readyz never answered 503 after the signal")
			}
			select {
			case err := <-p.done:
				if err != nil {
					t.Fatalf("exit: %v\n%s", err, p.out)
				}
			case <-time.After(30 * time.Second):
				t.Fatalf("rentdesk did not exit after %v:\n%s", sig, p.out)
			}
			if !strings.Contains(p.out.String(), "http server stopped") {
				t.Errorf("no clean-stop line in the log:\n%s", p.out)
			}
			// The last requests reach the alerts' request minutes: the
			// reporter writes once more after the server has drained (its
			// ticker, every 10 s, has not run in so short a life).
			db, err := sql.Open("postgres", dbURL)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			var login int
			if err := db.QueryRow(`SELECT coalesce(sum(requests), 0) FROM request_minutes WHERE route_group = 'public'`).Scan(&login); err != nil || login < 1 {
				t.Errorf("public requests written at shutdown: %d %v", login, err)
			}
		})
	}
}

func status(c *http.Client, url string) int {
	res, err := c.Get(url)
	if err != nil {
		return 0
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode
}

// serve refuses a schema that is behind unless told to migrate.
func TestServeRefusesSchemaBehind(t *testing.T) {
	dbURL := testenv.DatabaseURL(t)
	st, err := store.Open(t.Context(), dbURL, store.Options{MaxOpenConns: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.DB().Exec(`DELETE FROM goose_db_version WHERE version_id = (SELECT max(version_id) FROM goose_db_version)`); err != nil {
		t.Fatal(err)
	}
	err = run(t.Context(), []string{"serve"}, envOf(map[string]string{"DATABASE_URL": dbURL, "RENTDESK_ADDR": "127.0.0.1:0"}), io.Discard)
	if err == nil || !strings.Contains(err.Error(), "schema is behind") {
		t.Fatalf("serve on an old schema: %v", err)
	}
	var out bytes.Buffer
	if err := run(t.Context(), []string{"migrate", "status"}, envOf(map[string]string{"DATABASE_URL": dbURL}), &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "pending") || !strings.Contains(out.String(), "applied") {
		t.Errorf("migrate status:\n%s", out.String())
	}
}

// Configuration problems are all reported at once, before anything starts.
func TestRunReportsEveryConfigProblem(t *testing.T) {
	err := run(context.Background(), []string{"serve"}, envOf(map[string]string{"RENTDESK_SESSION_LIFETIME": "forever", "LOG_FORMAT": "xml"}), io.Discard)
	if err == nil {
		t.Fatal("started without DATABASE_URL")
	}
	for _, name := range []string{"DATABASE_URL", "RENTDESK_SESSION_LIFETIME", "LOG_FORMAT"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error does not name %s: %v", name, err)
		}
	}
}

// `rentdesk admin create` makes a working admin account, once.
func TestAdminCreateCommand(t *testing.T) {
	dbURL := testenv.DatabaseURL(t)
	env := envOf(map[string]string{"DATABASE_URL": dbURL})
	var out bytes.Buffer
	if err := run(t.Context(), []string{"admin", "create", "--email", "Root@Example.com", "--name", "Rita Root"}, env, &out); err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`password: (\S+)`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no generated password printed:\n%s", out.String())
	}
	st, err := store.Open(t.Context(), dbURL, store.Options{MaxOpenConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	u, err := st.GetUserByEmail(t.Context(), "root@example.com")
	if err != nil || u.Role != store.RoleAdmin || u.Name != "Rita Root" {
		t.Fatalf("account: %+v %v", u, err)
	}
	if ok, _, err := auth.NewHasher(auth.DefaultParams).Verify(m[1], u.PasswordHash); !ok || err != nil {
		t.Fatalf("the printed password does not verify: %v", err)
	}
	audit, err := st.ListAudit(t.Context(), store.AuditFilter{EntityType: "user"})
	if err != nil || len(audit) != 1 || audit[0].Action != "user.create" {
		t.Errorf("audit: %+v %v", audit, err)
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"admin", "create", "--email", "root@example.com"}, "exists"},
		{[]string{"admin", "create", "--name", "No Email"}, "--email is required"},
		{[]string{"admin", "create", "--email", "weak@example.com", "--password", "password"}, "too common"},
		{[]string{"admin", "create", "--email", "short@example.com", "--password", "short"}, "at least 8"},
		{[]string{"admin", "delete"}, "usage"},
	} {
		err := run(t.Context(), tc.args, env, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want %q", tc.args, err, tc.want)
		}
	}
	var given bytes.Buffer
	if err := run(t.Context(), []string{"admin", "create", "--email", "ops@example.com", "--password", "a long chosen passphrase"}, env, &given); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(given.String(), "a long chosen passphrase") {
		t.Error("a chosen password was printed")
	}
}

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// RENTDESK_METRICS_ADDR serves /metrics alone on its own address, without a
// token; the main address has no /metrics without a token.
func TestMetricsOnTheirOwnAddress(t *testing.T) {
	dbURL := testenv.DatabaseURL(t)
	p := startProgram(t, []string{"DATABASE_URL=" + dbURL, "RENTDESK_METRICS_ADDR=127.0.0.1:0"}, "serve")
	base := "http://" + p.waitAddr(t)
	m := regexp.MustCompile(`msg="serving /metrics" addr=(\S+)`).FindStringSubmatch(p.out.String())
	if m == nil {
		t.Fatalf("no metrics address in the log:\n%s", p.out)
	}
	client := &http.Client{Timeout: 5 * time.Second}
	res, err := client.Get("http://" + m[1] + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(body), "go_goroutines") ||
		!strings.Contains(string(body), `go_sql_open_connections{db_name="app"}`) {
		t.Fatalf("metrics address: %d\n%.500s", res.StatusCode, body)
	}
	if code := status(client, "http://"+m[1]+"/login"); code != http.StatusNotFound {
		t.Errorf("the metrics address serves other pages: %d", code)
	}
	if code := status(client, base+"/metrics"); code != http.StatusNotFound {
		t.Errorf("/metrics on the main address without a token: %d", code)
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-p.done:
		if err != nil {
			t.Fatalf("exit: %v\n%s", err, p.out)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("rentdesk did not exit:\n%s", p.out)
	}
}
