/* Parley: the libsrtp 3 API that mediasoup calls, on top of Debian's libsrtp 2.5.
 *
 * Debian ships libsrtp 2.5: protect/unprotect work in place with "int*"
 * lengths. mediasoup 3.16.1+ calls the libsrtp 3 API: separate input and
 * output buffers, size_t lengths, an mki_index argument, srtp_stream_remove()
 * and two new error codes. mediasoup 3.20+ also builds its sessions through
 * the libsrtp 3 policy API (srtp_policy_create() and friends); the shim's
 * meson.build defines PARLEY_SRTP_POLICY_API for those releases.
 *
 * Protect copies the input into the output buffer and protects in place; the
 * output capacity is checked against the exact trailer libsrtp 2 appends, as
 * libsrtp 3 does. MKI and cryptex are not supported: mediasoup uses neither. */
#ifndef PARLEY_SRTP_COMPAT_H
#define PARLEY_SRTP_COMPAT_H

#ifdef PARLEY_SRTP_POLICY_API
/* libsrtp 3's srtp_policy_t is an opaque handle; keep libsrtp 2's struct
 * under another name so the handle can take its place. */
#define srtp_policy_t parley_srtp2_policy_t
#include <srtp2/srtp.h>
#undef srtp_policy_t
#else
#include <srtp2/srtp.h>
#endif

#ifdef __cplusplus
#include <climits>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>

/* Error codes added in libsrtp 3, with libsrtp 3's values. */
constexpr srtp_err_status_t srtp_err_status_buffer_small = static_cast<srtp_err_status_t>(28);
constexpr srtp_err_status_t srtp_err_status_cryptex_err = static_cast<srtp_err_status_t>(29);

/* libsrtp 3 renamed srtp_remove_stream(); the ssrc is in network byte order. */
inline srtp_err_status_t srtp_stream_remove(srtp_t session, uint32_t ssrc)
{
  return srtp_remove_stream(session, ssrc);
}

constexpr size_t parley_srtp_max_in_len = static_cast<size_t>(INT_MAX) - SRTP_MAX_TRAILER_LEN - 4;

inline size_t parley_srtp_trailer_len(srtp_t ctx, bool rtcp)
{
  uint32_t len = 0;
  const srtp_err_status_t err = rtcp ? srtp_get_protect_rtcp_trailer_length(ctx, 0, 0, &len)
                                     : srtp_get_protect_trailer_length(ctx, 0, 0, &len);
  return err == srtp_err_status_ok ? len : SRTP_MAX_TRAILER_LEN + 4;
}

/* out_len carries the output capacity in and the protected length out. */
#define PARLEY_SRTP_PROTECT(fn, rtcp)                                                         \
  inline srtp_err_status_t fn(srtp_t ctx, const uint8_t* in, size_t in_len, uint8_t* out,   \
                              size_t* out_len, size_t mki_index)                            \
  {                                                                                         \
    (void)mki_index;                                                                        \
    if (in_len > parley_srtp_max_in_len)                                                    \
      return srtp_err_status_bad_param;                                                     \
    if (*out_len < in_len + parley_srtp_trailer_len(ctx, rtcp))                             \
      return srtp_err_status_buffer_small;                                                  \
    if (out != in)                                                                          \
      std::memmove(out, in, in_len);                                                        \
    int len = static_cast<int>(in_len);                                                     \
    const srtp_err_status_t err = ::fn(ctx, out, &len);                                     \
    if (err == srtp_err_status_ok)                                                          \
      *out_len = static_cast<size_t>(len);                                                  \
    return err;                                                                             \
  }

#define PARLEY_SRTP_UNPROTECT(fn)                                                             \
  inline srtp_err_status_t fn(srtp_t ctx, const uint8_t* in, size_t in_len, uint8_t* out,   \
                              size_t* out_len)                                              \
  {                                                                                         \
    if (in_len > static_cast<size_t>(INT_MAX))                                              \
      return srtp_err_status_bad_param;                                                     \
    if (out != in)                                                                          \
    {                                                                                       \
      if (*out_len < in_len)                                                                \
        return srtp_err_status_buffer_small;                                                \
      std::memmove(out, in, in_len);                                                        \
    }                                                                                       \
    int len = static_cast<int>(in_len);                                                     \
    const srtp_err_status_t err = ::fn(ctx, out, &len);                                     \
    if (err == srtp_err_status_ok)                                                          \
      *out_len = static_cast<size_t>(len);                                                  \
    return err;                                                                             \
  }

PARLEY_SRTP_PROTECT(srtp_protect, false)
PARLEY_SRTP_PROTECT(srtp_protect_rtcp, true)
PARLEY_SRTP_UNPROTECT(srtp_unprotect)
PARLEY_SRTP_UNPROTECT(srtp_unprotect_rtcp)
#undef PARLEY_SRTP_PROTECT
#undef PARLEY_SRTP_UNPROTECT

#ifdef PARLEY_SRTP_POLICY_API
/* libsrtp 3 policy API. srtp_create(srtp_t*, srtp_policy_t) binds to
 * libsrtp 2's srtp_create(srtp_t*, const parley_srtp2_policy_t*). */
typedef parley_srtp2_policy_t* srtp_policy_t;

struct parley_srtp_policy
{
  parley_srtp2_policy_t policy; /* must stay first: the handle points here */
  unsigned char key[SRTP_MAX_KEY_LEN];
  bool profile_set;
  bool key_set;
};

inline parley_srtp_policy* parley_srtp_policy_of(srtp_policy_t handle)
{
  return reinterpret_cast<parley_srtp_policy*>(handle);
}

inline srtp_err_status_t srtp_policy_create(srtp_policy_t* handle)
{
  if (!handle)
    return srtp_err_status_bad_param;
  auto* wrapper = new (std::nothrow) parley_srtp_policy{};
  if (!wrapper)
    return srtp_err_status_alloc_fail;
  wrapper->policy.window_size = 128;
  *handle = &wrapper->policy;
  return srtp_err_status_ok;
}

inline void srtp_policy_destroy(srtp_policy_t handle)
{
  delete parley_srtp_policy_of(handle);
}

inline srtp_err_status_t srtp_policy_set_ssrc(srtp_policy_t handle, srtp_ssrc_t ssrc)
{
  if (!handle)
    return srtp_err_status_bad_param;
  handle->ssrc = ssrc;
  return srtp_err_status_ok;
}

inline srtp_err_status_t srtp_policy_set_profile(srtp_policy_t handle, srtp_profile_t profile)
{
  if (!handle)
    return srtp_err_status_bad_param;
  srtp_err_status_t err = srtp_crypto_policy_set_from_profile_for_rtp(&handle->rtp, profile);
  if (err == srtp_err_status_ok)
    err = srtp_crypto_policy_set_from_profile_for_rtcp(&handle->rtcp, profile);
  if (err == srtp_err_status_ok)
    parley_srtp_policy_of(handle)->profile_set = true;
  return err;
}

/* libsrtp 2 wants key and salt concatenated in one buffer of exactly
 * cipher_key_len bytes; the wrapper owns that buffer. */
inline srtp_err_status_t srtp_policy_add_key(srtp_policy_t handle, const uint8_t* key, size_t key_len,
                                             const uint8_t* salt, size_t salt_len, const uint8_t* mki,
                                             size_t mki_len)
{
  (void)mki;
  auto* wrapper = parley_srtp_policy_of(handle);
  if (!wrapper || !key || (salt_len && !salt) || mki_len != 0 || wrapper->key_set || !wrapper->profile_set)
    return srtp_err_status_bad_param;
  if (key_len + salt_len > sizeof(wrapper->key) ||
      key_len + salt_len != static_cast<size_t>(wrapper->policy.rtp.cipher_key_len))
    return srtp_err_status_bad_param;
  std::memcpy(wrapper->key, key, key_len);
  if (salt_len)
    std::memcpy(wrapper->key + key_len, salt, salt_len);
  wrapper->policy.key = wrapper->key;
  wrapper->key_set = true;
  return srtp_err_status_ok;
}

inline srtp_err_status_t srtp_policy_set_allow_repeat_tx(srtp_policy_t handle, bool allow)
{
  if (!handle)
    return srtp_err_status_bad_param;
  handle->allow_repeat_tx = allow ? 1 : 0;
  return srtp_err_status_ok;
}

inline srtp_err_status_t srtp_policy_set_window_size(srtp_policy_t handle, size_t window_size)
{
  if (!handle || window_size < 64 || window_size >= 0x8000)
    return srtp_err_status_bad_param;
  handle->window_size = static_cast<unsigned long>(window_size);
  return srtp_err_status_ok;
}
#endif /* PARLEY_SRTP_POLICY_API */

#endif /* __cplusplus */
#endif /* PARLEY_SRTP_COMPAT_H */
