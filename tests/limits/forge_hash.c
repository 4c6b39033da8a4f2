/* The save-file checksum, compiled into the limits tests so they can write
 * save files whose counts and lengths are forged but whose checksums are
 * right: the loader's own bounds, not the checksum, must refuse them. */
#include "core/hash.c"
