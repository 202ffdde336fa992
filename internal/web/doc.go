// Package web is the local dashboard of runner: an HTTP server, started by
// `runner serve`, that shows a results database in the browser and answers
// a small JSON API under /api/ for the page and for scripts.
//
// # Pages
//
// The page is a single-page app (index.html, app.js, style.css under
// assets/, embedded in the binary, no dependency, nothing fetched from the
// internet) with three views, addressed by the URL's fragment:
//
//	#/                    the sweeps, newest first: name, when, status, runs done/total
//	#/sweeps/ID           a sweep: its learning curves, its runs (sortable,
//	                      filterable, selectable), the comparison of its
//	                      configurations over seeds, and its spec
//	#/sweeps/ID/runs/RID  the same with run RID's full config and epochs open
//
// The curves are SVG drawn by app.js: the training loss on a log axis and an
// accuracy, one line per selected run, or the mean over seeds per group,
// coloured by the hyperparameter the user picks. Every mean and standard
// deviation the page shows is computed by the server, with internal/report's
// functions, as runner compare computes them; app.js only draws and formats.
//
// A sweep of runs on objective functions (dataset "function") also shows
// their trajectories: each configuration's path over the filled contours
// of its function, in a panel of its own (or all in one panel per
// function). The function's values come from the server's grid, so its
// formula lives in internal/objective alone; its curves are the value
// f(x) and the distance to the nearest minimum, by step. A run that logged
// its layer statistics shows, in its drawer, the histogram of each hidden
// layer's activations at the epoch a slider picks.
//
// A search (random, halton: any search method but the grid) shows its
// trials (search.js): parallel coordinates with an axis per hyperparameter
// the experiment file varies (sweep.Dimensions; log where it is drawn
// log-uniformly, a choice's values) and one for the metric each run
// reached, lines coloured by it; dragging along an axis brushes a range,
// and the run table shows the runs inside every brush. Beside them, the
// metric against each hyperparameter, and runner analyze's importances,
// best ranges and boundary warnings.
//
// A learning-rate range test (runner lr-find, report.IsLRFind) has a page
// of its own (lrfind.js) instead of the curves, run table and comparison:
// the facts runner compare prints of it (report.LRSummary.Facts), its
// minibatch and smoothed loss against the rate on a log axis with the
// suggested rate and the lowest smoothed loss marked, as report's figure
// draws them, and its run's config. The sweeps list labels range tests
// and gives their suggested rate, not an accuracy.
//
// # API
//
// Every answer is JSON (but /api/events, a stream of server-sent events).
// A SWEEP in a path is a sweep id or a name, which means the latest sweep
// of that name, as `runner compare` reads it; RUN is a run id. Numbers that
// SQLite holds as NULL or ±Inf (a val_acc without a validation split, the
// loss of a diverged run) are null.
//
//	GET /api/status                     the database path, its schema version, the change counter
//	GET /api/sweeps[?name=N&limit=K]    the sweeps, newest first, with run counts by status
//	GET /api/sweeps/SWEEP               one sweep, with its spec (YAML) and overrides
//	GET /api/sweeps/SWEEP/runs          its runs: hyperparameters, status, final and best metrics
//	GET /api/sweeps/SWEEP/groups[?metric=M&best=B&vs=SWEEP2&alpha=A]
//	                                    mean ± sd over seeds per configuration, as runner compare
//	GET /api/sweeps/SWEEP/epochs[?runs=1,2,3|1-8,11]
//	                                    per-epoch metrics of its runs (all, or those listed:
//	                                    ids, and ranges of ids whose ends are runs of the
//	                                    sweep), and their mean ± sd per configuration and
//	                                    epoch (report.Summarize), which the curves draw
//	GET /api/sweeps/SWEEP/paths[?runs=1-4,7]
//	                                    the paths of its runs on objective functions (all, or
//	                                    those listed), step by step: x, y, value, distance; and
//	                                    per function a contour grid computed here with
//	                                    internal/objective (gridSize² values over its window,
//	                                    widened to show the paths), log-spaced levels, the minima
//	GET /api/sweeps/SWEEP/analysis[?metric=M]
//	                                    runner analyze's numbers: per hyperparameter its
//	                                    importance (PED-ANOVA), best range, bounds; the warnings
//	GET /api/sweeps/SWEEP/trials[?metric=M]
//	                                    the hyperparameters it varies (scale, bounds, choices)
//	                                    and per run its value of each and the metric it reached
//	GET /api/sweeps/SWEEP/lrfind        a range test: its facts as runner compare prints them,
//	                                    its curve step by step (rate, loss, smoothed loss),
//	                                    the lowest, steepest and stopping steps, the
//	                                    suggested rate, its run with its config
//	GET /api/runs/RUN                   one run: its summary and its full config
//	GET /api/runs/RUN/epochs            its per-epoch metrics (with the distance to the
//	                                    minimum, for a run on a function)
//	GET /api/runs/RUN/layers            its layer statistics (log_layers): per epoch, per
//	                                    hidden layer, mean, std, zeros, saturated, the
//	                                    histogram of the activations, the weights' RMS
//	GET /api/events                     server-sent events: "change" whenever the database changes
//
// Errors are {"error": "...", "status": N}: 400 for a malformed or unknown
// query parameter or id, 404 for a sweep or run that does not exist, 503
// while the database is missing or unreadable (with Retry-After).
//
// # Safety
//
// The database is opened with store.OpenReadOnly, whose connections SQLite
// refuses every write to; every statement is a constant of this package,
// request values reach SQLite only as bound parameters; the assets are an
// embedded file system, so no request can read another file. Each request
// stats the database file: a file that disappeared gives 503, and a file
// that was replaced (same path, another inode) is reopened. A request
// holds a lease on the connection pool it reads: a pool replaced by a
// reopen is closed only once the requests reading it are done. Errors are
// told apart by store.Classify: any error SQLite reports on the server's
// own statements means the database is not readable now (503). Responses carry
// a Content-Security-Policy that allows only the server's own scripts,
// styles and API; when the server listens on loopback it also refuses
// requests whose Host header is not a loopback name (DNS rebinding).
//
// # Live updates
//
// One goroutine (watch, started by Server.Run and stopped with its
// context) polls PRAGMA data_version on a connection of its own every
// Options.Poll; SQLite changes that number whenever another connection
// commits. On a change it bumps the server's change counter and wakes
// every /api/events stream, which sends the new counter; the page then
// refetches what it shows.
package web
