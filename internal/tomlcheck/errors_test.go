package tomlcheck

import (
	"errors"
	"testing"
)

func TestErrorText(t *testing.T) {
	tests := []struct {
		e    Error
		want string
	}{
		{Error{Pos: Position{File: "a.toml", Line: 2, Col: 3}, Path: "ttl", Msg: "bad"}, "a.toml:2:3: ttl: bad"},
		{Error{Pos: Position{File: "a.toml"}, Msg: "bad"}, "a.toml: bad"},
		{Error{Msg: "read config: open x: no such file"}, "read config: open x: no such file"},
	}
	for _, tt := range tests {
		if got := tt.e.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
	// A plain error becomes one problem without an empty position prefix.
	if got := Errors(errors.New("read config: gone")).Error(); got != "read config: gone" {
		t.Errorf("Errors(plain).Error() = %q", got)
	}
}
