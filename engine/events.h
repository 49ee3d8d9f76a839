// SPDX-License-Identifier: GPL-2.0-only
// What a call did besides its return value (the event records of
// common/events.h, under namespace engine) and the engine's cost counters.
// The harness compares the events with the reference's prediction.
#pragma once

#include "common/events.h"
#include "engine/types.h"

namespace vmapfuzz::engine {

using common::bug_name;
using common::BugId;
using common::Flush;
using common::flush_name;
using common::FlushKind;
using common::Outcome;
using common::Warn;
using common::warn_name;
using common::WarnId;

using common::PGTBL_P4D_MODIFIED;
using common::PGTBL_PGD_MODIFIED;
using common::PGTBL_PMD_MODIFIED;
using common::PGTBL_PTE_MODIFIED;
using common::PGTBL_PUD_MODIFIED;

inline constexpr unsigned kContBatchBuckets = 9;

// Kernel-cost counters, cumulative over the life of a Kernel. These are the
// quantities the series changes (walks and arch calls), used by bench/.
struct Counters {
  u64 walks = 0;  // top-down walks started at pgd_offset_k()
  u64 set_pte_at = 0;
  u64 set_huge_pte_at = 0;
  u64 pmd_set_huge = 0;
  u64 pud_set_huge = 0;
  u64 descriptors_written = 0;
  u64 flushes = 0;
  u64 set_huge_refused = 0;  // x86 pXd_set_huge refused on a non-uniform MTRR range
  // What was written and cleared, for semantic coverage reports.
  // set_huge_pte_at of 1, 2, 4, ... 128 CONT-PTE groups, the last bucket
  // also counting anything larger (a PMD_SIZE batch is never legal).
  u64 cont_batches[kContBatchBuckets] = {};
  u64 pmd_blocks = 0;         // PMD blocks written
  u64 pud_blocks = 0;         // PUD blocks written
  u64 pte_tables_freed = 0;   // by pmd_free_pte_page (a block replaces a table)
  u64 pmd_tables_freed = 0;   // by pud_free_pmd_page
  u64 unmap_blocks = 0;       // blocks cleared by vunmap
  u64 unmap_cont_groups = 0;  // CONT groups cleared whole by vunmap
  u64 unmap_ptes = 0;         // valid single PTEs cleared by vunmap
};

}  // namespace vmapfuzz::engine
