/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What mm/memory.c's slices (the pageattr unit's apply_to_page_range()
 * chain) see differently from the slices before them. kernel/extract.py
 * includes it just before the first mm/memory.c slice, so the arm64 files
 * before it (6.1's find_num_contig() in hugetlbpage.c) keep kshim_61.h's
 * pgd_offset(). Written for vmapfuzz from the API contracts.
 */
#ifndef VMAPFUZZ_KSHIM_MEMORY_H
#define VMAPFUZZ_KSHIM_MEMORY_H

/* __apply_to_page_range() starts its walk with pgd_offset(mm, addr): every
 * mm here is init_mm, and the walk counts as one for the counters, as the
 * walks that start at pgd_offset_k() do (engine/pageattr.cc). */
#undef pgd_offset
#define pgd_offset(mm, a) ((void)(mm), pgd_offset_k(a))

#endif /* VMAPFUZZ_KSHIM_MEMORY_H */
