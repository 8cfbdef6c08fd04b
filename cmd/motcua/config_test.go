package main

import "testing"

func TestPprofAddress(t *testing.T) {
	tests := []struct {
		addr string
		ok   bool
	}{
		{"", true},
		{"127.0.0.1:6060", true},
		{"localhost:0", true},
		{"[::1]:6060", true},
		{":6060", false},
		{"0.0.0.0:6060", false},
		{"192.0.2.1:6060", false},
		{"example.com:6060", false},
		{"6060", false},
	}
	for _, tt := range tests {
		_, _, err := parseConfig("serve", []string{"--pprof", tt.addr}, func(string) string { return "" }, (*Config).serveFlags)
		if (err == nil) != tt.ok {
			t.Errorf("serve --pprof %q: %v, want ok %v", tt.addr, err, tt.ok)
		}
	}
}
