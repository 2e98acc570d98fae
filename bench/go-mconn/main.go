// Command go-mconn is the far end and the near end of the Go baselines of the benchmark: two
// CometBFT MConnections (p2p/conn), over plain TCP on 127.0.0.1 or over CometBFT's
// SecretConnection on it, each end in its own process. It speaks JSON lines on stdout, like
// bench/peer.ts.
//
//	go-mconn sink -total N [-flush D] [-secret]    listens, prints {"port":N}; counts received
//	                                               message bytes, prints {"done":N} at N ≥ total
//	go-mconn send -port P -total N [-flush D] [-secret]
//	                                               dials, prints {"ready":true}; on a line on
//	                                               stdin, sends total bytes as 1 MiB messages
//	go-mconn latency-sink -count N [-flush D] [-secret]
//	go-mconn latency-send -port P -count N [-bulk] [-flush D] [-secret]
//	                                               the priority-latency workload (latency.go)
//
// Both ends run with rates unlimited and the given flush throttle (CometBFT's default is
// 100 ms); the bulk workload uses channel 1 with a send queue of 4.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"os"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/cometbft/cometbft/crypto/ed25519"
	"github.com/cometbft/cometbft/libs/log"
	"github.com/cometbft/cometbft/p2p/conn"
)

const (
	mib       = 1 << 20
	channelID = byte(1)
	unlimited = int64(1) << 40 // bytes per second: far above what loopback carries
)

func say(v any) {
	b, _ := json.Marshal(v)
	os.Stdout.Write(append(b, '\n'))
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "go-mconn: "+format+"\n", args...)
	os.Exit(1)
}

// options are the flags every mode shares.
type options struct {
	flush  time.Duration
	secret bool
}

// wrap runs CometBFT's SecretConnection handshake on c when asked to (a fresh Ed25519 key).
func wrap(c net.Conn, o options) net.Conn {
	if !o.secret {
		return c
	}
	sc, err := conn.MakeSecretConnection(c, ed25519.GenPrivKey())
	if err != nil {
		fail("secret handshake: %v", err)
	}
	return sc
}

// open wraps c in a started MConnection with the benchmark's configuration.
func open(c net.Conn, o options, channels []*conn.ChannelDescriptor, onReceive func(byte, []byte), onError func(any)) *conn.MConnection {
	cfg := conn.DefaultMConnConfig()
	cfg.SendRate = unlimited
	cfg.RecvRate = unlimited
	cfg.FlushThrottle = o.flush
	m := conn.NewMConnectionWithConfig(wrap(c, o), channels, onReceive, onError, cfg)
	m.SetLogger(log.NewNopLogger()) // the channels have no logger until one is set
	if err := m.Start(); err != nil {
		fail("start: %v", err)
	}
	return m
}

// accept listens on 127.0.0.1, prints the port, and takes one connection.
func accept() net.Conn {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fail("listen: %v", err)
	}
	say(map[string]int{"port": ln.Addr().(*net.TCPAddr).Port})
	c, err := ln.Accept()
	if err != nil {
		fail("accept: %v", err)
	}
	ln.Close()
	return c
}

func dial(port int) net.Conn {
	c, err := net.Dial("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		fail("dial: %v", err)
	}
	return c
}

func bulkChannels() []*conn.ChannelDescriptor {
	return []*conn.ChannelDescriptor{{ID: channelID, Priority: 1, SendQueueCapacity: 4, RecvMessageCapacity: 4 * mib}}
}

func sink(total int64, o options) {
	c := accept()
	var got int64
	var done atomic.Bool
	finished := make(chan struct{})
	onReceive := func(_ byte, msg []byte) {
		got += int64(len(msg)) // onReceive runs on the one receive goroutine
		if got >= total && done.CompareAndSwap(false, true) {
			say(map[string]int64{"done": got})
			close(finished)
		}
	}
	onError := func(r any) {
		if !done.Load() {
			fail("sink: connection failed after %d bytes: %v", got, r)
		}
	}
	open(c, o, bulkChannels(), onReceive, onError)
	<-finished
}

func send(port int, total int64, o options) {
	var finished atomic.Bool
	m := open(dial(port), o, bulkChannels(), func(byte, []byte) {}, func(r any) {
		if !finished.Load() {
			fail("send: connection failed: %v", r)
		}
	})
	msg := make([]byte, mib)
	for i := range msg {
		msg[i] = 7
	}
	say(map[string]bool{"ready": true})
	in := bufio.NewReader(os.Stdin)
	if _, err := in.ReadString('\n'); err != nil {
		return
	}
	for sent := int64(0); sent < total; sent += mib {
		if !m.Send(channelID, msg) {
			fail("send: Send returned false after %d bytes", sent)
		}
	}
	// The last messages are still queued: stay up until the harness closes stdin.
	finished.Store(true)
	_, _ = in.ReadString('\n')
}

func main() {
	if len(os.Args) < 2 {
		fail("usage: go-mconn sink|send|latency-sink|latency-send [flags]")
	}
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	total := fs.Int64("total", 256*mib, "bytes to transfer (sink, send)")
	count := fs.Int("count", 300, "latency probes (latency-sink, latency-send)")
	bulk := fs.Bool("bulk", true, "saturate channels 1 and 4 while probing (latency-send)")
	flush := fs.Duration("flush", 100*time.Millisecond, "MConnConfig.FlushThrottle")
	secret := fs.Bool("secret", false, "run the MConnection over SecretConnection")
	port := fs.Int("port", 0, "sink port (send, latency-send)")
	_ = fs.Parse(os.Args[2:])
	o := options{flush: *flush, secret: *secret}
	switch os.Args[1] {
	case "sink":
		sink(*total, o)
	case "send":
		send(*port, *total, o)
	case "latency-sink":
		latencySink(*count, o)
	case "latency-send":
		latencySend(*port, *count, *bulk, o)
	default:
		fail("unknown mode %q", os.Args[1])
	}
}
