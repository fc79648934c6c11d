package monitor

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"
)

// BenchmarkSlots measures taking and giving back a probe slot, against
// the buffered channel the monitor used before: uncontended, and from
// parallel goroutines of 8 checks sharing 4 slots (every slot busy).
func BenchmarkSlots(b *testing.B) {
	ctx := context.Background()
	b.Run("fair/free", func(b *testing.B) {
		s := newSlots(64)
		s.setChecks(map[string]bool{"web": true})
		for b.Loop() {
			if _, err := s.acquire(ctx, "web"); err != nil {
				b.Fatal(err)
			}
			s.release("web")
		}
	})
	b.Run("chan/free", func(b *testing.B) {
		sem := make(chan struct{}, 64)
		for b.Loop() {
			sem <- struct{}{}
			<-sem
		}
	})
	checks := map[string]bool{}
	for i := range 8 {
		checks["c"+strconv.Itoa(i)] = true
	}
	b.Run("fair/contended", func(b *testing.B) {
		s := newSlots(4)
		s.setChecks(checks)
		var n atomic.Int64
		b.RunParallel(func(pb *testing.PB) {
			check := "c" + strconv.Itoa(int(n.Add(1))%8)
			for pb.Next() {
				if _, err := s.acquire(ctx, check); err != nil {
					b.Fatal(err)
				}
				s.release(check)
			}
		})
	})
	b.Run("chan/contended", func(b *testing.B) {
		sem := make(chan struct{}, 4)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				sem <- struct{}{}
				<-sem
			}
		})
	})
}
