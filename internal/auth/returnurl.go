package auth

import (
	"net/url"
	"strings"
)

// SafeReturnPath returns raw when it is a same-site relative path, else "/".
// It refuses scheme-relative (//evil.test), backslash tricks (/\evil.test),
// absolute URLs and javascript: — browsers treat \ like / in the authority.
func SafeReturnPath(raw string) string {
	if raw == "" || len(raw) > 2048 || raw[0] != '/' {
		return "/"
	}
	if len(raw) > 1 && (raw[1] == '/' || raw[1] == '\\') {
		return "/"
	}
	if strings.ContainsAny(raw, "\\\r\n\t\x00") {
		return "/"
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || !strings.HasPrefix(u.Path, "/") {
		return "/"
	}
	return raw
}
