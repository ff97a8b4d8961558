package mip

import (
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// TestStopClosesIdleConnections checks a stopped plugin leaves no
// connection open: its transport keeps idle ones with no time limit
// (idle_conn_timeout is 0 unless set), and Telegraf makes new instances on
// a reload. (FuzzGatherResponse, one plugin an input, ran out of file
// descriptors after 10,000 inputs and was reported hung.)
func TestStopClosesIdleConnections(t *testing.T) {
	var mu sync.Mutex
	opened, open := 0, 0
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		writeBody(w, []byte(`{"results": [`+good+`]}`))
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		mu.Lock()
		defer mu.Unlock()
		switch s {
		case http.StateNew:
			opened++
			open++
		case http.StateClosed, http.StateHijacked:
			open--
		}
	}
	srv.Start()
	defer srv.Close()

	p := newPlugin(t, srv.URL)
	var acc flushingAccumulator
	p.Gather(&acc) //nolint:errcheck // only the connections matter here
	p.Stop()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		mu.Lock()
		n, made := open, opened
		mu.Unlock()
		if made == 0 {
			t.Fatal("the plugin made no request")
		}
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d connections left open after Stop", n, made)
		}
	}
}
