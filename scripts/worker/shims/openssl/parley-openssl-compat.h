/* Parley: make mediasoup's DTLS BIO callback safe with Debian's OpenSSL.
 *
 * mediasoup hooks the DTLS output BIO with BIO_set_callback_ex() to send
 * each datagram as OpenSSL writes it. Its callback answers 1 to every
 * operation that is not a write, including the "after" half of BIO_ctrl().
 * Debian builds OpenSSL with kernel TLS (enable-ktls; upstream's default and
 * mediasoup's own OpenSSL build leave it off), so libssl asks the BIO
 * BIO_get_ktls_send(), gets 1 back from that callback, skips allocating its
 * record write buffer, and the worker crashes with SIGSEGV writing the
 * ServerHello (do_dtls1_write, NULL buffer) on the first DTLS handshake.
 *
 * This header is force-included into mediasoup's sources. It routes
 * BIO_set_callback_ex() through an adapter that hands mediasoup's callback
 * only the write operations and answers every other operation the way a BIO
 * without a callback would. mediasoup's sources stay untouched. */
#ifndef PARLEY_OPENSSL_COMPAT_H
#define PARLEY_OPENSSL_COMPAT_H

#include <openssl/bio.h>

static inline int parley_bio_callback_index(void)
{
  static int index = -1;
  if (index < 0)
    index = BIO_get_ex_new_index(0, NULL, NULL, NULL, NULL);
  return index;
}

static inline long parley_bio_write_only_callback(BIO* bio, int operation, const char* argp, size_t len,
                                                  int argi, long argl, int ret, size_t* processed)
{
  if ((operation & ~BIO_CB_RETURN) == BIO_CB_WRITE)
  {
    BIO_callback_fn_ex callback = (BIO_callback_fn_ex)BIO_get_ex_data(bio, parley_bio_callback_index());
    if (callback)
      return callback(bio, operation, argp, len, argi, argl, ret, processed);
  }
  return (operation & BIO_CB_RETURN) ? (long)ret : 1L;
}

static inline void parley_bio_set_callback_ex(BIO* bio, BIO_callback_fn_ex callback)
{
  BIO_set_ex_data(bio, parley_bio_callback_index(), (void*)callback);
  (BIO_set_callback_ex)(bio, callback ? parley_bio_write_only_callback : NULL);
}

#define BIO_set_callback_ex(bio, callback) parley_bio_set_callback_ex((bio), (callback))

#endif /* PARLEY_OPENSSL_COMPAT_H */
