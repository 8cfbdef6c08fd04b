package loadgen

import (
	"math"
	"math/bits"
	"time"
)

// subBuckets is the number of linear buckets in each power of two of a
// histogram: latencies are kept with a relative error below 1/128.
const (
	subBits    = 7
	subBuckets = 1 << subBits
)

// histogram counts durations in log-linear buckets of nanoseconds, as
// HdrHistogram does: values below 2·subBuckets exactly, each larger power
// of two in subBuckets equal parts, up to the largest time.Duration
// (2⁶³-1 ns). Its size is fixed whatever the count.
type histogram struct {
	counts [(63 - subBits + 1) * subBuckets]uint64
	total  uint64
	max    time.Duration
}

// bucket returns the index of the bucket that holds v ≥ 0.
func bucket(v uint64) int {
	e := max(bits.Len64(v)-subBits-1, 0)
	return e*subBuckets + int(v>>e)
}

// bucketMax returns the largest value that bucket i holds.
func bucketMax(i int) uint64 {
	e := max(i/subBuckets-1, 0)
	low := uint64(i-e*subBuckets) << e
	return low + 1<<e - 1
}

// record counts one duration.
func (h *histogram) record(d time.Duration) {
	h.counts[bucket(uint64(max(d, 0)))]++
	h.total++
	h.max = max(h.max, d)
}

// merge adds the counts of o to h.
func (h *histogram) merge(o *histogram) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.total += o.total
	h.max = max(h.max, o.max)
}

// quantile returns the smallest duration below or at which a fraction q
// of the recorded durations lie, to the precision of the buckets and
// never more than the largest recorded; 0 when nothing was recorded.
func (h *histogram) quantile(q float64) time.Duration {
	if h.total == 0 {
		return 0
	}
	rank := max(uint64(math.Ceil(q*float64(h.total))), 1)
	var seen uint64
	for i, c := range h.counts {
		if seen += c; seen >= rank {
			return min(time.Duration(bucketMax(i)), h.max)
		}
	}
	return h.max
}
