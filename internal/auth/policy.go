package auth

import (
	_ "embed"
	"strings"
	"unicode/utf8"
)

// Password length limits, counted in characters (not bytes) so multibyte
// passwords are treated fairly. No composition rules, per NIST SP 800-63B.
const (
	MinPasswordLen = 8
	MaxPasswordLen = 128
)

//go:embed common-passwords.txt
var commonPasswordsText string

// Policy checks new passwords.
type Policy struct{ common map[string]bool }

// NewPolicy loads the embedded common-password list.
func NewPolicy() *Policy {
	p := &Policy{common: map[string]bool{}}
	for _, line := range strings.Split(commonPasswordsText, "\n") {
		line = strings.TrimSpace(line)
		if line != "" && !strings.HasPrefix(line, "#") {
			p.common[strings.ToLower(line)] = true
		}
	}
	return p
}

// Check returns a message fit to show beside the password field, or "" when
// the password is acceptable. email and name are refused as passwords too.
func (p *Policy) Check(password, email, name string) string {
	n := utf8.RuneCountInString(password)
	switch {
	case n < MinPasswordLen:
		return "Use at least 8 characters."
	case n > MaxPasswordLen:
		return "Use at most 128 characters."
	case p.common[strings.ToLower(password)]:
		return "This password is too common; choose another."
	case email != "" && strings.EqualFold(password, email),
		name != "" && strings.EqualFold(password, name):
		return "Do not use your email or name as the password."
	}
	return ""
}
