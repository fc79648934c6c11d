package store

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	bolt "go.etcd.io/bbolt"

	"github.com/gslb/gslb/health"
)

// bucketOverrideLog holds a cluster node's replicated override log (see
// health.OverrideLog): per override key, the latest set or clear with its
// exact stamp (time and node).
var bucketOverrideLog = []byte("override-log")

// SaveOverrideLog stores the entries (replacing those of their keys) and
// deletes the entries of the keys in gone, in one transaction.
func (s *Store) SaveOverrideLog(entries []health.OverrideEntry, gone []health.OverrideKey) error {
	if len(entries) == 0 && len(gone) == 0 {
		return nil
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketOverrideLog)
		for _, k := range gone {
			if err := b.Delete(overrideKey(k)); err != nil {
				return fmt.Errorf("delete %s: %w", k, err)
			}
		}
		for _, e := range entries {
			v, err := json.Marshal(e)
			if err != nil {
				return fmt.Errorf("encode %s: %w", e.Key(), err)
			}
			if err := b.Put(overrideKey(e.Key()), v); err != nil {
				return fmt.Errorf("put %s: %w", e.Key(), err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("save %d override log entries to %s: %w", len(entries)+len(gone), s.path, err)
	}
	return nil
}

// LoadOverrideLog returns the stored override log entries, sorted by key.
// Records that cannot be decoded are skipped with a warning.
func (s *Store) LoadOverrideLog() ([]health.OverrideEntry, error) {
	var es []health.OverrideEntry
	err := s.db.View(func(tx *bolt.Tx) error {
		es = readOverrideLog(tx, s.log)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read the override log from %s: %w", s.path, err)
	}
	return es, nil
}

// readOverrideLog decodes the override log bucket, skipping bad records.
// A file written before the bucket existed has none.
func readOverrideLog(tx *bolt.Tx, log *slog.Logger) []health.OverrideEntry {
	b := tx.Bucket(bucketOverrideLog)
	if b == nil {
		return nil
	}
	var es []health.OverrideEntry
	_ = b.ForEach(func(k, v []byte) error {
		var e health.OverrideEntry
		if err := json.Unmarshal(v, &e); err != nil {
			log.Warn("skipping undecodable override log entry", "key", strings.ReplaceAll(string(k), "\x00", "|"), "error", err)
			return nil
		}
		es = append(es, e)
		return nil
	})
	slices.SortFunc(es, func(a, b health.OverrideEntry) int { return a.Key().Compare(b.Key()) })
	return es
}
