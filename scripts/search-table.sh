#!/usr/bin/env bash
# Compares random, Halton and TPE search on experiment files: each file is
# run with search.method random, halton and tpe under sweep seeds 1..SEEDS
# (--set), through `runner run`, into one database, and the table printed
# for each file gives, per method, over the seeds:
#
#   reach     the trials a search needs to reach the target, the median of
#             the best-of-search.trials values of the random searches (the
#             best of 100 random trials, for the shipped files): the median
#             over seeds, ">N" when more than half never reach it, with how
#             many seeds reached it
#   best@K    the mean over seeds of the best value after K trials
#
# A trial's value is the run's best validation accuracy after an epoch of
# training (higher is better; a pruned run counts with what it reached), or
# on a function dataset the value where the run ended (lower is better); a
# failed or diverged run has none. Trials count in sweep order.
#
#   scripts/search-table.sh [-seeds N] [-j J] [-db PATH] [-report] FILE...
#   scripts/search-table.sh experiments/search-rosenbrock.yaml experiments/search-beale.yaml
#   scripts/search-table.sh -j 2 experiments/ch6-hyperparams.yaml
#
# Without -db the database is a temporary file, removed at the end; with
# -db it is kept, and sweeps already recorded there (same name) are not run
# again, so an interrupted table can be finished by running the same
# command; -report prints the tables of the sweeps recorded in -db so far
# (the seeds whose three searches have all ended), running nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
seeds=10 jobs=2 db= report=
while [ $# -gt 0 ]; do
	case $1 in
	-seeds) seeds=$2; shift 2 ;;
	-j) jobs=$2; shift 2 ;;
	-db) db=$2; shift 2 ;;
	-report) report=1; shift ;;
	-*) echo "usage: $0 [-seeds N] [-j J] [-db PATH] [-report] FILE..." >&2; exit 2 ;;
	*) break ;;
	esac
done
[ $# -gt 0 ] || { echo "usage: $0 [-seeds N] [-j J] [-db PATH] [-report] FILE..." >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
[ -n "$db" ] || db=$tmp/search.db
go build -o "$tmp/runner" ./cmd/runner

methods="random halton tpe"
for file in "$@"; do
	base=$(basename "$file" .yaml)
	for ((seed = 1; seed <= seeds; seed++)); do # seeds outermost: a partial table compares the methods on the same seeds
		for method in $methods; do
			name=$base-$method-$seed
			if [ -n "$report" ] || { [ -f "$db" ] && [ "$("$tmp/runner" query -db "$db" --format csv \
				"SELECT count(*) FROM sweeps WHERE name = '$name' AND status IN ('done', 'failed')" | tail -1)" != 0 ]; }; then
				continue
			fi
			"$tmp/runner" run -quiet -resume -db "$db" -j "$jobs" --set "name=$name" --set "seed=$seed" \
				--set "search.method=$method" "$file" >/dev/null || [ $? -eq 1 ] # 1: some run diverged
		done
	done
	# One row per trial: method, seed, trial number, value (empty for none),
	# and whether lower is better.
	"$tmp/runner" query -db "$db" --format csv "
		SELECT substr(s.name, length('$base') + 2, instr(substr(s.name, length('$base') + 2), '-') - 1) AS method,
			s.seed, row_number() OVER (PARTITION BY s.id ORDER BY r.id) AS trial,
			CASE WHEN r.dataset = 'function' THEN
				CASE WHEN r.status = 'done' THEN (SELECT train_loss FROM epochs e WHERE e.run_id = r.id ORDER BY epoch DESC LIMIT 1) END
			ELSE
				CASE WHEN r.status IN ('done', 'pruned') THEN (SELECT max(val_acc) FROM epochs e WHERE e.run_id = r.id AND epoch > 0) END
			END AS value,
			r.dataset = 'function' AS lower
		FROM sweeps s JOIN runs r ON r.sweep_id = s.id
		WHERE s.name GLOB '$base-*-[0-9]*' AND s.status IN ('done', 'failed')
		ORDER BY s.id, r.id" > "$tmp/trials.csv"
	echo "$base: the seeds of the sweeps recorded (reach: how many reached the target, of how many)"
	awk -F, -v methods="$methods" '
	function better(a, b) { return lower ? a < b : a > b }
	function median(arr, n,   i, j, t) { # sorts arr[1..n]
		for (i = 2; i <= n; i++) for (j = i; j > 1 && arr[j-1] > arr[j]; j--) { t = arr[j]; arr[j] = arr[j-1]; arr[j-1] = t }
		return n % 2 ? arr[(n+1)/2] : (arr[n/2] + arr[n/2+1]) / 2
	}
	NR == 1 { next }
	{
		m = $1; s = $2; k = $3 + 0; lower = $5 + 0
		seen[m, s] = 1; if (!(s in seedset)) { seedset[s] = 1; nseeds++ }
		if (k > trials) trials = k
		val[m, s, k] = $4
	}
	END {
		n = split(methods, ms, " ")
		for (s in seedset) for (i = 1; i <= n; i++) if (!((ms[i], s) in seen)) { delete seedset[s]; break }
		# best so far after each trial
		for (i = 1; i <= n; i++) for (s in seedset) {
			m = ms[i]; have = 0
			for (k = 1; k <= trials; k++) {
				v = val[m, s, k]
				if (v != "" && (!have || better(v + 0, b))) { b = v + 0; have = 1 }
				best[m, s, k] = have ? b : ""
			}
		}
		c = 0
		for (s in seedset) if (("random", s) in seen && best["random", s, trials] != "") tgt[++c] = best["random", s, trials]
		target = median(tgt, c)
		printf "target: %.6g, the median over seeds of the best of %d random trials (%s is better)\n", target, trials, lower ? "lower" : "higher"
		split("20 50 100", at, " ")
		printf "%-8s %14s", "method", "reach"
		for (j = 1; j <= 3; j++) if (at[j] <= trials) printf " %14s", "best@" at[j]
		printf "\n"
		for (i = 1; i <= n; i++) {
			m = ms[i]; c = 0; reached = 0
			for (s in seedset) {
				if (!((m, s) in seen)) continue
				r = trials + 1
				for (k = 1; k <= trials; k++) if (best[m, s, k] != "" && !better(target, best[m, s, k])) { r = k; break }
				if (r <= trials) reached++
				reach[++c] = r
			}
			med = median(reach, c)
			printf "%-8s %14s", m, (med > trials ? ">" trials : sprintf("%g", med)) sprintf(" (%d/%d)", reached, c)
			for (j = 1; j <= 3; j++) {
				if (at[j] > trials) continue
				sum = 0; cnt = 0
				for (s in seedset) if ((m, s) in seen && best[m, s, at[j]] != "") { sum += best[m, s, at[j]]; cnt++ }
				printf " %14.6g", cnt ? sum / cnt : 0
			}
			printf "\n"
		}
	}' "$tmp/trials.csv"
	echo
done
