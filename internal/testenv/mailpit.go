package testenv

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// MailpitServer is a Mailpit started for one test, on free loopback ports,
// with its own database file; it is stopped when the test ends.
type MailpitServer struct {
	SMTPHost string
	SMTPPort int
	APIURL   string
	http     *http.Client
}

// Mailpit starts the Mailpit binary named by MAILPIT_BIN. Chaos mode is on,
// so a test can make it refuse mail with a chosen SMTP code (SetChaos).
func Mailpit(t testing.TB) *MailpitServer {
	t.Helper()
	bin := Require(t, "MAILPIT_BIN")
	dir := t.TempDir()
	client := &http.Client{Timeout: 10 * time.Second}
	ports := startOnFreePorts(t, "mailpit", 2, func(p []int) *exec.Cmd {
		return exec.Command(bin,
			"--smtp", fmt.Sprintf("127.0.0.1:%d", p[0]),
			"--listen", fmt.Sprintf("127.0.0.1:%d", p[1]),
			"--database", filepath.Join(dir, "mailpit.db"),
			"--max", "0", // keep every message: tests count them
			"--disable-version-check",
			"--smtp-disable-rdns",
			"--enable-chaos",
			"--quiet",
		)
	}, func(p []int) bool {
		m := &MailpitServer{APIURL: fmt.Sprintf("http://127.0.0.1:%d", p[1]), http: client}
		_, err := m.Messages(1)
		return err == nil && portOpen(p[0])
	})
	m := &MailpitServer{
		SMTPHost: "127.0.0.1", SMTPPort: ports[0],
		APIURL: fmt.Sprintf("http://127.0.0.1:%d", ports[1]),
		http:   client,
	}
	return m
}

// FreePort returns a loopback TCP port that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("testenv: free port: %v", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func portOpen(port int) bool {
	c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(port), time.Second)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

// MailAddress is an address as Mailpit reports it.
type MailAddress struct {
	Name    string `json:"Name"`
	Address string `json:"Address"`
}

// MailSummary is one message in Mailpit's list.
type MailSummary struct {
	ID        string        `json:"ID"`
	MessageID string        `json:"MessageID"`
	From      MailAddress   `json:"From"`
	To        []MailAddress `json:"To"`
	Subject   string        `json:"Subject"`
	Created   time.Time     `json:"Created"`
}

// MailAttachment is an attachment as Mailpit reports it.
type MailAttachment struct {
	PartID      string `json:"PartID"`
	FileName    string `json:"FileName"`
	ContentType string `json:"ContentType"`
	Size        int    `json:"Size"`
}

// MailMessage is one full message.
type MailMessage struct {
	ID          string           `json:"ID"`
	MessageID   string           `json:"MessageID"`
	From        MailAddress      `json:"From"`
	To          []MailAddress    `json:"To"`
	Subject     string           `json:"Subject"`
	Text        string           `json:"Text"`
	HTML        string           `json:"HTML"`
	Attachments []MailAttachment `json:"Attachments"`
}

// Messages lists up to limit messages, newest first, and the total count.
func (m *MailpitServer) Messages(limit int) ([]MailSummary, error) {
	var out struct {
		Total    int           `json:"total"`
		Messages []MailSummary `json:"messages"`
	}
	if err := m.call(http.MethodGet, "/api/v1/messages?limit="+strconv.Itoa(limit), nil, &out); err != nil {
		return nil, err
	}
	return out.Messages, nil
}

// Count returns how many messages Mailpit holds.
func (m *MailpitServer) Count() (int, error) {
	var out struct {
		Total int `json:"total"`
	}
	if err := m.call(http.MethodGet, "/api/v1/messages?limit=1", nil, &out); err != nil {
		return 0, err
	}
	return out.Total, nil
}

// Message fetches one message by Mailpit's id.
func (m *MailpitServer) Message(id string) (MailMessage, error) {
	var out MailMessage
	err := m.call(http.MethodGet, "/api/v1/message/"+id, nil, &out)
	return out, err
}

// Attachment fetches the bytes of one attachment of a message.
func (m *MailpitServer) Attachment(id, partID string) ([]byte, error) {
	res, err := m.http.Get(m.APIURL + "/api/v1/message/" + id + "/part/" + partID)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

// DeleteAll empties the mailbox.
func (m *MailpitServer) DeleteAll() error {
	return m.call(http.MethodDelete, "/api/v1/messages", nil, nil)
}

// SetChaos makes Mailpit answer MAIL FROM with code (a 4xx or 5xx) for every
// message; code 0 switches chaos off.
func (m *MailpitServer) SetChaos(code int) error {
	prob := 100
	if code == 0 {
		code, prob = 451, 0
	}
	body := map[string]any{"Sender": map[string]int{"ErrorCode": code, "Probability": prob}}
	return m.call(http.MethodPut, "/api/v1/chaos", body, nil)
}

// WaitCount waits until Mailpit holds at least n messages, or fails the test.
func (m *MailpitServer) WaitCount(t testing.TB, n int, timeout time.Duration) int {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		got, err := m.Count()
		if err == nil && got >= n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("testenv: mailpit holds %d messages after %s, want %d (err %v)", got, timeout, n, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// FindTo returns the newest message to an address, waiting for it to arrive.
func (m *MailpitServer) FindTo(t testing.TB, addr string, timeout time.Duration) MailMessage {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		list, err := m.Messages(200)
		if err == nil {
			for _, s := range list {
				for _, to := range s.To {
					if strings.EqualFold(to.Address, addr) {
						msg, err := m.Message(s.ID)
						if err != nil {
							t.Fatalf("testenv: get message: %v", err)
						}
						return msg
					}
				}
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("testenv: no message to %s after %s", addr, timeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (m *MailpitServer) call(method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, m.APIURL+path, body)
	if err != nil {
		return err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := m.http.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode/100 != 2 {
		b, _ := io.ReadAll(res.Body)
		return fmt.Errorf("mailpit %s %s: %s: %s", method, path, res.Status, b)
	}
	if out == nil {
		return nil
	}
	return json.NewDecoder(res.Body).Decode(out)
}

// MessageIDs pages through every message and counts them per Message-ID,
// returning the counts and the total number of messages.
func (m *MailpitServer) MessageIDs() (map[string]int, int, error) {
	ids := map[string]int{}
	total := 0
	for start := 0; ; start += 500 {
		var out struct {
			Total    int           `json:"total"`
			Messages []MailSummary `json:"messages"`
		}
		if err := m.call(http.MethodGet, fmt.Sprintf("/api/v1/messages?limit=500&start=%d", start), nil, &out); err != nil {
			return nil, 0, err
		}
		for _, s := range out.Messages {
			ids[s.MessageID]++
			total++
		}
		if len(out.Messages) < 500 {
			return ids, total, nil
		}
	}
}

// Headers returns the raw headers of a message.
func (m *MailpitServer) Headers(id string) (map[string][]string, error) {
	var out map[string][]string
	err := m.call(http.MethodGet, "/api/v1/message/"+id+"/headers", nil, &out)
	return out, err
}
