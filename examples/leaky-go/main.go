// leaky-go: a small Go service that serves net/http/pprof and, with -leak, leaks on every
// request it handles: a goroutine that waits forever and the 64 KiB buffer it holds. It drives
// its own load (one request every -every), stops taking requests after -requests and exits
// after -lifetime, so a test or a demo never leaves it running.
//
//	go run ./examples/leaky-go -leak          # prints: listening on http://127.0.0.1:PORT
package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"flag"
	"fmt"
	"math/big"
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
	selfSigned := flag.Bool("tls", false, "serve https with a self-signed certificate")
	flag.Parse()

	listener, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	scheme := "http"
	if *selfSigned {
		listener = tls.NewListener(listener, &tls.Config{Certificates: []tls.Certificate{certificate()}})
		scheme = "https"
	}
	fmt.Printf("listening on %s://%s\n", scheme, listener.Addr())
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

// certificate is a self-signed one for 127.0.0.1, made at start: no client trusts it unless
// told to.
func certificate() tls.Certificate {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	template := x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "leaky-go"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, &template, &template, &key.PublicKey, key)
	if err != nil {
		panic(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}
