// Debian installs OpenBLAS's cblas.h under a per-variant include directory that
// pkg-config (openblas) adds to the search path.
#include <cblas.h>
