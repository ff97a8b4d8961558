package mipsim

import (
	"errors"
	"net"
	"net/http"
	"time"
)

// Server is a simulator served over HTTP on a loopback port of its own.
type Server struct {
	// URL is where it answers: http://127.0.0.1:<port>.
	URL    string
	server *http.Server
}

// Start serves the simulator on a free loopback port until Close; an
// error while serving, after the start, goes to onError.
func (s *Sim) Start(onError func(error)) (*Server, error) {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := &Server{URL: "http://" + listener.Addr().String(), server: &http.Server{Handler: s, ReadHeaderTimeout: 5 * time.Second}}
	go func() {
		if err := srv.server.Serve(listener); err != nil && !errors.Is(err, http.ErrServerClosed) {
			onError(err)
		}
	}()
	return srv, nil
}

// Close stops serving, closing the connections open.
func (s *Server) Close() error { return s.server.Close() }
