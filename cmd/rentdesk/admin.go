package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/rentdesk/rentdesk/internal/auth"
	"github.com/rentdesk/rentdesk/internal/config"
	"github.com/rentdesk/rentdesk/internal/demo"
	"github.com/rentdesk/rentdesk/internal/store"
)

// adminCommand handles `rentdesk admin create`, which makes the first admin of
// a new install (later admins are made from the web UI).
func adminCommand(ctx context.Context, cfg config.Config, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return errors.New("usage: rentdesk admin create --email E --name N [--password P]")
	}
	fs := flag.NewFlagSet("admin create", flag.ContinueOnError)
	email := fs.String("email", "", "email address of the admin")
	name := fs.String("name", "Administrator", "full name")
	password := fs.String("password", "", "password (generated and printed when empty; RENTDESK_ADMIN_PASSWORD also works)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *email == "" || !strings.Contains(*email, "@") {
		return errors.New("admin create: --email is required")
	}
	pw := *password
	if pw == "" {
		pw = getenv("RENTDESK_ADMIN_PASSWORD")
	}
	generated := pw == ""
	if generated {
		pw = rand.Text()
	}
	if msg := auth.NewPolicy().Check(pw, *email, *name); msg != "" {
		return fmt.Errorf("admin create: password: %s", msg)
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	hash, err := auth.NewHasher(auth.DefaultParams).Hash(pw)
	if err != nil {
		return err
	}
	err = st.WithTx(ctx, func(tx *store.Store) error {
		u, err := tx.CreateUser(ctx, store.NewUser{Email: strings.ToLower(*email), Name: *name, Role: store.RoleAdmin, PasswordHash: hash})
		if err != nil {
			return err
		}
		return tx.InsertAudit(ctx, store.Audit{Action: "user.create", EntityType: "user", EntityID: fmt.Sprint(u.ID),
			After: map[string]string{"email": u.Email, "role": u.Role, "via": "command line"}})
	})
	if errors.Is(err, store.ErrConflict) {
		return fmt.Errorf("admin create: an account with email %s exists", *email)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "admin %s created\n", *email)
	if generated {
		fmt.Fprintf(stdout, "password: %s\n(change it on the account page after logging in)\n", pw)
	}
	return nil
}

func loadDemo(ctx context.Context, st *store.Store, h *auth.Hasher) ([]demo.Login, error) {
	return demo.Load(ctx, st, h)
}

// printDemoLogins shows the demo accounts where the person who ran
// `make run` looks: plainly on stdout, not inside a log line.
func printDemoLogins(stdout io.Writer, logger *slog.Logger, cfg config.Config, logins []demo.Login) {
	logger.Info("demo data loaded")
	fmt.Fprintf(stdout, "\n  Rentdesk demo is ready at %s\n  Log in as:\n", cfg.BaseURL)
	for _, l := range logins {
		fmt.Fprintf(stdout, "    %-9s %-26s password: %s\n", l.Role, l.Email, l.Password)
	}
	fmt.Fprintln(stdout)
}
