package testenv

import (
	"io"
	"net"
	"net/url"
	"path/filepath"
	"sync"
	"testing"
)

// DBProxy stands between the app and PostgreSQL on a loopback TCP port, so a
// test can take the database away (Down: every connection is cut and new ones
// are refused, as when the server stops) and give it back (Up).
type DBProxy struct {
	t               testing.TB
	network, target string // where PostgreSQL listens
	addr            string // where the proxy listens
	url             string

	mu    sync.Mutex
	ln    net.Listener
	conns map[net.Conn]struct{}
}

// NewDBProxy starts a proxy to the server of dbURL (a Unix socket directory in
// the host parameter, or host:port); URL is the same database through it.
func NewDBProxy(t testing.TB, dbURL string) *DBProxy {
	t.Helper()
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatalf("testenv: proxy: %v", err)
	}
	q := u.Query()
	port := q.Get("port")
	if port == "" {
		port = u.Port()
	}
	if port == "" {
		port = "5432"
	}
	p := &DBProxy{t: t, network: "tcp", target: net.JoinHostPort(u.Hostname(), port), conns: map[net.Conn]struct{}{}}
	if h := q.Get("host"); filepath.IsAbs(h) {
		p.network, p.target = "unix", filepath.Join(h, ".s.PGSQL."+port)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("testenv: proxy: %v", err)
	}
	p.addr = ln.Addr().String()
	q.Del("host")
	q.Del("port")
	u.Host, u.RawQuery = p.addr, q.Encode()
	p.url = u.String()
	p.serve(ln)
	t.Cleanup(p.Down)
	return p
}

// URL is the database URL through the proxy.
func (p *DBProxy) URL() string { return p.url }

// Down cuts every connection and refuses new ones.
func (p *DBProxy) Down() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		c.Close()
	}
	clear(p.conns)
}

// Up accepts connections again, on the same address.
func (p *DBProxy) Up() {
	p.t.Helper()
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		p.t.Fatalf("testenv: proxy up again: %v", err)
	}
	p.serve(ln)
}

func (p *DBProxy) serve(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go p.pipe(c)
		}
	}()
}

// pipe copies both ways between a client and the server until either side ends.
func (p *DBProxy) pipe(client net.Conn) {
	server, err := net.Dial(p.network, p.target)
	if err != nil {
		client.Close()
		return
	}
	if !p.track(client, server) {
		return
	}
	done := make(chan struct{}, 2)
	cp := func(dst, src net.Conn) {
		_, _ = io.Copy(dst, src)
		done <- struct{}{}
	}
	go cp(server, client)
	go cp(client, server)
	<-done
	client.Close()
	server.Close()
	p.mu.Lock()
	delete(p.conns, client)
	delete(p.conns, server)
	p.mu.Unlock()
}

// track registers a connection pair, or closes it when the proxy went down
// while it was being made.
func (p *DBProxy) track(client, server net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln == nil {
		client.Close()
		server.Close()
		return false
	}
	p.conns[client], p.conns[server] = struct{}{}, struct{}{}
	return true
}
