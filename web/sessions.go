package web

import (
	"bytes"
	"encoding/binary"
	"encoding/gob"
	"errors"
	"net/http"
	"slices"
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
	sm.Codec = sortedCodec{}
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

// sortedCodec encodes sessions with the values in key order, so an
// unchanged session encodes to the same bytes and the store can see that it
// need not be written (scs' own gob codec encodes a map, whose order changes
// from run to run).
//
// Sessions hold strings and integers only (user id, epoch, the chosen dates,
// the cart, a flash); those are written in a small binary form of their own
// (sessionFormat first, so it never reads as gob, whose first byte is a
// message length of at least 1). Gob with a new encoder per session sent its
// type descriptions with every session and decoding them back was most of
// the session's cost on every page. A value of any other type makes the
// whole session gob, as before, and sessions stored as gob still decode.
type sortedCodec struct{}

// sessionFormat starts a session in the binary form.
const sessionFormat = 0x00

// Value kinds of the binary form.
const (
	kindString byte = 's'
	kindInt64  byte = 'l'
	kindInt    byte = 'i'
	kindBool   byte = 'b'
)

type sortedSession struct {
	Deadline time.Time
	Keys     []string
	Values   []any
}

// Encode writes the deadline and the values in key order.
func (sortedCodec) Encode(deadline time.Time, values map[string]any) ([]byte, error) {
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if b, ok := encodeSession(deadline, keys, values); ok {
		return b, nil
	}
	aux := sortedSession{Deadline: deadline, Keys: keys}
	for _, k := range aux.Keys {
		aux.Values = append(aux.Values, values[k])
	}
	var b bytes.Buffer
	if err := gob.NewEncoder(&b).Encode(&aux); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// encodeSession writes the binary form; false when a value has another
// type than the form knows.
func encodeSession(deadline time.Time, keys []string, values map[string]any) ([]byte, bool) {
	dl, err := deadline.MarshalBinary()
	if err != nil {
		return nil, false
	}
	b := make([]byte, 0, 64+len(dl))
	b = append(b, sessionFormat)
	b = binary.AppendUvarint(b, uint64(len(dl)))
	b = append(b, dl...)
	b = binary.AppendUvarint(b, uint64(len(keys)))
	for _, k := range keys {
		b = binary.AppendUvarint(b, uint64(len(k)))
		b = append(b, k...)
		switch v := values[k].(type) {
		case string:
			b = append(b, kindString)
			b = binary.AppendUvarint(b, uint64(len(v)))
			b = append(b, v...)
		case int64:
			b = binary.AppendVarint(append(b, kindInt64), v)
		case int:
			b = binary.AppendVarint(append(b, kindInt), int64(v))
		case bool:
			x := byte(0)
			if v {
				x = 1
			}
			b = append(b, kindBool, x)
		default:
			return nil, false
		}
	}
	return b, true
}

// Decode reads what Encode wrote.
func (sortedCodec) Decode(b []byte) (time.Time, map[string]any, error) {
	if len(b) > 0 && b[0] == sessionFormat {
		return decodeSession(b[1:])
	}
	var aux sortedSession
	if err := gob.NewDecoder(bytes.NewReader(b)).Decode(&aux); err != nil {
		return time.Time{}, nil, err
	}
	values := make(map[string]any, len(aux.Keys))
	for i, k := range aux.Keys {
		if i < len(aux.Values) {
			values[k] = aux.Values[i]
		}
	}
	return aux.Deadline, values, nil
}

var errBadSession = errors.New("web: malformed session data")

// decodeSession reads the binary form after its first byte.
func decodeSession(b []byte) (time.Time, map[string]any, error) {
	// bytesOf takes a length and that many bytes.
	bytesOf := func() ([]byte, bool) {
		n, w := binary.Uvarint(b)
		if w <= 0 || n > uint64(len(b)-w) {
			return nil, false
		}
		v := b[w : w+int(n)]
		b = b[w+int(n):]
		return v, true
	}
	var deadline time.Time
	dl, ok := bytesOf()
	if !ok || deadline.UnmarshalBinary(dl) != nil {
		return time.Time{}, nil, errBadSession
	}
	count, w := binary.Uvarint(b)
	if w <= 0 || count > uint64(len(b)) {
		return time.Time{}, nil, errBadSession
	}
	b = b[w:]
	values := make(map[string]any, count)
	for range count {
		k, ok := bytesOf()
		if !ok || len(b) == 0 {
			return time.Time{}, nil, errBadSession
		}
		kind := b[0]
		b = b[1:]
		switch kind {
		case kindString:
			v, ok := bytesOf()
			if !ok {
				return time.Time{}, nil, errBadSession
			}
			values[string(k)] = string(v)
		case kindInt64, kindInt:
			v, w := binary.Varint(b)
			if w <= 0 {
				return time.Time{}, nil, errBadSession
			}
			b = b[w:]
			if kind == kindInt {
				values[string(k)] = int(v)
			} else {
				values[string(k)] = v
			}
		case kindBool:
			if len(b) == 0 || b[0] > 1 {
				return time.Time{}, nil, errBadSession
			}
			values[string(k)] = b[0] == 1
			b = b[1:]
		default:
			return time.Time{}, nil, errBadSession
		}
	}
	if len(b) != 0 {
		return time.Time{}, nil, errBadSession
	}
	return deadline, values, nil
}
