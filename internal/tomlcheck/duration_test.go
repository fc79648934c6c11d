package tomlcheck_test

import (
	"testing"
	"time"

	"github.com/gslb/gslb/internal/tomlcheck"
)

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		err  bool
	}{
		{"30s", 30 * time.Second, false},
		{"5m", 5 * time.Minute, false},
		{"1h30m", 90 * time.Minute, false},
		{"2d", 48 * time.Hour, false},
		{"1w", 7 * 24 * time.Hour, false},
		{"250ms", 250 * time.Millisecond, false},
		{"30", 0, true},
		{"", 0, true},
		{"1y", 0, true},
		{"-5s", 0, true},
		{"s", 0, true},
	}
	for _, tt := range tests {
		got, err := tomlcheck.ParseDuration(tt.in)
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}
