/* Empty translation unit: mediasoup's meson.build needs static_library targets
 * for link_whole; the real code comes from Debian's shared libraries. */
typedef int parley_shim_unused_t;
