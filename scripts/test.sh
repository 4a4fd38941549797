#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The whole test suite, from a fresh machine: installs what is missing, then
#  1. builds with gcc and runs every ctest test (unit, e2e),
#  2. builds with clang + ASan/UBSan + libFuzzer and runs unit, e2e and the
#     bounded fuzz runs,
#  3. builds every other CMake build type (Debug, Release, MinSizeRel) with
#     gcc and clang, warnings as errors, without running them,
#  4. checks the format of every C file.
# Ends with "N passed, N failed" and exits non-zero if anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh || { echo "setup failed"; exit 1; }

JOBS=$(nproc)
passed=0
failed=0
failures=()

step() {
	local name=$1
	shift
	echo "=== $name"
	if "$@"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		failures+=("$name")
	fi
}

# Counts ctest's own results into the summary, test by test.
run_ctest() {
	local dir=$1 log
	log=$(mktemp)
	ctest --test-dir "$dir" --output-on-failure -j1 2>&1 | tee "$log"
	local p f
	p=$(grep -cE '^ *[0-9]+/[0-9]+ Test +#[0-9]+: .* Passed' "$log")
	f=$(grep -cE '^ *[0-9]+/[0-9]+ Test +#[0-9]+: .*(\*\*\*|Failed|Not Run|Timeout)' "$log")
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$f" -gt 0 ] || ! grep -q '100% tests passed' "$log"; then
		failures+=("ctest in $dir")
		[ "$f" -gt 0 ] || failed=$((failed + 1))
	fi
	rm -f "$log"
}

build() {
	local dir=$1
	shift
	cmake -S . -B "$dir" -G Ninja "$@" >/dev/null && cmake --build "$dir" -j "$JOBS"
}

check_format() {
	local bad
	bad=$(git ls-files '*.c' '*.h' | xargs clang-format --dry-run --Werror 2>&1 | grep -c 'error:')
	[ "$bad" -eq 0 ] || { git ls-files '*.c' '*.h' | xargs clang-format --dry-run --Werror 2>&1 | head -20; return 1; }
}

if step "build (gcc)" build build -DCMAKE_C_COMPILER=gcc -DVS_WERROR=ON; then
	run_ctest build
fi
if step "build (clang, ASan+UBSan, fuzz)" build build-asan -DCMAKE_C_COMPILER=clang \
	-DSANITIZE=address,undefined -DVS_FUZZ=ON -DVS_WERROR=ON; then
	ASAN_OPTIONS=detect_leaks=1 run_ctest build-asan
fi
# Other optimisation levels bring other warnings (-O3's, -Os's): every build
# type must compile with both compilers (the test builds above are
# RelWithDebInfo with gcc and clang).
for cc in gcc clang; do
	for bt in Debug Release MinSizeRel; do
		step "build ($cc, $bt)" build "build-types/$cc-$bt" -DCMAKE_C_COMPILER=$cc \
			-DCMAKE_BUILD_TYPE=$bt -DVS_WERROR=ON
	done
done
step "clang-format" check_format

echo
if [ "${#failures[@]}" -gt 0 ]; then
	printf 'FAILED: %s\n' "${failures[@]}"
fi
echo "summary: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
