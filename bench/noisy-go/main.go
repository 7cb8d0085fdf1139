// Command noisy-go is a small HTTP service under fluctuating load, in one process, that
// captures its own pprof profiles over HTTP at fixed moments. It exists to produce real,
// noisy profile series (healthy and slowly leaking) on which a growth model has to tell
// load from leaks. Standard library only.
//
// One process runs:
//   - an HTTP server on 127.0.0.1 (port chosen by the OS) with /work (the service), /backend
//     (a second endpoint that /work sometimes calls over HTTP) and net/http/pprof;
//   - a worker pool that /work hands hashing jobs to, resized up and down every few seconds;
//   - a load generator with a request rate that changes about every second (5 to 150
//     requests/s, with occasional bursts) and a changing limit on requests in flight;
//   - a capture loop that fetches its own /debug/pprof endpoints every -interval, -moments
//     times, and records the ground truth of each moment in NAME.run.json.
//
// -scenario selects what leaks: healthy (nothing), goroutine-leak (1 /work request in 25
// starts a goroutine that waits forever on a channel kept in a package-level slice) or
// cache-leak (a random subset of /work requests stores 8-16 KiB in a package-level map that
// is never evicted).
//
// Files written into -out for each moment MM (01, 02, ...):
//
//	NAME-mMM-goroutine-debug2.txt   GET /debug/pprof/goroutine?debug=2
//	NAME-mMM-goroutine-debug0.pb.gz GET /debug/pprof/goroutine?debug=0
//	NAME-mMM-heap.pb.gz             GET /debug/pprof/heap
//	NAME-mMM-heap-gc.pb.gz          GET /debug/pprof/heap?gc=1
package main

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	_ "net/http/pprof" // registers /debug/pprof/ on http.DefaultServeMux
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// hardExit bounds the whole run, whatever happens.
const hardExit = 120 * time.Second

var scenario string

// The leaks. Both are package-level, so everything they hold stays reachable.
var (
	subsMu      sync.Mutex
	subscribers []chan struct{} // goroutine-leak: one channel per leaked goroutine

	cacheMu       sync.Mutex
	responseCache = map[uint64][]byte{} // cache-leak: never evicted
)

// Counters read by the capture loop for the ground truth.
var (
	leakedGoroutines atomic.Int64
	cacheBytes       atomic.Int64
	cacheEntries     atomic.Int64
	clientInFlight   atomic.Int64 // load generator requests not yet answered
	serverInFlight   atomic.Int64 // /work handlers running
	requestsStarted  atomic.Int64
	requestsDone     atomic.Int64
	requestsFailed   atomic.Int64
	requestsDropped  atomic.Int64 // not sent because the in-flight limit was reached
	backendCalls     atomic.Int64
	nextRequestID    atomic.Uint64
)

func main() {
	flag.StringVar(&scenario, "scenario", "healthy", "healthy, goroutine-leak or cache-leak")
	out := flag.String("out", ".", "directory for the captured files")
	name := flag.String("name", "", "file name prefix (default noisy-SCENARIO)")
	moments := flag.Int("moments", 12, "number of capture moments")
	interval := flag.Duration("interval", 5*time.Second, "time between capture moments")
	flag.Parse()
	switch scenario {
	case "healthy", "goroutine-leak", "cache-leak":
	default:
		fail(fmt.Errorf("unknown -scenario %q", scenario))
	}
	if *name == "" {
		*name = "noisy-" + scenario
	}
	if *moments < 1 || *moments > 99 || *interval <= 0 ||
		time.Duration(*moments+1)*(*interval) > hardExit-10*time.Second {
		fail(fmt.Errorf("-moments %d x -interval %v does not fit in %v", *moments, *interval, hardExit))
	}
	// A timer, not a goroutine: nothing of it shows in the goroutine dumps until it fires.
	time.AfterFunc(hardExit, func() {
		fmt.Fprintln(os.Stderr, "noisy-go: hard exit after", hardExit)
		os.Exit(2)
	})

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fail(err)
	}
	base := "http://" + ln.Addr().String()
	http.HandleFunc("/work", handleWork)
	http.HandleFunc("/backend", handleBackend)
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, IdleTimeout: 30 * time.Second}
	go srv.Serve(ln)

	start := time.Now()
	deadline := start.Add(time.Duration(*moments)*(*interval) + 2*time.Second)
	work.resize(8)
	go work.resizeLoop(deadline)
	go load.changeLoop(deadline)
	go load.run(base, deadline)

	capture(base, *out, *name, start, *moments, *interval)
	os.Exit(0)
}

// ---------------------------------------------------------------- the service

// handleWork is the service: variable latency, a response buffer of variable size,
// sometimes a call to /backend, sometimes a hashing job on the worker pool.
func handleWork(w http.ResponseWriter, r *http.Request) {
	serverInFlight.Add(1)
	defer serverInFlight.Add(-1)
	id, _ := strconv.ParseUint(r.URL.Query().Get("id"), 10, 64)

	buf := make([]byte, responseSize()) // transient: live only while the request is in flight
	fill(buf)
	time.Sleep(between(5*time.Millisecond, 300*time.Millisecond))
	if rand.IntN(10) < 3 {
		callBackend(r.Context(), selfURL(r))
	}
	if rand.IntN(2) == 0 {
		sum := work.hash(r.Context(), buf)
		w.Header().Set("X-Sum", fmt.Sprintf("%x", sum[:8]))
	}

	switch scenario {
	case "goroutine-leak":
		if rand.IntN(25) == 0 {
			subscribe()
		}
	case "cache-leak":
		if rand.IntN(4) == 0 {
			rememberResponse(id, buf)
		}
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(buf)))
	w.Write(buf)
}

// subscribe registers a listener for changes and never unregisters it: the channel stays in
// subscribers and nobody ever sends on it or closes it, so the goroutine waits forever.
//
//go:noinline
func subscribe() {
	ch := make(chan struct{})
	subsMu.Lock()
	subscribers = append(subscribers, ch)
	subsMu.Unlock()
	leakedGoroutines.Add(1)
	go waitForChange(ch)
}

func waitForChange(ch chan struct{}) {
	<-ch // blocks forever: the goroutine leak
}

// rememberResponse keeps 8-16 KiB of a response under a key that is never asked for again
// and never evicted.
//
//go:noinline
func rememberResponse(id uint64, body []byte) {
	entry := make([]byte, 8<<10+rand.IntN(8<<10+1)) // the cache leak's allocation site
	copy(entry, body)
	cacheMu.Lock()
	responseCache[id] = entry
	cacheMu.Unlock()
	cacheEntries.Add(1)
	cacheBytes.Add(int64(len(entry)))
}

// handleBackend is the second in-process endpoint: short latency, small body.
func handleBackend(w http.ResponseWriter, r *http.Request) {
	time.Sleep(between(2*time.Millisecond, 50*time.Millisecond))
	body := make([]byte, 1<<10+rand.IntN(31<<10))
	fill(body)
	w.Write(body)
}

// backendClient has its own transport, so its persistConn goroutines are separate from
// the load generator's.
var backendClient = &http.Client{
	Timeout: 2 * time.Second,
	Transport: &http.Transport{
		MaxIdleConnsPerHost: 4,
		IdleConnTimeout:     5 * time.Second,
	},
}

func callBackend(ctx context.Context, base string) {
	req, err := http.NewRequestWithContext(ctx, "GET", base+"/backend", nil)
	if err != nil {
		return
	}
	resp, err := backendClient.Do(req)
	if err != nil {
		return
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	backendCalls.Add(1)
}

// selfURL is this server's own address, as the client reached it.
func selfURL(r *http.Request) string { return "http://" + r.Host }

// responseSize is log-uniform between 512 B and 256 KiB, with an occasional 1-2 MiB body.
func responseSize() int {
	if rand.IntN(30) == 0 {
		return 1<<20 + rand.IntN(1<<20)
	}
	return int(512 * math.Exp2(rand.Float64()*9)) // 512 B * 2^9 = 256 KiB
}

func fill(b []byte) {
	for i := 0; i < len(b); i += 64 {
		b[i] = byte(i)
	}
}

func between(lo, hi time.Duration) time.Duration {
	return lo + time.Duration(rand.Int64N(int64(hi-lo)+1))
}

// ---------------------------------------------------------------- worker pool

type job struct {
	data []byte
	done chan [32]byte // buffered: a worker never waits for a handler that gave up
}

// pool is a worker pool whose size changes over time, as an autoscaled pool would.
type pool struct {
	jobs chan job
	quit chan struct{} // one token stops one worker
	mu   sync.Mutex
	size int
}

var work = &pool{jobs: make(chan job), quit: make(chan struct{}, 64)}

func (p *pool) resize(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for ; p.size < n; p.size++ {
		go p.worker()
	}
	for ; p.size > n; p.size-- {
		p.quit <- struct{}{}
	}
}

func (p *pool) worker() {
	for {
		select {
		case j := <-p.jobs:
			sum := sha256.Sum256(j.data)
			time.Sleep(between(time.Millisecond, 20*time.Millisecond)) // some I/O after the CPU part
			j.done <- sum
		case <-p.quit:
			return
		}
	}
}

// hash runs a job on the pool; a handler waits at most one second for a free worker.
func (p *pool) hash(ctx context.Context, data []byte) [32]byte {
	j := job{data: data, done: make(chan [32]byte, 1)}
	t := time.NewTimer(time.Second)
	defer t.Stop()
	select {
	case p.jobs <- j:
	case <-t.C:
		return [32]byte{}
	case <-ctx.Done():
		return [32]byte{}
	}
	return <-j.done
}

// resizeLoop moves the pool between 2 and 24 workers every 2-4 s until the deadline.
func (p *pool) resizeLoop(deadline time.Time) {
	for time.Now().Before(deadline) {
		p.resize(2 + rand.IntN(23))
		time.Sleep(between(2*time.Second, 4*time.Second))
	}
}

func (p *pool) workers() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.size
}

// ---------------------------------------------------------------- load generator

// loadGen drives /work with a rate and an in-flight limit that change about every second.
type loadGen struct {
	mu    sync.Mutex
	rate  float64 // requests per second
	limit int64   // most requests in flight; more are dropped
	burst bool
}

var load = &loadGen{rate: 20, limit: 16}

// loadClient keeps a changing number of idle connections: they expire after 3 s.
var loadClient = &http.Client{
	Timeout: 5 * time.Second,
	Transport: &http.Transport{
		MaxIdleConnsPerHost: 16,
		IdleConnTimeout:     3 * time.Second,
	},
}

func (l *loadGen) current() (float64, int64, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.rate, l.limit, l.burst
}

// changeLoop picks a new rate and in-flight limit every 0.7-1.5 s; about one change in
// ten is a short burst at 2-3 times the usual maximum.
func (l *loadGen) changeLoop(deadline time.Time) {
	for time.Now().Before(deadline) {
		rate, limit, burst := 5+rand.Float64()*145, int64(4+rand.IntN(45)), false
		hold := between(700*time.Millisecond, 1500*time.Millisecond)
		if rand.IntN(10) == 0 {
			rate, limit, burst = 200+rand.Float64()*200, int64(48+rand.IntN(49)), true
			hold = between(300*time.Millisecond, time.Second)
		}
		l.mu.Lock()
		l.rate, l.limit, l.burst = rate, limit, burst
		l.mu.Unlock()
		time.Sleep(hold)
	}
}

// run sends requests with exponential gaps (a Poisson arrival process at the current rate)
// until the deadline.
func (l *loadGen) run(base string, deadline time.Time) {
	for time.Now().Before(deadline) {
		rate, limit, _ := l.current()
		time.Sleep(time.Duration(rand.ExpFloat64() / rate * float64(time.Second)))
		if clientInFlight.Load() >= limit {
			requestsDropped.Add(1)
			continue
		}
		clientInFlight.Add(1)
		requestsStarted.Add(1)
		go request(base, nextRequestID.Add(1))
	}
}

func request(base string, id uint64) {
	defer clientInFlight.Add(-1)
	resp, err := loadClient.Get(base + "/work?id=" + strconv.FormatUint(id, 10))
	if err != nil {
		requestsFailed.Add(1)
		return
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	requestsDone.Add(1)
}

// ---------------------------------------------------------------- captures

// state is the ground truth of one moment, read just before the first capture of the
// moment (and again after the last one).
type state struct {
	Time             time.Time `json:"time"`
	ElapsedSeconds   float64   `json:"elapsed_s"`
	RequestRate      float64   `json:"request_rate"` // target rate at this instant, requests/s
	Burst            bool      `json:"burst"`
	InFlightLimit    int64     `json:"in_flight_limit"`
	InFlight         int64     `json:"in_flight"`        // load generator requests not yet answered
	InFlightServer   int64     `json:"in_flight_server"` // /work handlers running
	PoolWorkers      int       `json:"pool_workers"`
	NumGoroutine     int       `json:"num_goroutine"` // runtime.NumGoroutine()
	HeapAlloc        uint64    `json:"heap_alloc"`    // runtime.MemStats.HeapAlloc, bytes (includes garbage)
	LeakedGoroutines int64     `json:"leaked_goroutines"`
	CacheEntries     int64     `json:"cache_entries"`
	CacheBytes       int64     `json:"cache_bytes"`
	RequestsStarted  int64     `json:"requests_started"`
	RequestsDone     int64     `json:"requests_done"`
	RequestsFailed   int64     `json:"requests_failed"`
	RequestsDropped  int64     `json:"requests_dropped"`
	BackendCalls     int64     `json:"backend_calls"`
}

type moment struct {
	Moment int `json:"moment"`
	state
	After          state    `json:"after_captures"`
	AchievedRate   float64  `json:"achieved_rate"` // requests started per second since the previous moment
	CaptureSeconds float64  `json:"capture_s"`
	Files          []string `json:"files"`
}

type runRecord struct {
	Name       string   `json:"name"`
	Scenario   string   `json:"scenario"`
	GoVersion  string   `json:"go_version"`
	Start      string   `json:"start"`
	Interval   string   `json:"interval"`
	MemProfile int      `json:"mem_profile_rate"`
	Moments    []moment `json:"moments"`
}

func snapshot(start time.Time) state {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	rate, limit, burst := load.current()
	now := time.Now()
	return state{
		Time:             now.UTC(),
		ElapsedSeconds:   now.Sub(start).Seconds(),
		RequestRate:      float64(int(rate*10)) / 10,
		Burst:            burst,
		InFlightLimit:    limit,
		InFlight:         clientInFlight.Load(),
		InFlightServer:   serverInFlight.Load(),
		PoolWorkers:      work.workers(),
		NumGoroutine:     runtime.NumGoroutine(),
		HeapAlloc:        ms.HeapAlloc,
		LeakedGoroutines: leakedGoroutines.Load(),
		CacheEntries:     cacheEntries.Load(),
		CacheBytes:       cacheBytes.Load(),
		RequestsStarted:  requestsStarted.Load(),
		RequestsDone:     requestsDone.Load(),
		RequestsFailed:   requestsFailed.Load(),
		RequestsDropped:  requestsDropped.Load(),
		BackendCalls:     backendCalls.Load(),
	}
}

// captureClient opens a fresh connection per capture, as curl would.
var captureClient = &http.Client{
	Timeout:   20 * time.Second,
	Transport: &http.Transport{DisableKeepAlives: true},
}

var endpoints = []struct{ path, suffix string }{
	{"/debug/pprof/goroutine?debug=2", "goroutine-debug2.txt"},
	{"/debug/pprof/goroutine?debug=0", "goroutine-debug0.pb.gz"},
	{"/debug/pprof/heap", "heap.pb.gz"},
	{"/debug/pprof/heap?gc=1", "heap-gc.pb.gz"},
}

// capture takes the profiles at start+interval, start+2*interval, ... while the load runs.
func capture(base, dir, name string, start time.Time, moments int, interval time.Duration) {
	rec := runRecord{
		Name: name, Scenario: scenario, GoVersion: runtime.Version(),
		Start: start.UTC().Format(time.RFC3339Nano), Interval: interval.String(),
		MemProfile: runtime.MemProfileRate,
	}
	prevStarted, prevTime := int64(0), start
	for m := 1; m <= moments; m++ {
		time.Sleep(time.Until(start.Add(time.Duration(m) * interval)))
		mo := moment{Moment: m, state: snapshot(start)}
		mo.AchievedRate = float64(int(float64(mo.RequestsStarted-prevStarted)/mo.Time.Sub(prevTime).Seconds()*10)) / 10
		prevStarted, prevTime = mo.RequestsStarted, mo.Time
		for _, e := range endpoints {
			file := fmt.Sprintf("%s-m%02d-%s", name, m, e.suffix)
			fetch(base+e.path, filepath.Join(dir, file))
			mo.Files = append(mo.Files, file)
		}
		mo.After = snapshot(start)
		mo.CaptureSeconds = float64(int(mo.After.Time.Sub(mo.Time).Seconds()*1000)) / 1000
		rec.Moments = append(rec.Moments, mo)
		// Rewritten at every moment, so an interrupted run still leaves its ground truth.
		js, err := json.MarshalIndent(rec, "", "  ")
		if err != nil {
			fail(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name+".run.json"), append(js, '\n'), 0o644); err != nil {
			fail(err)
		}
		fmt.Printf("moment %02d  t=%5.1fs rate=%5.1f in-flight=%3d goroutines=%4d heap=%6.2f MiB leaked=%d cache=%.2f MiB\n",
			m, mo.ElapsedSeconds, mo.RequestRate, mo.InFlight, mo.NumGoroutine,
			float64(mo.HeapAlloc)/(1<<20), mo.LeakedGoroutines, float64(mo.CacheBytes)/(1<<20))
	}
}

// fetch writes the body of GET url to path exactly as served.
func fetch(url, path string) {
	resp, err := captureClient.Get(url)
	if err != nil {
		fail(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		fail(fmt.Errorf("GET %s: %s", url, resp.Status))
	}
	f, err := os.Create(path)
	if err != nil {
		fail(err)
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		fail(err)
	}
	if err := f.Close(); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "noisy-go:", err)
	os.Exit(1)
}
