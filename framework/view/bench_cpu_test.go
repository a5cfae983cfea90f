//go:build unix

package view

import (
	"bytes"
	"syscall"
	"testing"
	"time"
)

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkRenderCPU compares the variants of BenchmarkRender with the
// baseline in one run and reports the ratio (gorails / baseline; the target
// is at most 1.25). It measures process CPU time (user + system, GC
// included) over alternating blocks of 200 renders of each side, so that on
// a machine shared with other processes, time spent waiting for a CPU
// counts for neither side.
func BenchmarkRenderCPU(b *testing.B) {
	data := benchItems()
	s := benchSet(b)
	base := baseline(b)
	const block = 200
	for _, tmpl := range []string{"index", "locals", "native"} {
		b.Run(tmpl, func(b *testing.B) {
			var buf bytes.Buffer
			var cBase, cView time.Duration
			o := Options{Controller: "items", Template: tmpl, Data: data}
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				n++
				if n%block != 0 {
					continue
				}
				c0 := cpuTime()
				for range block {
					buf.Reset()
					_ = base.ExecuteTemplate(&buf, "layout", data)
				}
				c1 := cpuTime()
				for range block {
					buf.Reset()
					_ = s.Render(&buf, o)
				}
				cBase, cView = cBase+c1-c0, cView+cpuTime()-c1
			}
			blocks := n / block
			if blocks == 0 || cBase == 0 {
				return
			}
			b.ReportMetric(float64(cBase.Nanoseconds())/float64(blocks*block), "baseline-cpu-ns/op")
			b.ReportMetric(float64(cView.Nanoseconds())/float64(blocks*block), "gorails-cpu-ns/op")
			b.ReportMetric(float64(cView)/float64(cBase), "ratio")
		})
	}
}
