// toml++'s implementation, compiled into the fuzz build (CMakeLists.txt, HEDGEMAP_FUZZ): the same
// Debian headers as the shared library, instrumented like the rest of the code.
#define TOML_IMPLEMENTATION
#include <toml++/toml.h>
