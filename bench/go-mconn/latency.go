package main

// The priority-latency workload, the same as bench/cases/priority-latency.ts gives ours:
// channels 1 and 4 (priorities 1 and 4) saturated with 64 KiB messages while channel 5
// (priority 5) carries a 64-byte probe every 10 ms. A probe carries the time it was due (a
// sender late to send it counts as latency), the time it was handed to Send, and its number;
// the sink reports every probe's one-way latency from each (both ends read the same clock, on
// one machine) and the bulk bytes received from the first probe to the last.

import (
	"bufio"
	"encoding/binary"
	"os"
	"sync/atomic"
	"time"

	"github.com/cometbft/cometbft/p2p/conn"
)

const (
	probeChannel = byte(5)
	probeSize    = 64
	probeEvery   = 10 * time.Millisecond
	bulkSize     = 64 << 10
	warmUp       = 500 * time.Millisecond
)

func latencyChannels() []*conn.ChannelDescriptor {
	return []*conn.ChannelDescriptor{
		{ID: 1, Priority: 1, SendQueueCapacity: 4, RecvMessageCapacity: mib},
		{ID: 4, Priority: 4, SendQueueCapacity: 4, RecvMessageCapacity: mib},
		{ID: probeChannel, Priority: 5, SendQueueCapacity: 100, RecvMessageCapacity: mib},
	}
}

// latencySink reports {"latencies":[µs…],"bulkBytes":N,"ms":T} once probe count−1 arrives.
func latencySink(count int, o options) {
	c := accept()
	var bulk, bulkAtFirst int64
	var first time.Time
	latencies := make([]float64, 0, count)
	transit := make([]float64, 0, count)
	var done atomic.Bool
	finished := make(chan struct{})
	onReceive := func(ch byte, msg []byte) {
		now := time.Now()
		if ch != probeChannel {
			bulk += int64(len(msg))
			return
		}
		due := int64(binary.LittleEndian.Uint64(msg[0:8]))
		seq := int(binary.LittleEndian.Uint32(msg[8:12]))
		if len(latencies) == 0 {
			first = now
			bulkAtFirst = bulk
		}
		latencies = append(latencies, float64(now.UnixNano()-due)/1e3)
		transit = append(transit, float64(now.UnixNano()-int64(binary.LittleEndian.Uint64(msg[16:24])))/1e3)
		if seq == count-1 && done.CompareAndSwap(false, true) {
			say(map[string]any{"latencies": latencies, "transit": transit, "bulkBytes": bulk - bulkAtFirst, "ms": float64(now.Sub(first).Microseconds()) / 1e3})
			close(finished)
		}
	}
	onError := func(r any) {
		if !done.Load() {
			fail("latency-sink: connection failed: %v", r)
		}
	}
	open(c, o, latencyChannels(), onReceive, onError)
	<-finished
}

// latencySend saturates channels 1 and 4 (when bulk), waits warmUp, then sends count probes.
func latencySend(port int, count int, bulk bool, o options) {
	var finished atomic.Bool
	m := open(dial(port), o, latencyChannels(), func(byte, []byte) {}, func(r any) {
		if !finished.Load() {
			fail("latency-send: connection failed: %v", r)
		}
	})
	say(map[string]bool{"ready": true})
	in := bufio.NewReader(os.Stdin)
	if _, err := in.ReadString('\n'); err != nil {
		return
	}
	if bulk {
		message := make([]byte, bulkSize)
		for _, ch := range []byte{1, 4} {
			go func(ch byte) {
				for m.IsRunning() {
					m.Send(ch, message)
				}
			}(ch)
		}
	}
	time.Sleep(warmUp)
	start := time.Now()
	for i := 0; i < count; i++ {
		due := start.Add(time.Duration(i) * probeEvery)
		time.Sleep(time.Until(due))
		probe := make([]byte, probeSize)
		binary.LittleEndian.PutUint64(probe[0:8], uint64(due.UnixNano()))
		binary.LittleEndian.PutUint32(probe[8:12], uint32(i))
		binary.LittleEndian.PutUint64(probe[16:24], uint64(time.Now().UnixNano()))
		if !m.Send(probeChannel, probe) {
			fail("latency-send: probe %d not queued", i)
		}
	}
	// Every probe is queued; the harness stops both ends once the sink reports (a reset from
	// then on is the end of the run, not a failure).
	finished.Store(true)
	_, _ = in.ReadString('\n')
}
