// leaky-go: a small Go service that serves net/http/pprof and, with -leak, leaks on every
// request it handles: a goroutine that waits forever and the 64 KiB buffer it holds. It drives
// its own load (one request every -every), stops taking requests after -requests and exits
// after -lifetime, so a test or a demo never leaves it running.
//
//	go run ./examples/leaky-go -leak          # prints: listening on http://127.0.0.1:PORT
package main

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"sync"
	"time"
)

var (
	mu    sync.Mutex
	held  [][]byte
	never = make(chan struct{})
)

// handle is one request: with leak, it starts a goroutine that keeps a buffer and waits on a
// channel nobody closes.
func handle(leak bool) {
	if !leak {
		buf := make([]byte, 64<<10)
		_ = buf
		return
	}
	started := make(chan struct{})
	go func() {
		buf := make([]byte, 64<<10)
		mu.Lock()
		held = append(held, buf)
		mu.Unlock()
		close(started)
		<-never
	}()
	<-started
}

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "address to listen on (loopback)")
	leak := flag.Bool("leak", false, "leak a goroutine and 64 KiB per request")
	every := flag.Duration("every", 20*time.Millisecond, "time between two requests")
	requests := flag.Int("requests", 2000, "requests to handle, then stay idle")
	lifetime := flag.Duration("lifetime", 120*time.Second, "exit after this long")
	flag.Parse()

	listener, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("listening on http://%s\n", listener.Addr())
	go func() {
		for i := 0; i < *requests; i++ {
			handle(*leak)
			time.Sleep(*every)
		}
	}()
	go func() {
		time.Sleep(*lifetime)
		os.Exit(0)
	}()
	if err := http.Serve(listener, nil); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
