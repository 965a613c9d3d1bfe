package mail

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/mail"
	"net/textproto"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/rentdesk/rentdesk/internal/config"
)

// Sender sends one message; the SMTP Mailer is the real one.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// Mailer sends messages through an SMTP server, one connection per message:
// mail volume is small, and a fresh connection cannot be left half-broken by
// the previous message's failure.
type Mailer struct {
	cfg  config.SMTP
	from Address
	opts []gomail.Option
}

// NewMailer checks the settings and prepares a Mailer. It does not connect.
func NewMailer(cfg config.SMTP) (*Mailer, error) {
	if cfg.Host == "" {
		return nil, errors.New("mail: no SMTP host configured")
	}
	from, err := ParseFrom(cfg.From)
	if err != nil {
		return nil, err
	}
	connect := cfg.ConnectTimeout
	if connect <= 0 {
		connect = 10 * time.Second
	}
	opts := []gomail.Option{
		gomail.WithPort(cfg.Port),
		// go-mail applies this to the dial and to every SMTP command after it,
		// so a server that accepts and then stays silent cannot hang a worker.
		gomail.WithTimeout(connect),
	}
	switch cfg.TLS {
	case "tls":
		opts = append(opts, gomail.WithSSL())
	case "starttls":
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	}
	if cfg.Username != "" {
		// LOGIN and PLAIN are what Gmail (with an app password) and most
		// providers offer; go-mail picks the best one the server announces.
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(cfg.Username), gomail.WithPassword(cfg.Password))
	}
	return &Mailer{cfg: cfg, from: from, opts: opts}, nil
}

// From is the sender every message carries.
func (m *Mailer) From() Address { return m.from }

// Send delivers one message within the send timeout.
func (m *Mailer) Send(ctx context.Context, msg Message) error {
	gm, err := m.build(msg)
	if err != nil {
		return Permanent(err)
	}
	client, err := gomail.NewClient(m.cfg.Host, m.opts...)
	if err != nil {
		return Permanent(fmt.Errorf("mail: client: %w", err))
	}
	if m.cfg.SendTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, m.cfg.SendTimeout)
		defer cancel()
	}
	if err := client.DialAndSendWithContext(ctx, gm); err != nil {
		return classifySMTP(err)
	}
	return nil
}

// build turns a Message into a go-mail message. Every header value passes
// through HeaderText or CheckAddress first.
func (m *Mailer) build(msg Message) (*gomail.Msg, error) {
	if err := CheckAddress(msg.To.Email); err != nil {
		return nil, err
	}
	gm := gomail.NewMsg()
	// net/mail quotes and escapes a name as it writes the header, so a
	// double quote, a backslash or a comma in it stays part of the name
	// (go-mail's FromFormat and AddToFormat wrap it in quotes as it is,
	// which such a name breaks).
	gm.FromMailAddress(&mail.Address{Name: m.from.Name, Address: m.from.Email})
	gm.ToMailAddress(&mail.Address{Name: HeaderText(msg.To.Name), Address: msg.To.Email})
	gm.Subject(HeaderText(msg.Subject))
	if msg.ID != "" {
		gm.SetMessageIDWithValue(HeaderText(msg.ID))
	} else {
		gm.SetMessageID()
	}
	gm.SetDate()
	gm.SetBodyString(gomail.TypeTextPlain, msg.Text)
	if msg.HTML != "" {
		gm.AddAlternativeString(gomail.TypeTextHTML, msg.HTML)
	}
	for _, a := range msg.Attachments {
		gm.AttachReadSeeker(HeaderText(a.Name), bytes.NewReader(a.Data), gomail.WithFileContentType(gomail.ContentType(a.ContentType)))
	}
	return gm, nil
}

// PermanentError marks a failure that retrying cannot fix: the server refused
// the message or recipient for good (a 5xx reply), or the message is malformed.
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// Permanent wraps err as a PermanentError.
func Permanent(err error) error { return &PermanentError{Err: err} }

// IsPermanent reports whether a send error should not be retried.
func IsPermanent(err error) bool {
	var p *PermanentError
	return errors.As(err, &p)
}

// classifySMTP sorts a send failure. A 5xx reply to the message itself (MAIL
// FROM, RCPT TO, DATA) is permanent: the server will never take this message.
// A 5xx while connecting or logging in is not: that is our settings or the
// server being wrong, which an admin can fix, and the mail should be there
// when they do. Timeouts, 4xx and network errors are temporary.
func classifySMTP(err error) error {
	var se *gomail.SendError
	if errors.As(err, &se) {
		if code := se.ErrorCode(); code >= 500 && code < 600 {
			return Permanent(err)
		}
		if code := textprotoCode(err); code >= 500 && code < 600 && se.Reason != gomail.ErrConnCheck {
			return Permanent(err)
		}
		return err
	}
	return err
}

func textprotoCode(err error) int {
	var te *textproto.Error
	if errors.As(err, &te) {
		return te.Code
	}
	return 0
}
