package store_test

import (
	"bytes"
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/internal/testenv"
)

// A session is read by hand (rowscan.go): its data byte for byte, and the
// account it names as GetUser reads it (a disabled one, a phone, an empty
// one too); a session without an account names none; an expired or unknown
// token finds nothing.
func TestSessionFindReadsItsRowAndAccount(t *testing.T) {
	st, _ := testenv.Store(t)
	ctx := context.Background()
	ss := st.SessionStore()
	ann, err := st.CreateUser(ctx, store.NewUser{Email: "Ann@Example.test", Name: "Ann", Phone: "+49 30 1", Role: store.RoleCustomer, PasswordHash: "x"})
	if err != nil {
		t.Fatal(err)
	}
	bo, err := st.CreateUser(ctx, store.NewUser{Email: "bo@example.test", Name: "Bo", Role: store.RoleStaff, PasswordHash: "y"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.DB().ExecContext(ctx, `UPDATE users SET disabled_at = now() - interval '1 day', session_epoch = 3 WHERE id = $1`, bo.ID); err != nil {
		t.Fatal(err)
	}
	commit := func(token string, user int64, data []byte, expiry time.Time) {
		t.Helper()
		c := store.WithSessionMemo(ctx)
		store.SetSessionUser(c, user)
		if err := ss.CommitCtx(c, token, data, expiry); err != nil {
			t.Fatal(err)
		}
	}
	later := time.Now().Add(time.Hour)
	commit("ann", ann.ID, []byte{0, 1, 2, 255, 'a'}, later)
	commit("bo", bo.ID, []byte("bo"), later)
	commit("visitor", 0, []byte{9}, later)
	commit("gone", ann.ID, []byte{7}, time.Now().Add(-time.Minute))

	sameUser := func(got, want store.User) bool {
		if !got.CreatedAt.Equal(want.CreatedAt) || (got.DisabledAt == nil) != (want.DisabledAt == nil) ||
			(got.DisabledAt != nil && !got.DisabledAt.Equal(*want.DisabledAt)) {
			return false
		}
		got.CreatedAt, want.CreatedAt, got.DisabledAt, want.DisabledAt = time.Time{}, time.Time{}, nil, nil
		return reflect.DeepEqual(got, want)
	}
	for _, tc := range []struct {
		token string
		user  int64
		data  []byte
	}{{"ann", ann.ID, []byte{0, 1, 2, 255, 'a'}}, {"bo", bo.ID, []byte("bo")}, {"visitor", 0, []byte{9}}} {
		c := store.WithSessionMemo(ctx)
		data, found, err := ss.FindCtx(c, tc.token)
		if err != nil || !found || !bytes.Equal(data, tc.data) {
			t.Fatalf("%s: data %v, found %v, err %v; want %v", tc.token, data, found, err, tc.data)
		}
		for _, id := range []int64{ann.ID, bo.ID} {
			got, ok := store.SessionUser(c, id)
			if ok != (id == tc.user) {
				t.Fatalf("%s: account %d loaded with the session: %v", tc.token, id, ok)
			}
			if !ok {
				continue
			}
			want, err := st.GetUser(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if !sameUser(got, want) {
				t.Errorf("%s: session's account %+v, GetUser %+v", tc.token, got, want)
			}
		}
	}
	for _, token := range []string{"gone", "nobody"} {
		if data, found, err := ss.FindCtx(store.WithSessionMemo(ctx), token); err != nil || found || data != nil {
			t.Errorf("%s: data %v, found %v, err %v; want nothing", token, data, found, err)
		}
	}
}
