package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"time"

	"runner/internal/web"
)

var serveCommand = &command{
	name:    "serve",
	summary: "a local dashboard over results.db, live while a sweep trains",
	usage: `usage: runner serve [--db results.db] [--addr 127.0.0.1:8080]

Serves a dashboard of the results database in the browser: the sweeps, a
sweep's runs (every hyperparameter, final and best metrics, sortable and
filterable), the loss and accuracy curves of the runs you select, coloured
by a hyperparameter you pick, the comparison of the configurations over
seeds (mean ± sd, as runner compare), and each run's full config. Open
pages update by themselves while a sweep writes the database.

The database is opened read-only: nothing the server is asked can change
it, and it may be written (run, run --resume, prune) while the server runs.
A JSON API under /api/ answers the same data for scripts: GET /api/sweeps,
/api/sweeps/SWEEP, /api/sweeps/SWEEP/runs, /api/sweeps/SWEEP/groups,
/api/sweeps/SWEEP/epochs?runs=1,2, /api/runs/RUN, /api/runs/RUN/epochs and
/api/events (server-sent events); README.md describes them.

By default the server listens on loopback only, so only this machine sees
the results. Give another address to share them on the network, such as
--addr 0.0.0.0:8080: runner then warns that anyone who can reach the
machine can read them. Port 0 picks a free port. Ctrl-C stops the server.

Exit codes: 0 stopped by Ctrl-C or SIGTERM after serving; 2 bad usage or an
address that cannot be listened on; 3 the database cannot be used.

`,
	flags: func(fs *flag.FlagSet) func(context.Context, *Main, []string) error {
		dbPath := dbFlag(fs, "the SQLite database to show (`path`), opened read-only")
		addr := fs.String("addr", "127.0.0.1:8080", "the `address` to listen on, host:port; a host other than loopback shares the results on the network")
		poll := fs.Duration("poll", time.Second, "how often to check the database for changes (`interval`)")
		return func(ctx context.Context, m *Main, rest []string) error {
			if len(rest) > 0 {
				return usageErrorf("serve: unexpected argument %q", rest[0])
			}
			if *poll < 10*time.Millisecond {
				return usageErrorf("serve: --poll must be at least 10ms (got %s)", *poll)
			}
			ln, err := net.Listen("tcp", *addr)
			if err != nil {
				return usageErrorf("serve: %v", err)
			}
			tcp, _ := ln.Addr().(*net.TCPAddr)
			loopback := tcp != nil && tcp.IP.IsLoopback()
			srv, err := web.New(ctx, web.Options{Path: *dbPath, Poll: *poll, LoopbackOnly: loopback})
			if err != nil {
				ln.Close()
				return withCode(exitDatabase, fmt.Errorf("serve: %w", err))
			}
			defer srv.Close()

			url := "http://" + ln.Addr().String() + "/"
			if loopback {
				fmt.Fprintf(m.Stdout, "runner serve: %s on %s (loopback only: this machine alone can see it)\n", *dbPath, url)
			} else {
				if tcp != nil && tcp.IP.IsUnspecified() {
					url = fmt.Sprintf("http://localhost:%d/", tcp.Port)
				}
				fmt.Fprintf(m.Stdout, "runner serve: %s on %s (listening on %s)\n", *dbPath, url, ln.Addr())
				fmt.Fprintf(m.Stderr, "runner serve: warning: listening on %s, not loopback: anyone who can reach this machine on the network can see the results\n", ln.Addr())
			}
			fmt.Fprintln(m.Stdout, "runner serve: press Ctrl-C to stop")
			if m.serveReady != nil {
				m.serveReady(url)
			}
			return srv.Serve(ctx, ln)
		}
	},
}
