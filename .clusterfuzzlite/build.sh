#!/bin/bash -eu
# SPDX-License-Identifier: GPL-2.0-only
#
# ClusterFuzzLite / OSS-Fuzz build script (the base-builder image runs it as `compile`).
# Builds vmapfuzz's own libraries from source with $CXX $CXXFLAGS, configured with
# -DVMAPFUZZ_BUILD_TESTS=OFF: no GoogleTest, no RapidCheck, nothing prebuilt, so the image's
# -stdlib=libc++ works. Links each fuzz target with $LIB_FUZZING_ENGINE and puts into $OUT:
#   <target>_fuzz, <target>_fuzz_seed_corpus.zip (corpus/<target>/{seeds,regression} as fuzzer
#   bytes), <target>_fuzz.dict and <target>_fuzz.options.
# Checked without docker by ci/check-build-sh.

src=$SRC/vmapfuzz
cd "$src"
gen=()
if command -v ninja >/dev/null; then gen=(-G Ninja); fi

# The fuzzing engine's edge instrumentation skips the reference model and the oracle, as
# in the fuzz presets (cmake/sancov-ignorelist.txt).
flags=$CXXFLAGS
case "$CXXFLAGS" in
  *-fsanitize=fuzzer-no-link*|*-fsanitize-coverage=*)
    flags="$flags -fsanitize-coverage-ignorelist=$src/cmake/sancov-ignorelist.txt" ;;
esac

cmake -S "$src" -B "$WORK/build" "${gen[@]}" -DCMAKE_CXX_COMPILER="$CXX" -DCMAKE_C_COMPILER="$CC" \
  -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_C_FLAGS="${CFLAGS:-}" -DCMAKE_BUILD_TYPE= -DVMAPFUZZ_BUILD_TESTS=OFF
cmake --build "$WORK/build" --parallel "$(nproc)" --target vmapfuzz_fuzz_target
libs=("$WORK/build/fuzz/libvmapfuzz_fuzz_target.a" "$WORK/build/harness/libvmapfuzz_harness.a"
      "$WORK/build/reference/libvmapfuzz_reference.a" "$WORK/build/engine/libvmapfuzz_engine.a")

# An uninstrumented vmapfuzz tool, run here to turn the text traces into fuzzer bytes.
host_flags=
case " $CXXFLAGS " in *" -stdlib=libc++ "*) host_flags=-stdlib=libc++ ;; esac
cmake -S "$src" -B "$WORK/host" "${gen[@]}" -DCMAKE_CXX_COMPILER="$CXX" -DCMAKE_C_COMPILER="$CC" \
  -DCMAKE_CXX_FLAGS="$host_flags" -DCMAKE_BUILD_TYPE=Release -DVMAPFUZZ_BUILD_TESTS=OFF
cmake --build "$WORK/host" --parallel "$(nproc)" --target vmapfuzz
tool=$WORK/host/tools/vmapfuzz

for cc in fuzz/*_fuzz.cc; do
  name=$(basename "$cc" _fuzz.cc)
  fuzzer=${name}_fuzz
  # $flags and $LIB_FUZZING_ENGINE are lists of flags: split on purpose.
  # shellcheck disable=SC2086
  $CXX $flags -std=c++20 -I"$src" -c "$cc" -o "$WORK/$fuzzer.o"
  # shellcheck disable=SC2086
  $CXX $flags "$WORK/$fuzzer.o" -o "$OUT/$fuzzer" $LIB_FUZZING_ENGINE "${libs[@]}"

  seeds=$WORK/seeds/$name
  rm -rf "$seeds"
  mkdir -p "$seeds"
  for f in corpus/"$name"/seeds/* corpus/"$name"/regression/*; do
    [ -f "$f" ] || continue
    base=$(basename "$(dirname "$f")")-$(basename "$f")
    case "$f" in
      *.md) ;;
      *.trace) "$tool" convert --to-bytes --target "$name" "$f" -o "$seeds/${base%.trace}" ;;
      *) cp "$f" "$seeds/$base" ;;
    esac
  done
  rm -f "$OUT/${fuzzer}_seed_corpus.zip"
  if [ -n "$(ls -A "$seeds")" ]; then (cd "$seeds" && zip -q -r "$OUT/${fuzzer}_seed_corpus.zip" .); fi
  if [ -f "fuzz/$name.dict" ]; then cp "fuzz/$name.dict" "$OUT/$fuzzer.dict"; fi
  if [ -f "fuzz/$name.options" ]; then cp "fuzz/$name.options" "$OUT/$fuzzer.options"; fi
done
