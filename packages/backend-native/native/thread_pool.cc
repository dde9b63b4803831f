#include "thread_pool.h"

namespace native {

ThreadPool& ThreadPool::instance() {
  static ThreadPool pool(std::max(1u, std::thread::hardware_concurrency()));
  return pool;
}

ThreadPool::ThreadPool(size_t threads) {
  for (size_t i = 1; i < threads; ++i) workers_.emplace_back([this] { workerLoop(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  for (auto& worker : workers_) worker.join();
}

// Takes chunks until none is left. A chunk is only taken while the job's caller is still waiting
// for it, so `fn` (on the caller's stack) is alive whenever it runs.
void ThreadPool::work(Job& job) {
  for (;;) {
    size_t i = job.next.fetch_add(1);
    if (i >= job.chunks) return;
    size_t begin = job.n * i / job.chunks;
    size_t end = job.n * (i + 1) / job.chunks;
    if (begin < end) (*job.fn)(begin, end);
    if (job.done.fetch_add(1) + 1 == job.chunks) {
      std::lock_guard<std::mutex> lock(job.mutex);
      job.finished.notify_all();
    }
  }
}

void ThreadPool::workerLoop() {
  unsigned long seen = 0;
  for (;;) {
    std::shared_ptr<Job> job;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [&] { return stop_ || generation_ != seen; });
      if (stop_) return;
      seen = generation_;
      job = job_;
    }
    if (job) work(*job);
  }
}

void ThreadPool::parallelFor(size_t n, size_t grain, const std::function<void(size_t, size_t)>& fn) {
  if (n == 0) return;
  size_t pieces = n / std::max<size_t>(1, grain);
  size_t chunks = std::min(threads() * 4, std::max<size_t>(1, pieces));
  if (chunks <= 1 || threads() == 1) {
    fn(0, n);
    return;
  }
  // One job at a time: calls from several JavaScript threads (workers) take turns.
  std::lock_guard<std::mutex> run(runMutex_);
  auto job = std::make_shared<Job>();
  job->fn = &fn;
  job->n = n;
  job->chunks = chunks;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    job_ = job;
    ++generation_;
  }
  wake_.notify_all();
  work(*job);
  std::unique_lock<std::mutex> lock(job->mutex);
  job->finished.wait(lock, [&] { return job->done.load() == job->chunks; });
}

}  // namespace native
