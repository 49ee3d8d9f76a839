# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# The one reader of fuzz/<target>.options, sourced by ci/fuzz, ci/nightly and ci/check-build-sh.
# An .options file is what ClusterFuzzLite and OSS-Fuzz read next to a fuzzer
# ($OUT/<target>_fuzz.options, copied there by .clusterfuzzlite/build.sh); its [libfuzzer]
# section holds "key = value" lines, each a libFuzzer flag -key=value (other sections, e.g.
# [asan], are the runner's and are skipped here).

# libfuzzer_options FILE [DICT]: the [libfuzzer] section of FILE as libFuzzer flags, one
# -key=value a line, in file order. Its dict value names the dictionary as build.sh installs it
# ($OUT/<target>_fuzz.dict): DICT replaces it (ci/fuzz and ci/nightly pass fuzz/<target>.dict),
# else it is taken relative to FILE's folder (as in $OUT, ci/check-build-sh). Prints nothing for
# a missing FILE; returns 2 with a message naming the line for a line it cannot read.
libfuzzer_options() {
  local file=$1 dict=${2:-}
  [ -f "$file" ] || return 0
  awk -v dir="$(dirname "$file")" -v dict="$dict" -v file="$file" '
    { sub(/\r$/, "") }
    /^[ \t]*(#|$)/ { next }
    /^\[/ { sec = ($0 ~ /^\[libfuzzer\][ \t]*$/); next }
    !sec { next }
    {
      if ($0 !~ /^[ \t]*[a-z_]+[ \t]*=[ \t]*[^ \t]+[ \t]*$/) {
        printf "%s:%d: not a \"key = value\" line of [libfuzzer]: %s\n", file, NR, $0 > "/dev/stderr"
        bad = 1; exit
      }
      k = $0; sub(/^[ \t]*/, "", k); sub(/[ \t]*=.*/, "", k)
      v = $0; sub(/^[^=]*=[ \t]*/, "", v); sub(/[ \t]+$/, "", v)
      if (k == "dict") v = (dict != "" ? dict : dir "/" v)
      print "-" k "=" v
    }
    END { exit bad ? 2 : 0 }' "$file"
}

# target_libfuzzer_flags NAME: the flags of fuzz/NAME.options with its dictionary as
# fuzz/NAME.dict; for a target without an .options file, -dict=fuzz/NAME.dict if there is one.
# Paths are relative to the top of the repository (the scripts cd there).
target_libfuzzer_flags() {
  if [ -f "fuzz/$1.options" ]; then
    libfuzzer_options "fuzz/$1.options" "fuzz/$1.dict"
  elif [ -f "fuzz/$1.dict" ]; then
    echo "-dict=fuzz/$1.dict"
  fi
}
