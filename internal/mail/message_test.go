package mail

import (
	"strings"
	"testing"
)

// E7: text bound for a header loses every line break and control character.
func TestHeaderText(t *testing.T) {
	cases := map[string]string{
		"Ada Lovelace":                         "Ada Lovelace",
		"Eve\r\nBcc: victim@evil.test":         "Eve Bcc: victim@evil.test",
		"Hi\nthere\r\r\n\tfriend":              "Hi there friend",
		"  padded  ":                           "padded",
		"Line\u2028sep":                        "Line sep",
		"Zero\x00byte":                         "Zero byte",
		strings.Repeat("ä", 300):               strings.Repeat("ä", 200),
		"Subject: x\r\n\r\n<script>x</script>": "Subject: x <script>x</script>",
	}
	for in, want := range cases {
		if got := HeaderText(in); got != want {
			t.Errorf("HeaderText(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCheckAddress(t *testing.T) {
	for _, ok := range []string{"a@example.test", "first.last+tag@sub.example.test"} {
		if err := CheckAddress(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "a", "a@example.test\r\nRCPT TO:<x@evil.test>", "Ann <a@example.test>", "a@example.test, b@example.test", "a@example.test>"} {
		if err := CheckAddress(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestMessageIDIsStablePerEmail(t *testing.T) {
	if got := MessageID(42, "rent.example.test:8080"); got != "email-42@rent.example.test" {
		t.Errorf("got %q", got)
	}
	if MessageID(42, "h") != MessageID(42, "h") || MessageID(42, "h") == MessageID(43, "h") {
		t.Error("Message-IDs must be the same per email and differ between emails")
	}
	if got := MessageID(1, ""); got != "email-1@rentdesk.invalid" {
		t.Errorf("got %q", got)
	}
}

// A right-to-left override (or any other bidirectional control) in a name is
// left out of a header, where it would make the rest of a subject read
// backwards; the letters of the name stay.
func TestHeaderTextLeavesOutBidiControls(t *testing.T) {
	cases := map[string]string{
		"New online booking R000001 from Eve\u202Egnp.exe":              "New online booking R000001 from Evegnp.exe",
		"\u202Bعلي\u202C booked":                                        "علي booked",
		"Ada\u2066 \u2067x\u2068y\u2069 \u200E\u200F\u061C\u202A\u202D": "Ada xy",
		"שלום Ada": "שלום Ada",
	}
	for in, want := range cases {
		if got := HeaderText(in); got != want {
			t.Errorf("HeaderText(%q) = %q, want %q", in, got, want)
		}
	}
}
