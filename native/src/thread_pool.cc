// A small fixed pool of worker threads. parallel_for hands out indices from an atomic counter;
// the calling thread works too, so threads = 1 means no worker at all. Workers sleep on a
// condition variable between calls and are joined by shutdown_pool (an N-API cleanup hook),
// without which a live pool would keep Node from exiting.
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "bertlab.h"

namespace bertlab {

namespace {

struct Pool {
  std::vector<std::thread> workers;
  std::mutex mu;
  std::condition_variable wake, done;
  const std::function<void(int64_t)>* job = nullptr;
  int64_t total = 0;
  std::atomic<int64_t> next{0};
  int busy = 0;            // workers still inside the current job
  uint64_t generation = 0;  // bumped for every job, so a worker never runs one twice
  bool stopping = false;
};

Pool pool;
int wanted = 1;

void run_share(const std::function<void(int64_t)>& fn, int64_t total) {
  for (int64_t i = pool.next.fetch_add(1); i < total; i = pool.next.fetch_add(1)) fn(i);
}

void worker_loop() {
  uint64_t seen = 0;
  for (;;) {
    const std::function<void(int64_t)>* fn;
    int64_t total;
    {
      std::unique_lock<std::mutex> lock(pool.mu);
      pool.wake.wait(lock, [&] { return pool.stopping || pool.generation != seen; });
      if (pool.stopping) return;
      seen = pool.generation;
      fn = pool.job;
      total = pool.total;
    }
    run_share(*fn, total);
    {
      std::lock_guard<std::mutex> lock(pool.mu);
      if (--pool.busy == 0) pool.done.notify_one();
    }
  }
}

}  // namespace

void shutdown_pool() {
  {
    std::lock_guard<std::mutex> lock(pool.mu);
    pool.stopping = true;
  }
  pool.wake.notify_all();
  for (auto& t : pool.workers) t.join();
  pool.workers.clear();
  pool.stopping = false;
}

void set_threads(int n) {
  if (n < 1) n = 1;
  if (n > 256) n = 256;
  if (n == wanted && (int)pool.workers.size() == n - 1) return;
  shutdown_pool();
  wanted = n;
  for (int i = 0; i < n - 1; i++) pool.workers.emplace_back(worker_loop);
}

int threads() { return wanted; }

void parallel_for(int64_t n, const std::function<void(int64_t)>& fn) {
  if (n <= 0) return;
  if (pool.workers.empty() || n == 1) {
    for (int64_t i = 0; i < n; i++) fn(i);
    return;
  }
  {
    std::lock_guard<std::mutex> lock(pool.mu);
    pool.job = &fn;
    pool.total = n;
    pool.next.store(0);
    pool.busy = (int)pool.workers.size();
    pool.generation++;
  }
  pool.wake.notify_all();
  run_share(fn, n);
  std::unique_lock<std::mutex> lock(pool.mu);
  pool.done.wait(lock, [] { return pool.busy == 0; });
  pool.job = nullptr;
}

}  // namespace bertlab

namespace bertlab {

void parallel_rows(int64_t rows, int64_t width, const std::function<void(int64_t, int64_t)>& fn) {
  const int64_t per = std::max<int64_t>(1, 16384 / std::max<int64_t>(1, width));
  const int64_t chunks = (rows + per - 1) / per;
  parallel_for(chunks, [&](int64_t c) { fn(c * per, std::min(rows, (c + 1) * per)); });
}

}  // namespace bertlab
