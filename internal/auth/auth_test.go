package auth

import (
	"strings"
	"testing"
)

func TestHashVerify(t *testing.T) {
	h := NewHasher(DefaultParams)
	pw := strings.Repeat("ключ🔑пароль", 5) + "мой🔑ключ!" // 64 multibyte characters (W5)
	if n := len([]rune(pw)); n != 64 {
		t.Fatalf("test password has %d characters", n)
	}
	enc, err := h.Hash(pw)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(enc, "$argon2id$v=19$m=24576,t=2,p=1$") {
		t.Errorf("unexpected encoding %q", enc)
	}
	ok, rehash, err := h.Verify(pw, enc)
	if err != nil || !ok || rehash {
		t.Errorf("Verify(right) = %v, %v, %v", ok, rehash, err)
	}
	ok, _, err = h.Verify(pw+"x", enc)
	if err != nil || ok {
		t.Errorf("Verify(wrong) = %v, %v", ok, err)
	}
}

func TestParamsMeetOWASPMinimum(t *testing.T) {
	p := DefaultParams
	if p.Time < 2 || p.Memory < 19*1024 || p.Threads != 1 {
		t.Errorf("argon2id parameters below t>=2, m>=19MiB, p=1: %+v", p)
	}
}

func TestRehashWhenParamsRise(t *testing.T) {
	old := NewHasher(Params{Time: 2, Memory: 19 * 1024, Threads: 1, KeyLen: 32, SaltLen: 16})
	enc, err := old.Hash("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	ok, rehash, err := NewHasher(DefaultParams).Verify("correct horse battery", enc)
	if err != nil || !ok || !rehash {
		t.Errorf("Verify = %v, rehash %v, %v; want ok and rehash", ok, rehash, err)
	}
}

func TestVerifyMalformed(t *testing.T) {
	h := NewHasher(DefaultParams)
	for _, enc := range []string{"", "plain", "$argon2i$v=19$m=1,t=1,p=1$YQ$YQ", "$argon2id$v=19$m=x$YQ$YQ", "$argon2id$v=19$m=1,t=1,p=1$!!$YQ"} {
		if ok, _, err := h.Verify("x", enc); ok || err == nil {
			t.Errorf("Verify(%q) = %v, %v; want error", enc, ok, err)
		}
	}
}

func TestPolicy(t *testing.T) {
	p := NewPolicy()
	cases := []struct {
		pw   string
		want string // substring of the message, "" = accepted
	}{
		{"short", "at least 8"},
		{"1234567", "at least 8"},
		{"password", "too common"},
		{"PassWord1", "too common"},
		{"qwertyuiop", "too common"},
		{"ann@example.com", "email or name"},
		{"correct horse battery staple", ""},
		{"all lowercase words", ""}, // no composition rules (W6)
		{"ümlautß€", ""},
		{strings.Repeat("x", 129), "at most"},
	}
	for _, c := range cases {
		got := p.Check(c.pw, "ann@example.com", "Ann")
		if (c.want == "") != (got == "") || !strings.Contains(got, c.want) {
			t.Errorf("Check(%q) = %q, want %q", c.pw, got, c.want)
		}
	}
}

func TestSafeReturnPath(t *testing.T) {
	cases := map[string]string{
		"":                       "/",
		"/bookings/5":            "/bookings/5",
		"/catalog?q=lens&page=2": "/catalog?q=lens&page=2",
		"//evil.test":            "/",
		"/\\evil.test":           "/",
		"\\\\evil.test":          "/",
		"javascript:alert(1)":    "/",
		"https://evil.test/":     "/",
		"http:/evil.test":        "/",
		"/ok/../x":               "/ok/../x",
		"/%0d%0aSet-Cookie:x":    "/%0d%0aSet-Cookie:x",
		"/a\r\nLocation: //evil": "/",
		"evil.test":              "/",
		" /x":                    "/",
		"/\t/evil.test":          "/",
	}
	for in, want := range cases {
		if got := SafeReturnPath(in); got != want {
			t.Errorf("SafeReturnPath(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzSafeReturnPath(f *testing.F) {
	for _, s := range []string{"/", "//evil.test", "/\\evil.test", "javascript:x", "/a?b=c", "https://x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := SafeReturnPath(s)
		if got == "/" {
			return
		}
		if got != s || len(got) < 1 || got[0] != '/' || (len(got) > 1 && (got[1] == '/' || got[1] == '\\')) || strings.ContainsAny(got, "\\\r\n") {
			t.Fatalf("SafeReturnPath(%q) = %q is not a same-site path", s, got)
		}
	})
}
