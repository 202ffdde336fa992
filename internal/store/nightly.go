package store

import (
	"context"
	"fmt"
	"strings"
)

// ReopenSweep marks an unfinished sweep running again, its finished_at
// cleared, so that a resumed `runner run` can train its remaining runs.
func (db *DB) ReopenSweep(ctx context.Context, sweepID int64) error {
	res, err := db.db.ExecContext(ctx, `UPDATE sweeps SET status = 'running', finished_at = NULL WHERE id = ?`, sweepID)
	if err != nil {
		return fmt.Errorf("store: reopen sweep %d: %w", sweepID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("store: reopen sweep %d: %w", sweepID, err)
	} else if n == 0 {
		return fmt.Errorf("store: reopen sweep %d: %w", sweepID, ErrNotFound)
	}
	return nil
}

// SweepIDs returns the ids of the sweeps with the given name (of every name
// when name is ""), newest first.
func (db *DB) SweepIDs(ctx context.Context, name string) ([]int64, error) {
	query, args := `SELECT id FROM sweeps ORDER BY id DESC`, []any{}
	if name != "" {
		query, args = `SELECT id FROM sweeps WHERE name = ? ORDER BY id DESC`, []any{name}
	}
	rows, err := db.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: list sweeps: %w", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("store: list sweeps: %w", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list sweeps: %w", err)
	}
	return ids, nil
}

// SweepNames returns the distinct names of the sweeps, sorted.
func (db *DB) SweepNames(ctx context.Context) ([]string, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT DISTINCT name FROM sweeps ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("store: sweep names: %w", err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, fmt.Errorf("store: sweep names: %w", err)
		}
		names = append(names, n)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: sweep names: %w", err)
	}
	return names, nil
}

// DeleteSweeps deletes the sweeps with the given ids, with their runs and
// epochs, in one transaction: either all of them go or none.
func (db *DB) DeleteSweeps(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: delete sweeps: %w", err)
	}
	defer tx.Rollback()
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	in := strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",")
	// Epochs and runs go by ON DELETE CASCADE; deleting them explicitly
	// first keeps this correct even on a connection without foreign keys.
	for _, q := range []string{
		`DELETE FROM layer_stats WHERE run_id IN (SELECT id FROM runs WHERE sweep_id IN (` + in + `))`,
		`DELETE FROM path WHERE run_id IN (SELECT id FROM runs WHERE sweep_id IN (` + in + `))`,
		`DELETE FROM steps WHERE run_id IN (SELECT id FROM runs WHERE sweep_id IN (` + in + `))`,
		`DELETE FROM epochs WHERE run_id IN (SELECT id FROM runs WHERE sweep_id IN (` + in + `))`,
		`DELETE FROM runs WHERE sweep_id IN (` + in + `)`,
		`DELETE FROM sweeps WHERE id IN (` + in + `)`,
	} {
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("store: delete sweeps: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: delete sweeps: %w", err)
	}
	return nil
}

// Vacuum rebuilds the database file to return the space of deleted rows to
// the file system.
func (db *DB) Vacuum(ctx context.Context) error {
	if _, err := db.db.ExecContext(ctx, `VACUUM`); err != nil {
		return fmt.Errorf("store: vacuum: %w", err)
	}
	return nil
}

// PruneName is what PruneSweeps does to the sweeps of one name.
type PruneName struct {
	Name    string
	Sweeps  int     // how many it has
	Deleted []int64 // the ids of those deleted (or, in a dry run, to be), newest first
}

// PruneSweeps deletes all but the newest keep sweeps of each name, or of
// name only when it is not "", in one transaction (DeleteSweeps), and says
// what it deleted per name. With dryRun it deletes nothing and says what it
// would delete; it then only reads, so a read-only DB will do.
func (db *DB) PruneSweeps(ctx context.Context, keep int, name string, dryRun bool) ([]PruneName, error) {
	if keep < 0 {
		return nil, fmt.Errorf("store: prune: keep must be >= 0 (got %d)", keep)
	}
	names := []string{name}
	if name == "" {
		var err error
		if names, err = db.SweepNames(ctx); err != nil {
			return nil, err
		}
	}
	var out []PruneName
	var doomed []int64
	for _, n := range names {
		ids, err := db.SweepIDs(ctx, n)
		if err != nil {
			return nil, err
		}
		p := PruneName{Name: n, Sweeps: len(ids)}
		if len(ids) > keep {
			p.Deleted = ids[keep:]
			doomed = append(doomed, p.Deleted...)
		}
		out = append(out, p)
	}
	if dryRun {
		return out, nil
	}
	return out, db.DeleteSweeps(ctx, doomed)
}
