package cluster

import (
	"bytes"
	"context"
	"log"
	"log/slog"
)

// newLogger returns a standard logger for memberlist that passes its lines
// ("[LEVEL] memberlist: message") to l at the matching level. DEBUG lines
// go to debug; memberlist's INFO lines (every probe and merge) too.
func newLogger(l *slog.Logger) *log.Logger {
	return log.New(&logWriter{l: l}, "", 0)
}

// logWriter turns memberlist's log lines into slog records.
type logWriter struct{ l *slog.Logger }

func (w *logWriter) Write(p []byte) (int, error) {
	line := bytes.TrimSpace(p)
	level := slog.LevelDebug
	for _, lv := range []struct {
		tag   string
		level slog.Level
	}{{"[ERR]", slog.LevelError}, {"[WARN]", slog.LevelWarn}, {"[INFO]", slog.LevelDebug}, {"[DEBUG]", slog.LevelDebug}} {
		if rest, ok := bytes.CutPrefix(line, []byte(lv.tag)); ok {
			level, line = lv.level, bytes.TrimSpace(rest)
			break
		}
	}
	line = bytes.TrimPrefix(line, []byte("memberlist: "))
	w.l.Log(context.Background(), level, string(line), "source", "memberlist")
	return len(p), nil
}
