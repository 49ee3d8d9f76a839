#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Rules of the source tree that a compiler does not check (ctest: source.rules):
#   ops     every dispatch over ops is an exhaustive std::visit (harness/visit.h): no
#           std::get_if / std::holds_alternative on an op type outside test/
#   docs    comments and docs point into the repository, never to documents outside it
# usage: source_rules.sh REPO
set -euo pipefail
repo=$1
cd "$repo"
fails=0

hits=$(git grep -nE '(get_if|holds_alternative)<(harness::)?[A-Za-z]+Op>' -- \
         ':!test/' ':!test/source_rules.sh' || true)
if [ -n "$hits" ]; then
  echo "FAIL ops: dispatch over ops with get_if/holds_alternative; use an exhaustive std::visit:"
  echo "$hits"
  fails=$((fails + 1))
fi

# (The pattern is spelled so that this file does not match it itself.)
hits=$(git grep -nIiE 'kernel[-]brief|[.][.]/shared|shared/(DESIGN|STYLE|TOOLCHAIN)[.]md|seed[-]v4-cover' ||
       true)
if [ -n "$hits" ]; then
  echo "FAIL docs: references to documents outside the repository (write it into docs/):"
  echo "$hits"
  fails=$((fails + 1))
fi

[ "$fails" -eq 0 ] || exit 1
echo "source rules: ok"
