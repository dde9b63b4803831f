// A small pool of blocking worker threads for the elementwise kernels. Workers sleep on a condition
// variable between jobs so that they never compete with OpenBLAS's own threads for the cores, and
// take chunks of a job as they come: when the cores are busy with other work, the calling thread
// finishes a job by itself rather than wait for a worker to be scheduled.
#pragma once
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace native {

class ThreadPool {
 public:
  static ThreadPool& instance();

  /** Threads used by parallelFor, the caller included. */
  size_t threads() const { return workers_.size() + 1; }

  /** Runs fn(begin, end) over [0, n) in contiguous chunks of at least `grain`, on up to threads(). */
  void parallelFor(size_t n, size_t grain, const std::function<void(size_t, size_t)>& fn);

  ~ThreadPool();

 private:
  struct Job {
    const std::function<void(size_t, size_t)>* fn;
    size_t n;
    size_t chunks;
    std::atomic<size_t> next{0};
    std::atomic<size_t> done{0};
    std::mutex mutex;
    std::condition_variable finished;
  };

  explicit ThreadPool(size_t threads);
  void workerLoop();
  static void work(Job& job);

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::mutex runMutex_;
  std::shared_ptr<Job> job_;
  unsigned long generation_ = 0;
  bool stop_ = false;
};

}  // namespace native
