// Splitting a range of entries over threads: the caller's thread takes the first part, one
// std::thread each the others (a part is milliseconds of work; starting a thread, tens of
// microseconds). Parts are contiguous and in index order, so a loop whose state runs in index
// order (TIES's ties at the threshold) can be given each part's starting state.
#pragma once
#include <cstddef>
#include <functional>

namespace merge_loops {

/** Threads a merge uses: MERGEBENCH_MERGE_THREADS, else the machine's cores (at most 8). */
int thread_count();
void set_thread_count(int threads);

/** How many parts [0, n) is split into: one per thread, none shorter than `min_part` entries. */
int parts_for(size_t n, size_t min_part);

/** Calls fn(part, begin, end) for `parts` contiguous parts of [from, to), concurrently. */
void run_parts(int parts, size_t from, size_t to, const std::function<void(int, size_t, size_t)>& fn);

}  // namespace merge_loops
