package motcua

import "context"

// MailMessage is a plain-text e-mail to one address.
type MailMessage struct {
	To      string
	Subject string
	Text    string
}

// Mailer sends e-mail.
type Mailer interface {
	// Send sends m. Returns an error when the message was not accepted
	// for delivery.
	Send(ctx context.Context, m MailMessage) error
}
