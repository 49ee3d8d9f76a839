#!/bin/bash -eu
# SPDX-License-Identifier: Apache-2.0
# projects/vmapfuzz/build.sh for google/oss-fuzz, whose presubmit requires this licence
# (http://www.apache.org/licenses/LICENSE-2.0) on the files under projects/.
# The build lives in the vmapfuzz repository, next to the code it builds; it is the one
# ClusterFuzzLite runs, and ci/check-build-sh --libcxx runs it through this file.
bash -eux "$SRC/vmapfuzz/.clusterfuzzlite/build.sh"
