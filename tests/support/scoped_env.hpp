// An environment variable set for one scope and unset again however the scope ends (a failed
// ASSERT returns early): the switches HEDGEMAP_SCALAR_CPU, HEDGEMAP_CUDA_DEVICE_MOMENTS and
// HEDGEMAP_EMULATE_DEVICE_REDUCTION are read at each run.
#pragma once
#include <stdlib.h>

#include <string>

namespace hedgemap::test_support {

class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) { ::setenv(name, value, 1); }
  ~ScopedEnv() { ::unsetenv(name_.c_str()); }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  std::string name_;
};

}  // namespace hedgemap::test_support
