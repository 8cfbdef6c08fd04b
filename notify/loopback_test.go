package notify_test

import (
	"testing"

	"motcua/notify"
)

func TestSMTPLoopback(t *testing.T) {
	for _, tt := range []struct {
		host string
		want bool
	}{
		{"localhost", true},
		{"127.0.0.1", true},
		{"127.8.9.10", true},
		{"::1", true},
		{"mail.example.vn", false},
		{"203.0.113.7", false},
		{"localhost.example.vn", false},
	} {
		if got := notify.Loopback(tt.host); got != tt.want {
			t.Errorf("loopback(%q) = %v; want %v", tt.host, got, tt.want)
		}
	}
}
