// The C++ program of the packaging tests: two std::threads call a virtual
// method that increments a member with no lock (a data race), or under a
// std::mutex when built with -DLOCKED. The object is built and destroyed
// around the threads, so its vptr writes (__tsan_vptr_update) must not be
// reported either way.
#include <ccheck/annotations.h>
#include <cstdio>
#include <mutex>
#include <thread>

namespace {

struct Counter {
    virtual ~Counter() = default;
    virtual void add() = 0;
    long value = 0;
};

struct PlainCounter final : Counter {
    std::mutex lock;
    void add() override
    {
#ifdef LOCKED
        std::lock_guard<std::mutex> held(lock);
#endif
        value++; // package-check: race
    }
};

void count(Counter *c)
{
    for (int i = 0; i < 1000; i++)
        c->add();
}

} // namespace

int main()
{
    Counter *c = new PlainCounter;
    std::thread a(count, c), b(count, c);
    a.join();
    b.join();
    std::printf("counter %ld\n", c->value);
    delete c;
    return 0;
}
