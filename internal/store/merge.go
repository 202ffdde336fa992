package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"runner/internal/train"
)

// Shard says which slice of a sweep a sweeps row holds: `runner run
// --shard Index/Count` trains the runs of slice Index (0-based) of Count
// into a file of its own. UID, the sweep uid, is the same in every shard
// of one launch of the sweep (the Slurm array job, the Kubernetes Job), so
// that Merge knows which shards belong together.
type Shard struct {
	Index, Count int
	UID          string
}

// Validate reports whether the shard is one the store records: at least
// one shard, an index in 0 … Count−1 and a sweep uid.
func (s Shard) Validate() error {
	if s.Count < 1 || s.Index < 0 || s.Index >= s.Count || s.UID == "" {
		return fmt.Errorf("invalid shard %d/%d (uid %q)", s.Index, s.Count, s.UID)
	}
	return nil
}

// ShardPart is one shard of a merged sweep, as Merge records it in the
// sweeps.shards column (a JSON array of these, by index): how that shard's
// own sweep stood when it was merged.
type ShardPart struct {
	Index         int         `json:"index"`
	Status        SweepStatus `json:"status"`
	Host          string      `json:"host,omitempty"`
	RunnerVersion string      `json:"runner_version,omitempty"`
	StartedAt     string      `json:"started_at,omitempty"`
	FinishedAt    string      `json:"finished_at,omitempty"`
	RunsTotal     int         `json:"runs_total"`
}

// SetSweepShard records that the sweep is shard sh of a sharded sweep
// (after CreateSweep, whose runs are then the shard's only).
func (db *DB) SetSweepShard(ctx context.Context, sweepID int64, sh Shard) error {
	if err := sh.Validate(); err != nil {
		return fmt.Errorf("store: set shard of sweep %d: %w", sweepID, err)
	}
	res, err := db.db.ExecContext(ctx, `UPDATE sweeps SET sweep_uid = ?, shard_count = ?, shard_index = ?, shards = NULL WHERE id = ?`,
		sh.UID, sh.Count, sh.Index, sweepID)
	if err != nil {
		return fmt.Errorf("store: set shard of sweep %d: %w", sweepID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("store: set shard of sweep %d: %w", sweepID, err)
	} else if n == 0 {
		return fmt.Errorf("store: set shard of sweep %d: %w", sweepID, ErrNotFound)
	}
	return nil
}

// LatestShardSweep returns the most recently created sweep with the given
// name that is shard sh (the same uid, index and count), as SetSweepShard
// recorded it; with a nil sh, the latest sweep of that name that is not
// sharded at all. No such sweep is ErrNotFound.
func (db *DB) LatestShardSweep(ctx context.Context, name string, sh *Shard) (SweepRecord, error) {
	query, args := `SELECT id FROM sweeps WHERE name = ? AND shard_count IS NULL ORDER BY id DESC LIMIT 1`, []any{name}
	what := fmt.Sprintf("unsharded sweep %q", name)
	if sh != nil {
		query = `SELECT id FROM sweeps WHERE name = ? AND sweep_uid = ? AND shard_count = ? AND shard_index = ?
			ORDER BY id DESC LIMIT 1`
		args = append(args, sh.UID, sh.Count, sh.Index)
		what = fmt.Sprintf("sweep %q, shard %d/%d of %s", name, sh.Index, sh.Count, sh.UID)
	}
	var id int64
	err := db.db.QueryRowContext(ctx, query, args...).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return SweepRecord{}, fmt.Errorf("store: latest %s: %w", what, ErrNotFound)
	} else if err != nil {
		return SweepRecord{}, fmt.Errorf("store: latest %s: %w", what, err)
	}
	return db.Sweep(ctx, id)
}

// MergeOptions tune Merge.
type MergeOptions struct {
	// Order, when set, gives the position of every run of a sweep in the
	// sweep's order, by run key (nil when it does not know). The runs that
	// a merge adds to a sweep are inserted in that order, whichever
	// source they come from, so that their ids follow the sweep's order
	// as if one process had trained them. Without it, or for keys it does
	// not give, they follow the order of the sources.
	Order func(SweepRecord) map[string]int
	// DryRun does all the work in the transaction and rolls it back.
	DryRun bool
}

// MergeResult says what Merge did (or would do, in a dry run): one entry
// per sweep of the target that the sources went into, in the order met.
type MergeResult struct {
	Sweeps []MergedSweep
}

// MergedSweep is one sweep of the target after the merge.
type MergedSweep struct {
	ID         int64
	Name       string
	Created    bool // the merge created it
	Status     SweepStatus
	Runs       int         // its runs in the target
	ShardCount int         // 0 for a sweep that is not sharded
	Shards     []ShardPart // of a sharded sweep: the shards it holds, by index
	From       []MergeSource
}

// MergeSource is one sweep of a source file and what it brought.
type MergeSource struct {
	File    string
	SweepID int64 // in the source file
	Shards  []int // the shards it held; nil when not sharded
	// Added runs were new; Updated ones replaced a copy in the target that
	// had not finished; Unchanged ones were there with the same results;
	// Kept ones were there further along than in the source, which was
	// left aside (an older copy of the file).
	Added, Updated, Unchanged, Kept int
}

// Merge copies the sweeps of the source databases, with their runs, their
// epochs and their steps, into db, in one transaction: if anything fails,
// db is left as it was. Sources are only read, each in one read
// transaction (a consistent snapshot even while a runner writes it).
//
// A sweep of a source goes into the sweep of db that is the same sweep:
// for a sharded sweep, the one of the same name and sweep uid (the shards
// of one launch); for another sweep, the one of the same name, spec_hash,
// started_at and host, and not sharded. When there is none, a new sweep is
// created. Within it, runs are matched by run_key:
//
//   - a run that db lacks is added, with its epochs and steps;
//   - a run that db has with the same results (status, error, config, and
//     every epoch and step, times and seconds aside) is left alone, so
//     merging a file twice changes nothing;
//   - a run that db has unfinished (pending, running, interrupted) is
//     replaced by a source's copy that has finished or has more epochs, so
//     a shard merged while it ran, or before a resume, catches up;
//   - a run that db has finished is kept when the source's copy has not;
//   - a run finished in both with other results is a conflict: Merge fails.
//
// A sharded sweep of db holds the shards merged into it: its shards column
// lists them with how each shard's own sweep stood (the part of a source
// whose runs were all left aside as older is not taken either), and its
// status, runs_total, started_at, finished_at, host and runner_version are
// computed from them: done when all shard_count shards are there and done;
// failed, or else interrupted, when all are there and finished but one
// failed, or was interrupted; running otherwise (shards missing or still
// running). A sweep that is not sharded takes those columns from the last
// source that brought nothing older.
//
// Merge refuses, before writing anything, a source whose schema version
// or application_id differ from db's or that holds a table it does not
// know, and fails on a sweep that cannot be the same: a sweep uid shared
// by sweeps of another spec (spec_hash) or shard count.
func (db *DB) Merge(ctx context.Context, sources []*DB, opt MergeOptions) (MergeResult, error) {
	res, err := db.merge(ctx, sources, opt)
	if err != nil {
		return MergeResult{}, fmt.Errorf("store: merge into %s: %w", db.path, err)
	}
	return res, nil
}

// mergeTables are the tables Merge copies, parents first.
var mergeTables = []string{"sweeps", "runs", "epochs", "steps", "path", "layer_stats"}

// A row is one row of a table, by column name: int64, float64, string,
// []byte or nil, as database/sql reads them.
type row map[string]any

// srcSweep is one sweep of a source, with its runs, read in the source's
// read transaction.
type srcSweep struct {
	file   string
	tx     *sql.Tx // the source's
	row    row
	sweep  SweepRecord
	shards *sweepShards // nil when not sharded
	runs   []row
}

// sweepShards is what a sweeps row says of its shards.
type sweepShards struct {
	uid   string
	count int
	own   bool        // the row is one shard, trained in its file (shard_index is set)
	parts []ShardPart // by index
}

func (s *sweepShards) indices() []int {
	out := make([]int, len(s.parts))
	for i, p := range s.parts {
		out[i] = p.Index
	}
	return out
}

// merger is one Merge: the target's transaction and what it has prepared.
type merger struct {
	ctx   context.Context
	tx    *sql.Tx
	cols  map[string][]string // columns of each table, in order
	order func(SweepRecord) map[string]int
	stmts map[string]*sql.Stmt // by query; closed with the transaction
}

func (db *DB) merge(ctx context.Context, sources []*DB, opt MergeOptions) (MergeResult, error) {
	cols := map[string][]string{}
	for _, t := range mergeTables {
		c, err := tableColumns(ctx, db.db, t)
		if err != nil {
			return MergeResult{}, err
		}
		cols[t] = c
	}
	version, appID, err := schemaMarks(ctx, db.db)
	if err != nil {
		return MergeResult{}, err
	}

	// Read every source in a read transaction of its own, held to the end.
	var members []*srcSweep
	for _, src := range sources {
		if err := checkSource(ctx, src, version, appID, cols); err != nil {
			return MergeResult{}, fmt.Errorf("%s: %w", src.path, err)
		}
		tx, err := src.db.BeginTx(ctx, nil)
		if err != nil {
			return MergeResult{}, fmt.Errorf("%s: begin: %w", src.path, err)
		}
		defer tx.Rollback()
		ss, err := readSource(ctx, tx, src.path)
		if err != nil {
			return MergeResult{}, fmt.Errorf("%s: %w", src.path, err)
		}
		members = append(members, ss...)
	}

	// Group them by the sweep of the target they go into.
	var keys []string
	groups := map[string][]*srcSweep{}
	for _, s := range members {
		k := identity(s)
		if groups[k] == nil {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], s)
	}

	tx, err := db.db.BeginTx(ctx, nil) // BEGIN IMMEDIATE: the writer
	if err != nil {
		return MergeResult{}, fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	m := &merger{ctx: ctx, tx: tx, cols: cols, order: opt.Order, stmts: map[string]*sql.Stmt{}}
	var res MergeResult
	for _, k := range keys {
		ms, err := m.group(groups[k])
		if err != nil {
			return MergeResult{}, err
		}
		res.Sweeps = append(res.Sweeps, ms)
	}
	if opt.DryRun {
		return res, nil // the deferred Rollback undoes it
	}
	if err := tx.Commit(); err != nil {
		return MergeResult{}, fmt.Errorf("commit: %w", err)
	}
	return res, nil
}

// checkSource refuses a source that is not of db's schema: another
// user_version or application_id, other columns, or a table Merge would
// not copy.
func checkSource(ctx context.Context, src *DB, version, appID int, cols map[string][]string) error {
	v, a, err := schemaMarks(ctx, src.db)
	if err != nil {
		return err
	}
	if v != version || a != appID {
		return fmt.Errorf("schema version %d, application_id 0x%08x; the target has %d, 0x%08x: open both with the same runner (runner schema --migrate)",
			v, uint32(a), version, uint32(appID))
	}
	rows, err := src.db.QueryContext(ctx, `SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\'`)
	if err != nil {
		return fmt.Errorf("list tables: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return fmt.Errorf("list tables: %w", err)
		}
		if !slices.Contains(mergeTables, name) {
			return fmt.Errorf("it holds a table %q that merge does not copy", name)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("list tables: %w", err)
	}
	for _, t := range mergeTables {
		c, err := tableColumns(ctx, src.db, t)
		if err != nil {
			return err
		}
		if !slices.Equal(c, cols[t]) {
			return fmt.Errorf("table %s has the columns %s; the target's are %s", t, strings.Join(c, ", "), strings.Join(cols[t], ", "))
		}
	}
	return nil
}

func schemaMarks(ctx context.Context, db *sql.DB) (version, appID int, err error) {
	err = db.QueryRowContext(ctx, `SELECT (SELECT user_version FROM pragma_user_version),
		(SELECT application_id FROM pragma_application_id)`).Scan(&version, &appID)
	if err != nil {
		return 0, 0, fmt.Errorf("read schema version: %w", err)
	}
	return version, appID, nil
}

func tableColumns(ctx context.Context, db *sql.DB, table string) ([]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT name FROM pragma_table_info(?) ORDER BY cid`, table)
	if err != nil {
		return nil, fmt.Errorf("columns of %s: %w", table, err)
	}
	defer rows.Close()
	var cols []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, fmt.Errorf("columns of %s: %w", table, err)
		}
		cols = append(cols, c)
	}
	return cols, rows.Err()
}

// readSource reads the sweeps of a source and their runs; their epochs and
// steps are read run by run as they are merged.
func readSource(ctx context.Context, tx *sql.Tx, file string) ([]*srcSweep, error) {
	sweeps, err := queryRows(ctx, tx, `SELECT * FROM sweeps ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("read sweeps: %w", err)
	}
	var out []*srcSweep
	for _, r := range sweeps {
		id := r["id"].(int64)
		s := &srcSweep{file: file, tx: tx, row: r}
		if s.sweep, err = scanSweep(tx.QueryRowContext(ctx, `SELECT `+sweepColumns+` FROM sweeps WHERE id = ?`, id)); err != nil {
			return nil, fmt.Errorf("read sweep %d: %w", id, err)
		}
		if s.shards, err = shardsOf(r); err != nil {
			return nil, fmt.Errorf("sweep %d: %w", id, err)
		}
		if s.runs, err = queryRows(ctx, tx, `SELECT * FROM runs WHERE sweep_id = ? ORDER BY id`, id); err != nil {
			return nil, fmt.Errorf("read runs of sweep %d: %w", id, err)
		}
		out = append(out, s)
	}
	return out, nil
}

// shardsOf reads the shard columns of a sweeps row: nil for a sweep that is
// not sharded, one part for a shard's own sweep (from the row itself), the
// parts of its shards column for a merged sweep.
func shardsOf(r row) (*sweepShards, error) {
	count, ok := r["shard_count"].(int64)
	if !ok {
		return nil, nil
	}
	uid, _ := r["sweep_uid"].(string)
	if uid == "" {
		return nil, fmt.Errorf("sharded (shard_count %d) without a sweep_uid", count)
	}
	s := &sweepShards{uid: uid, count: int(count)}
	if index, ok := r["shard_index"].(int64); ok {
		s.own = true
		s.parts = []ShardPart{partOf(r, int(index))}
		return s, nil
	}
	text, _ := r["shards"].(string)
	if text != "" {
		if err := json.Unmarshal([]byte(text), &s.parts); err != nil {
			return nil, fmt.Errorf("decode shards %q: %w", text, err)
		}
	}
	for i, p := range s.parts {
		if p.Index < 0 || p.Index >= s.count || (i > 0 && p.Index <= s.parts[i-1].Index) {
			return nil, fmt.Errorf("shards %q: index %d out of order or range (shard_count %d)", text, p.Index, s.count)
		}
	}
	return s, nil
}

// partOf describes a shard's own sweep row as a part of a merged sweep.
func partOf(r row, index int) ShardPart {
	text := func(c string) string { s, _ := r[c].(string); return s }
	total, _ := r["runs_total"].(int64)
	return ShardPart{Index: index, Status: SweepStatus(text("status")), Host: text("host"), RunnerVersion: text("runner_version"),
		StartedAt: text("started_at"), FinishedAt: text("finished_at"), RunsTotal: int(total)}
}

// identity is the key under which sweeps of the sources are the same sweep.
func identity(s *srcSweep) string {
	if s.shards != nil {
		return fmt.Sprintf("uid\x00%s\x00%s", s.shards.uid, s.sweep.Name)
	}
	return fmt.Sprintf("sweep\x00%s\x00%v\x00%v\x00%v", s.sweep.Name, s.row["spec_hash"], s.row["started_at"], s.row["host"])
}

// describe names a sweep of a source in errors.
func (s *srcSweep) describe() string {
	d := fmt.Sprintf("%s: sweep %q (id %d", s.file, s.sweep.Name, s.row["id"])
	if s.shards != nil {
		if s.shards.own {
			d += fmt.Sprintf(", shard %d/%d", s.shards.parts[0].Index, s.shards.count)
		} else {
			d += fmt.Sprintf(", merged shards %v of %d", s.shards.indices(), s.shards.count)
		}
		d += fmt.Sprintf(" of sweep uid %q", s.shards.uid)
	}
	return d + ")"
}

// group merges the source sweeps that are one sweep of the target.
func (m *merger) group(members []*srcSweep) (MergedSweep, error) {
	first := members[0]
	targetID, created, err := m.target(first)
	if err != nil {
		return MergedSweep{}, err
	}
	target, err := m.sweepRow(targetID)
	if err != nil {
		return MergedSweep{}, err
	}
	var shards *sweepShards
	if first.shards != nil {
		shards = &sweepShards{uid: first.shards.uid, count: first.shards.count}
		if !created {
			if shards, err = shardsOf(target); err != nil {
				return MergedSweep{}, fmt.Errorf("target sweep %d: %w", targetID, err)
			}
		}
	}
	for _, s := range members {
		if err := agree(s, target, targetID); err != nil {
			return MergedSweep{}, err
		}
	}

	// The runs of all members, in the sweep's order.
	type item struct {
		pos, member int
		run         row
	}
	var pos map[string]int
	if m.order != nil {
		pos = m.order(first.sweep)
	}
	var items []item
	for i, s := range members {
		for _, r := range s.runs {
			p, ok := pos[r["run_key"].(string)]
			if !ok {
				p = len(pos)
			}
			items = append(items, item{p, i, r})
		}
	}
	sort.SliceStable(items, func(a, b int) bool {
		if items[a].pos != items[b].pos {
			return items[a].pos < items[b].pos
		}
		return items[a].member < items[b].member
	})
	from := make([]MergeSource, len(members))
	for i, s := range members {
		from[i] = MergeSource{File: s.file, SweepID: s.row["id"].(int64)}
		if s.shards != nil {
			from[i].Shards = s.shards.indices()
		}
	}
	for _, it := range items {
		s := members[it.member]
		outcome, err := m.run(targetID, s, it.run)
		if err != nil {
			return MergedSweep{}, fmt.Errorf("%s, run %s: %w", s.describe(), it.run["run_key"], err)
		}
		f := &from[it.member]
		switch outcome {
		case added:
			f.Added++
		case updated:
			f.Updated++
		case unchanged:
			f.Unchanged++
		case kept:
			f.Kept++
		}
	}

	// The sweep's own columns.
	set := row{}
	if shards != nil {
		for i, s := range members {
			for _, p := range s.shards.parts {
				k := slices.IndexFunc(shards.parts, func(q ShardPart) bool { return q.Index == p.Index })
				switch {
				case k < 0:
					shards.parts = append(shards.parts, p)
				case from[i].Kept == 0:
					shards.parts[k] = p
				}
			}
		}
		slices.SortFunc(shards.parts, func(a, b ShardPart) int { return a.Index - b.Index })
		set, err = shardedColumns(shards)
		if err != nil {
			return MergedSweep{}, err
		}
	} else {
		for i, s := range members {
			if (i > 0 || !created) && from[i].Kept == 0 {
				for _, c := range []string{"status", "finished_at", "runs_total", "host", "runner_version"} {
					set[c] = s.row[c]
				}
			}
		}
	}
	if err := m.update("sweeps", targetID, target, set); err != nil {
		return MergedSweep{}, err
	}

	ms := MergedSweep{ID: targetID, Name: first.sweep.Name, Created: created, From: from}
	err = m.tx.QueryRowContext(m.ctx, `SELECT coalesce(status, ''), (SELECT count(*) FROM runs WHERE sweep_id = sweeps.id)
		FROM sweeps WHERE id = ?`, targetID).Scan(&ms.Status, &ms.Runs)
	if err != nil {
		return MergedSweep{}, fmt.Errorf("read sweep %d of the target: %w", targetID, err)
	}
	if shards != nil {
		ms.ShardCount, ms.Shards = shards.count, shards.parts
	}
	return ms, nil
}

// target finds the sweep of the target that s goes into, or creates it as
// a copy of s's row.
func (m *merger) target(s *srcSweep) (id int64, created bool, err error) {
	var rows *sql.Rows
	if s.shards != nil {
		rows, err = m.tx.QueryContext(m.ctx, `SELECT id FROM sweeps WHERE sweep_uid = ? AND name = ? ORDER BY id`,
			s.shards.uid, s.sweep.Name)
	} else {
		rows, err = m.tx.QueryContext(m.ctx, `SELECT id FROM sweeps WHERE shard_count IS NULL AND name = ?
			AND spec_hash IS ? AND started_at IS ? AND host IS ? ORDER BY id`,
			s.sweep.Name, s.row["spec_hash"], s.row["started_at"], s.row["host"])
	}
	if err != nil {
		return 0, false, fmt.Errorf("find the sweep of %s: %w", s.describe(), err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, false, fmt.Errorf("find the sweep of %s: %w", s.describe(), err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, false, fmt.Errorf("find the sweep of %s: %w", s.describe(), err)
	}
	switch len(ids) {
	case 0:
	case 1:
		return ids[0], false, nil
	default:
		return 0, false, fmt.Errorf("%s: the target holds %d sweeps it could be (ids %v); merge into a new file", s.describe(), len(ids), ids)
	}
	copied := without(s.row, "id")
	if s.shards != nil { // filled in from the parts when the group is merged
		copied["shard_index"], copied["shards"] = nil, nil
	}
	id, err = m.insert("sweeps", copied)
	if err != nil {
		return 0, false, fmt.Errorf("copy %s: %w", s.describe(), err)
	}
	return id, true, nil
}

// agree checks that s can be the sweep targetID of the target: the same
// spec and, sharded, the same shard count.
func agree(s *srcSweep, target row, targetID int64) error {
	if !sameValue(s.row["spec_hash"], target["spec_hash"]) {
		return fmt.Errorf("%s: its spec differs from that of the same sweep in the target (sweep %d): spec_hash %v, the target's %v;"+
			" the shards of one sweep must train the same file with the same --set (was the file changed between shards?)",
			s.describe(), targetID, short(s.row["spec_hash"]), short(target["spec_hash"]))
	}
	if s.shards != nil && !sameValue(int64(s.shards.count), target["shard_count"]) {
		return fmt.Errorf("%s: split into %d shards, the same sweep in the target (sweep %d) into %v",
			s.describe(), s.shards.count, targetID, target["shard_count"])
	}
	return nil
}

// short shortens a hash for a message.
func short(v any) any {
	if s, ok := v.(string); ok && len(s) > 16 {
		return s[:16] + "…"
	}
	return v
}

// shardedColumns computes the columns of a sharded sweep from its parts.
func shardedColumns(s *sweepShards) (row, error) {
	status := SweepRunning
	final := len(s.parts) == s.count
	failed, interrupted := false, false
	var hosts, versions []string
	var started, finished string
	total := 0
	for _, p := range s.parts {
		switch p.Status {
		case SweepDone:
		case SweepFailed:
			failed = true
		case SweepInterrupted:
			interrupted = true
		default:
			final = false
		}
		if p.Host != "" && !slices.Contains(hosts, p.Host) {
			hosts = append(hosts, p.Host)
		}
		if p.RunnerVersion != "" && !slices.Contains(versions, p.RunnerVersion) {
			versions = append(versions, p.RunnerVersion)
		}
		if p.StartedAt != "" && (started == "" || p.StartedAt < started) {
			started = p.StartedAt
		}
		finished = max(finished, p.FinishedAt)
		total += p.RunsTotal
	}
	switch {
	case final && failed:
		status = SweepFailed
	case final && interrupted:
		status = SweepInterrupted
	case final:
		status = SweepDone
	}
	parts, err := json.Marshal(s.parts)
	if err != nil {
		return nil, fmt.Errorf("encode shards: %w", err)
	}
	set := row{
		"status":         string(status),
		"runs_total":     int64(total),
		"started_at":     nullText(started),
		"finished_at":    nil,
		"host":           nullText(strings.Join(hosts, ", ")),
		"runner_version": nullText(strings.Join(versions, ", ")),
		"sweep_uid":      s.uid,
		"shard_count":    int64(s.count),
		"shard_index":    nil,
		"shards":         string(parts),
	}
	if status != SweepRunning {
		set["finished_at"] = nullText(finished)
	}
	return set, nil
}

// The outcomes of merging one run.
const (
	added = iota
	updated
	unchanged
	kept
)

// run merges one run of the source sweep s into the sweep targetID.
func (m *merger) run(targetID int64, s *srcSweep, r row) (int, error) {
	src, err := readHistory(m.ctx, s.tx, r["id"].(int64))
	if err != nil {
		return 0, fmt.Errorf("read the source: %w", err)
	}
	have, err := queryRows(m.ctx, m.tx, `SELECT * FROM runs WHERE sweep_id = ? AND run_key = ?`, targetID, r["run_key"])
	if err != nil {
		return 0, err
	}
	if len(have) == 0 {
		copied := without(r, "id")
		copied["sweep_id"] = targetID
		id, err := m.insert("runs", copied)
		if err != nil {
			return 0, err
		}
		return added, m.insertHistory(id, src)
	}
	old := have[0]
	id := old["id"].(int64)
	oldHistory, err := readHistory(m.ctx, m.tx, id)
	if err != nil {
		return 0, err
	}
	if sameRows(old, r, "id", "sweep_id", "started_at", "finished_at") && oldHistory.same(src) {
		return unchanged, nil
	}
	oldDone := train.Status(fmt.Sprint(old["status"])).Finished()
	srcDone := train.Status(fmt.Sprint(r["status"])).Finished()
	switch {
	case oldDone && srcDone:
		return 0, fmt.Errorf("finished %v in both, with other results (the target's sweep %d, run %d): two launches with one sweep uid?"+
			" Give each launch its own RUNNER_SWEEP_UID, or merge them into separate files", r["status"], targetID, id)
	case oldDone || (!srcDone && len(src.epochs()) <= len(oldHistory.epochs())):
		return kept, nil
	}
	if err := m.update("runs", id, old, without(r, "id", "sweep_id")); err != nil {
		return 0, err
	}
	if err := m.deleteHistory(id); err != nil {
		return 0, fmt.Errorf("replace run %d: %w", id, err)
	}
	return updated, m.insertHistory(id, src)
}

// historyTables are the tables that hold a run's history, by run_id, each
// with the order its rows are read in. A merged run takes all of them.
var historyTables = []struct{ table, order string }{
	{"epochs", "epoch"}, {"steps", "step"}, {"path", "step"}, {"layer_stats", "epoch, layer"},
}

// history is a run's rows of each of historyTables, in that order.
type history [][]row

// readHistory reads the history of a run.
func readHistory(ctx context.Context, q querier, runID int64) (history, error) {
	h := make(history, len(historyTables))
	for i, t := range historyTables {
		var err error
		if h[i], err = queryRows(ctx, q, `SELECT * FROM `+t.table+` WHERE run_id = ? ORDER BY `+t.order, runID); err != nil {
			return nil, fmt.Errorf("%s of run %d: %w", t.table, runID, err)
		}
	}
	return h, nil
}

// epochs returns the history's epochs rows.
func (h history) epochs() []row { return h[0] }

// same reports whether two histories hold the same rows, the epochs'
// timings aside.
func (h history) same(other history) bool {
	for i, t := range historyTables {
		ignore := []string{"run_id"}
		if t.table == "epochs" {
			ignore = append(ignore, "seconds", "eval_seconds")
		}
		if !sameHistory(h[i], other[i], ignore...) {
			return false
		}
	}
	return true
}

// deleteHistory deletes the history of a run of the target.
func (m *merger) deleteHistory(runID int64) error {
	for i := len(historyTables) - 1; i >= 0; i-- {
		if _, err := m.tx.ExecContext(m.ctx, `DELETE FROM `+historyTables[i].table+` WHERE run_id = ?`, runID); err != nil {
			return err
		}
	}
	return nil
}

func (m *merger) insertHistory(runID int64, h history) error {
	for i, t := range historyTables {
		for _, r := range h[i] {
			copied := without(r)
			copied["run_id"] = runID
			if _, err := m.insert(t.table, copied); err != nil {
				return err
			}
		}
	}
	return nil
}

// sweepRow reads a sweep of the target.
func (m *merger) sweepRow(id int64) (row, error) {
	rows, err := queryRows(m.ctx, m.tx, `SELECT * FROM sweeps WHERE id = ?`, id)
	if err == nil && len(rows) == 0 {
		err = ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("read sweep %d of the target: %w", id, err)
	}
	return rows[0], nil
}

// insert inserts r into table, its columns in the table's order, and
// returns the new rowid.
func (m *merger) insert(table string, r row) (int64, error) {
	var cols, marks []string
	var args []any
	for _, c := range m.cols[table] {
		if v, ok := r[c]; ok {
			cols, marks, args = append(cols, c), append(marks, "?"), append(args, v)
		}
	}
	stmt, err := m.prepare(fmt.Sprintf(`INSERT INTO %s (%s) VALUES (%s)`, table,
		strings.Join(cols, ", "), strings.Join(marks, ", ")))
	if err != nil {
		return 0, fmt.Errorf("insert into %s: %w", table, err)
	}
	res, err := stmt.ExecContext(m.ctx, args...)
	if err != nil {
		return 0, fmt.Errorf("insert into %s: %w", table, err)
	}
	if table == "steps" || table == "path" || table == "layer_stats" {
		return 0, nil // WITHOUT ROWID
	}
	return res.LastInsertId()
}

// prepare returns the statement of query on the transaction, prepared once.
func (m *merger) prepare(query string) (*sql.Stmt, error) {
	if stmt, ok := m.stmts[query]; ok {
		return stmt, nil
	}
	stmt, err := m.tx.PrepareContext(m.ctx, query)
	if err != nil {
		return nil, err
	}
	m.stmts[query] = stmt
	return stmt, nil
}

// update sets the columns of set on the row id of table (sweeps or runs),
// which holds old, writing nothing when it already holds those values.
func (m *merger) update(table string, id int64, old, set row) error {
	var assign []string
	var args []any
	for _, c := range m.cols[table] {
		if v, ok := set[c]; ok && !sameValue(v, old[c]) {
			assign, args = append(assign, c+" = ?"), append(args, v)
		}
	}
	if len(assign) == 0 {
		return nil
	}
	_, err := m.tx.ExecContext(m.ctx, fmt.Sprintf(`UPDATE %s SET %s WHERE id = ?`, table, strings.Join(assign, ", ")),
		append(args, id)...)
	if err != nil {
		return fmt.Errorf("update %s %d: %w", table, id, err)
	}
	return nil
}

// querier is a *sql.DB or a *sql.Tx.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// queryRows returns every row a query selects, by column name.
func queryRows(ctx context.Context, q querier, query string, args ...any) ([]row, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	var out []row
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		r := make(row, len(cols))
		for i, c := range cols {
			r[c] = vals[i]
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// without copies r without the given columns.
func without(r row, without ...string) row {
	out := make(row, len(r))
	for c, v := range r {
		if !slices.Contains(without, c) {
			out[c] = v
		}
	}
	return out
}

// sameRows reports whether a and b hold the same values in every column
// but the ignored ones.
func sameRows(a, b row, ignore ...string) bool {
	if len(a) != len(b) {
		return false
	}
	for c, v := range a {
		if !slices.Contains(ignore, c) && !sameValue(v, b[c]) {
			return false
		}
	}
	return true
}

func sameHistory(a, b []row, ignore ...string) bool {
	return slices.EqualFunc(a, b, func(x, y row) bool { return sameRows(x, y, ignore...) })
}

// sameValue compares two values as database/sql reads them (an int, as a
// caller may give one, is the int64 it stores).
func sameValue(a, b any) bool {
	if x, ok := a.(int); ok {
		a = int64(x)
	}
	if y, ok := b.(int); ok {
		b = int64(y)
	}
	x, xb := a.([]byte)
	y, yb := b.([]byte)
	if xb || yb {
		return xb && yb && bytes.Equal(x, y)
	}
	return a == b
}
