#!/usr/bin/env bash
# Times one training epoch of the book's network (784-100-100-100-100-10,
# ReLU, He, batch 100, all 60,000 images, float32, one thread) in runner and
# in the reference trainers of ../shared/bench (numpy and PyTorch), side by
# side in one run, interleaved, and prints the median seconds per epoch of
# each and their ratio. The machines are shared and noisy: only ratios
# measured together mean anything.
#
#   scripts/bench-vs-reference.sh [ROUNDS] [OPTIMIZERS...]
#
# OPTIMIZERS are any of runner's 13 (default: sgd adam), each timed at its
# default rate and parameters (BenchmarkEpoch's). The references: numpy,
# ../shared/bench/mlp_numpy.py for the book's four (sgd momentum adagrad
# adam) and scripts/mlp_numpy_modern.py for the other nine; PyTorch,
# ../shared/bench/mlp_torch.py for the book's four and
# scripts/mlp_torch_modern.py for nesterov rmsprop adamw amsgrad nadam
# radam. torch.optim has no lion, sf_sgd or sf_adamw: those have no torch
# column. Each round times runner (three one-epoch samples) then each
# reference (three epochs), one optimizer after the other, so the machine's
# drift falls on all alike. BENCH_DIR sets the folder of the shared
# references.
#
# Needs Debian's python3-numpy and python3-torch for the references
# (apt-get update; apt-get install -y python3-numpy python3-torch
# libopenblas0-pthread); a reference that cannot run is skipped with a note.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
shift || true
optimizers=("${@:-sgd adam}")
read -r -a optimizers <<< "${optimizers[*]}"
export BENCH_DIR=${BENCH_DIR:-$PWD/../shared/bench}
bench=$BENCH_DIR
dtype=${DTYPE:-float32}
py=/usr/bin/python3
# Each optimizer's default rate (internal/sweep's; the book's for its four).
declare -A lr=([sgd]=0.1 [momentum]=0.01 [nesterov]=0.01 [adagrad]=0.01 [rmsprop]=0.001 [adam]=0.001
	[adamw]=0.001 [amsgrad]=0.001 [nadam]=0.002 [radam]=0.001 [lion]=0.0001 [sf_sgd]=1 [sf_adamw]=0.0025)
for opt in "${optimizers[@]}"; do
	[ -n "${lr[$opt]:-}" ] || { echo "bench-vs-reference.sh: unknown optimizer $opt" >&2; exit 2; }
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go test -c -o "$tmp/train.test" ./internal/train/ >/dev/null

# ref IMPL OPT: the reference script that trains OPT with IMPL, if any.
ref() {
	case "$1/$2" in
	*/sgd | */momentum | */adagrad | */adam) echo "$bench/mlp_$1.py" ;;
	numpy/*) echo scripts/mlp_numpy_modern.py ;;
	torch/nesterov | torch/rmsprop | torch/adamw | torch/amsgrad | torch/nadam | torch/radam) echo scripts/mlp_torch_modern.py ;;
	esac
}
ref_ok() { # impl opt: does the reference run here?
	local f
	f=$(ref "$1" "$2")
	[ -n "$f" ] && [ -f "$f" ] && [ -f "$bench/mlp_$1.py" ] && "$py" -c "import $1" 2>/dev/null
}

for opt in "${optimizers[@]}"; do
	for impl in numpy torch; do
		if [ -z "$(ref "$impl" "$opt")" ]; then
			echo "note: $impl has no $opt (not in torch.optim); no $impl column for it" >&2
		elif ! ref_ok "$impl" "$opt"; then
			echo "note: the $impl reference for $opt cannot run here ($py, $bench); skipped" >&2
		fi
	done
done

for ((r = 1; r <= rounds; r++)); do
	for opt in "${optimizers[@]}"; do
		# runner: one epoch per sample; GOMAXPROCS=1 keeps it to one thread.
		GOMAXPROCS=1 "$tmp/train.test" -test.run XXX -test.bench "^BenchmarkEpoch\$/^$dtype\$/^$opt\$" -test.benchtime 1x -test.count 3 |
			awk '/s\/epoch/ { for (i = 1; i <= NF; i++) if ($(i+1) == "s/epoch") print $i; for (i = 1; i <= NF; i++) if ($(i+1) == "allocs/step") print $i > "/dev/stderr" }' \
			>> "$tmp/runner-$opt" 2>> "$tmp/allocs-$opt"
		for impl in numpy torch; do
			ref_ok "$impl" "$opt" || continue
			env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$py" "$(ref "$impl" "$opt")" --optimizer "$opt" \
				--lr "${lr[$opt]}" --epochs 3 --dtype "$dtype" --threads 1 2>/dev/null |
				sed -n 's/^epoch=.* train_s=\([0-9.]*\).*/\1/p' >> "$tmp/$impl-$opt"
		done
	done
done

median() { sort -g "$1" | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

ratio() { [ "$2" = - ] && echo - || awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", a / b }'; }

echo "one epoch, $dtype, one thread; medians of $rounds rounds (samples: runner/numpy/torch)"
printf '%-9s %7s %9s %9s %9s %12s %12s %11s\n' optimizer lr runner numpy torch runner/numpy runner/torch allocs/step
for opt in "${optimizers[@]}"; do
	[ -s "$tmp/runner-$opt" ] || { echo "bench-vs-reference.sh: BenchmarkEpoch/$dtype/$opt gave no timing" >&2; exit 1; }
	base=$(median "$tmp/runner-$opt")
	declare -A m=() n=()
	for impl in numpy torch; do
		f="$tmp/$impl-$opt"
		m[$impl]=-
		n[$impl]=0
		if [ -s "$f" ]; then
			m[$impl]=$(median "$f")
			n[$impl]=$(wc -l < "$f")
		fi
	done
	printf '%-9s %7s %8.3fs %9s %9s %12s %12s %11s   (%d/%d/%d)\n' "$opt" "${lr[$opt]}" "$base" \
		"${m[numpy]}" "${m[torch]}" "$(ratio "$base" "${m[numpy]}")" "$(ratio "$base" "${m[torch]}")" \
		"$(sort -u "$tmp/allocs-$opt" | paste -sd, -)" "$(wc -l < "$tmp/runner-$opt")" "${n[numpy]}" "${n[torch]}"
done
