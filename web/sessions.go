package web

import (
	"bytes"
	"encoding/binary"
	"encoding/gob"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/alexedwards/scs/v2"

	"github.com/rentdesk/rentdesk/internal/config"
	"github.com/rentdesk/rentdesk/internal/store"
)

// SessionCookieName is the session cookie's name over plain http; over https it
// carries the __Host- prefix (see NewSessions).
const SessionCookieName = "rentdesk_session"

// NewSessions configures scs: PostgreSQL storage so sessions survive restarts
// and are shared by every instance, idle and absolute timeouts, and cookie
// flags that keep the token away from scripts and other sites. Expired rows
// are deleted by a periodic job once for all instances, not by a goroutine in
// each. The store (store.SessionStore) runs on the app's pool with the
// request's context, keeps only a hash of each token, and skips the write of
// a session that only had its idle expiry pushed on (loadSession gives it the
// memo it needs).
func NewSessions(cfg config.Config, ss *store.SessionStore) *scs.SessionManager {
	sm := scs.New()
	// The idle expiry is written again once it has moved by a sixtieth of
	// the idle timeout (a minute at most): a session may end that much early.
	if step := cfg.SessionIdleTimeout / 60; step < ss.RenewAfter {
		ss.RenewAfter = step
	}
	sm.Store = ss
	sm.Codec = newSortedCodec()
	sm.Lifetime = cfg.SessionLifetime
	sm.IdleTimeout = cfg.SessionIdleTimeout
	sm.Cookie.Name = SessionCookieName
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Path = "/"
	// A browser-session cookie: closing the browser ends the login on shared
	// counter computers; the server-side timeouts bound it otherwise.
	sm.Cookie.Persist = false
	if cfg.Secure() {
		// The __Host- prefix makes browsers insist on Secure, Path=/ and no Domain.
		sm.Cookie.Name = "__Host-" + SessionCookieName
		sm.Cookie.Secure = true
	}
	return sm
}

// sortedCodec is scs' gob encoding with the values in key order. scs' own
// codec encodes a map, whose order changes from run to run, so an unchanged
// session would rarely encode to the same bytes, and the store could not see
// that it need not be written.
//
// scs decodes the session on every request and, with an idle timeout, encodes
// it again on every request too; a gob coder compiles the types of each
// stream anew, which cost more CPU than anything else in the session's path.
// The codec therefore remembers what it decoded and encoded last (codecMemo):
// the same bytes decode to the same values and the same values encode to the
// same bytes, so a visitor's unchanged session is coded once, not per page.
// The bytes stay exactly gob's.
type sortedCodec struct{ memo *codecMemo }

func newSortedCodec() sortedCodec { return sortedCodec{memo: &codecMemo{}} }

type sortedSession struct {
	Deadline time.Time
	Keys     []string
	Values   []any
}

// Encode writes the deadline and the values in key order.
func (c sortedCodec) Encode(deadline time.Time, values map[string]any) ([]byte, error) {
	aux := sortedSession{Deadline: deadline, Keys: make([]string, 0, len(values))}
	for k := range values {
		aux.Keys = append(aux.Keys, k)
	}
	slices.Sort(aux.Keys)
	aux.Values = make([]any, 0, len(aux.Keys))
	for _, k := range aux.Keys {
		aux.Values = append(aux.Values, values[k])
	}
	fp, memo := c.memo.fingerprint(&aux)
	if memo {
		if b, ok := c.memo.encoded(fp); ok {
			return b, nil
		}
	}
	var b bytes.Buffer
	if err := gob.NewEncoder(&b).Encode(&aux); err != nil {
		return nil, err
	}
	if memo {
		c.memo.keepEncoded(fp, b.Bytes())
	}
	return b.Bytes(), nil
}

// Decode reads what Encode wrote.
func (c sortedCodec) Decode(b []byte) (time.Time, map[string]any, error) {
	aux, ok := c.memo.decoded(b)
	if !ok {
		if err := gob.NewDecoder(bytes.NewReader(b)).Decode(&aux); err != nil {
			return time.Time{}, nil, err
		}
		if _, memo := c.memo.fingerprint(&aux); memo {
			c.memo.keepDecoded(b, aux)
		}
	}
	values := make(map[string]any, len(aux.Keys))
	for i, k := range aux.Keys {
		if i < len(aux.Values) {
			values[k] = aux.Values[i]
		}
	}
	return aux.Deadline, values, nil
}

// codecMemo remembers recent sessions by their bytes (decoded) and by their
// contents (encoded). Only sessions whose values are strings, ints and int64s
// (all the app stores: a login keeps its user's id as an int64 and the
// account's session epoch as an int) are kept: those values cannot be
// changed through a copy, so a remembered decoding handed out again is as
// good as a fresh one. It holds at most codecMemoSize sessions each way and
// starts over when full.
type codecMemo struct {
	mu  sync.Mutex
	dec map[string]sortedSession
	enc map[string][]byte
}

const codecMemoSize = 4096

// fingerprint is an exact description of a session's contents (the deadline
// as gob writes it, each key, each value's type and value), and whether the
// session may be remembered at all.
func (m *codecMemo) fingerprint(aux *sortedSession) (string, bool) {
	if len(aux.Values) != len(aux.Keys) {
		return "", false
	}
	fp, err := aux.Deadline.AppendBinary(make([]byte, 0, 128))
	if err != nil {
		return "", false
	}
	for i, k := range aux.Keys {
		fp = binary.AppendUvarint(fp, uint64(len(k)))
		fp = append(fp, k...)
		switch v := aux.Values[i].(type) {
		case string:
			fp = append(fp, 's')
			fp = binary.AppendUvarint(fp, uint64(len(v)))
			fp = append(fp, v...)
		case int64:
			fp = append(fp, 'i')
			fp = binary.AppendVarint(fp, v)
		case int: // gob names it apart from int64: a different session
			fp = append(fp, 'n')
			fp = binary.AppendVarint(fp, int64(v))
		default:
			return "", false
		}
	}
	return string(fp), true
}

func (m *codecMemo) decoded(b []byte) (sortedSession, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	aux, ok := m.dec[string(b)]
	return aux, ok
}

func (m *codecMemo) keepDecoded(b []byte, aux sortedSession) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.dec == nil || len(m.dec) >= codecMemoSize {
		m.dec = make(map[string]sortedSession)
	}
	m.dec[string(b)] = aux
}

// encoded returns a copy: the caller owns what Encode returns.
func (m *codecMemo) encoded(fp string) ([]byte, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.enc[fp]
	if !ok {
		return nil, false
	}
	return bytes.Clone(b), true
}

func (m *codecMemo) keepEncoded(fp string, b []byte) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.enc == nil || len(m.enc) >= codecMemoSize {
		m.enc = make(map[string][]byte)
	}
	m.enc[fp] = bytes.Clone(b)
}
