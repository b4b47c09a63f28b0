// Self-test of shims/libsrtp/compat/srtp.h against Debian's libsrtp 2.5.
// Compiled twice by srtp-compat-selftest.sh: with PARLEY_SRTP_POLICY_API
// (sessions built through the libsrtp 3 policy API, as mediasoup 3.20+ does)
// and without it (a filled policy struct, as mediasoup 3.16.1-3.19.x does).
#include <srtp.h>

#include <arpa/inet.h>
#include <cstdio>
#include <cstring>

static int failures = 0;

#define CHECK(cond)                                                   \
  do                                                                  \
  {                                                                   \
    if (!(cond))                                                      \
    {                                                                 \
      std::printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);     \
      failures++;                                                     \
    }                                                                 \
  } while (0)

struct Suite
{
  const char* name;
  srtp_profile_t profile;
  size_t keyAndSaltLength;
};

static srtp_t createSession(const Suite& suite, srtp_ssrc_type_t direction, const uint8_t* master)
{
  srtp_t session = nullptr;
  srtp_ssrc_t ssrc{};
  ssrc.type = direction;
#ifdef PARLEY_SRTP_POLICY_API
  srtp_policy_t policy = nullptr;
  const size_t keyLength = srtp_profile_get_master_key_length(suite.profile);
  const size_t saltLength = srtp_profile_get_master_salt_length(suite.profile);
  CHECK(srtp_policy_create(&policy) == srtp_err_status_ok);
  CHECK(srtp_policy_set_ssrc(policy, ssrc) == srtp_err_status_ok);
  CHECK(srtp_policy_set_profile(policy, suite.profile) == srtp_err_status_ok);
  CHECK(srtp_policy_add_key(policy, master, keyLength, master + keyLength, saltLength, nullptr, 0) ==
        srtp_err_status_ok);
  // A second key would need MKI, which is not supported.
  CHECK(srtp_policy_add_key(policy, master, keyLength, master + keyLength, saltLength, nullptr, 0) ==
        srtp_err_status_bad_param);
  CHECK(srtp_policy_set_allow_repeat_tx(policy, true) == srtp_err_status_ok);
  CHECK(srtp_policy_set_window_size(policy, 1024) == srtp_err_status_ok);
  CHECK(srtp_create(&session, policy) == srtp_err_status_ok);
  srtp_policy_destroy(policy);
#else
  srtp_policy_t policy{};
  CHECK(srtp_crypto_policy_set_from_profile_for_rtp(&policy.rtp, suite.profile) == srtp_err_status_ok);
  CHECK(srtp_crypto_policy_set_from_profile_for_rtcp(&policy.rtcp, suite.profile) == srtp_err_status_ok);
  policy.ssrc = ssrc;
  policy.key = const_cast<uint8_t*>(master);
  policy.window_size = 1024;
  policy.allow_repeat_tx = 1;
  CHECK(srtp_create(&session, &policy) == srtp_err_status_ok);
#endif
  return session;
}

static void makeRtp(uint8_t* packet, size_t length, uint8_t seq)
{
  const uint8_t header[12] = { 0x80, 100, 0, seq, 0, 0, 0, seq, 0x12, 0x34, 0x56, 0x78 };
  std::memcpy(packet, header, sizeof(header));
  for (size_t i = sizeof(header); i < length; i++)
    packet[i] = static_cast<uint8_t>(i);
}

static void runSuite(const Suite& suite)
{
  uint8_t master[64];
  for (size_t i = 0; i < sizeof(master); i++)
    master[i] = static_cast<uint8_t>(i * 7 + 1);
  CHECK(srtp_profile_get_master_key_length(suite.profile) + srtp_profile_get_master_salt_length(suite.profile) ==
        suite.keyAndSaltLength);

  srtp_t sender = createSession(suite, ssrc_any_outbound, master);
  srtp_t receiver = createSession(suite, ssrc_any_inbound, master);

  // Round trip with separate buffers, then the same packet again: replay.
  for (uint8_t seq = 0; seq < 5; seq++)
  {
    uint8_t plain[200];
    makeRtp(plain, sizeof(plain), seq);
    uint8_t protectedPacket[400];
    size_t protectedLength = sizeof(protectedPacket);
    CHECK(srtp_protect(sender, plain, sizeof(plain), protectedPacket, &protectedLength, 0) == srtp_err_status_ok);
    CHECK(protectedLength > sizeof(plain) && protectedLength <= sizeof(plain) + SRTP_MAX_TRAILER_LEN);
    CHECK(std::memcmp(protectedPacket + 12, plain + 12, sizeof(plain) - 12) != 0);

    uint8_t replayCopy[400];
    std::memcpy(replayCopy, protectedPacket, protectedLength);

    uint8_t decrypted[400];
    size_t decryptedLength = sizeof(decrypted);
    CHECK(srtp_unprotect(receiver, protectedPacket, protectedLength, decrypted, &decryptedLength) ==
          srtp_err_status_ok);
    CHECK(decryptedLength == sizeof(plain) && std::memcmp(decrypted, plain, sizeof(plain)) == 0);

    // In place, as mediasoup decrypts.
    size_t replayLength = protectedLength;
    CHECK(srtp_unprotect(receiver, replayCopy, protectedLength, replayCopy, &replayLength) ==
          srtp_err_status_replay_fail);
    if (seq == 0)
      std::printf("%s: RTP 200 -> %zu bytes\n", suite.name, protectedLength);
  }

  // A flipped payload bit fails authentication.
  {
    uint8_t plain[100];
    makeRtp(plain, sizeof(plain), 99);
    uint8_t packet[300];
    size_t length = sizeof(packet);
    CHECK(srtp_protect(sender, plain, sizeof(plain), packet, &length, 0) == srtp_err_status_ok);
    packet[50] ^= 1;
    size_t outLength = length;
    CHECK(srtp_unprotect(receiver, packet, length, packet, &outLength) == srtp_err_status_auth_fail);
  }

  // The output must hold the exact trailer: one byte less is refused.
  {
    uint8_t plain[100];
    makeRtp(plain, sizeof(plain), 100);
    uint32_t trailer = 0;
    CHECK(srtp_get_protect_trailer_length(sender, 0, 0, &trailer) == srtp_err_status_ok);
    uint8_t packet[300];
    size_t length = sizeof(plain) + trailer - 1;
    CHECK(srtp_protect(sender, plain, sizeof(plain), packet, &length, 0) == srtp_err_status_buffer_small);
    length = sizeof(plain) + trailer;
    CHECK(srtp_protect(sender, plain, sizeof(plain), packet, &length, 0) == srtp_err_status_ok);
    CHECK(length == sizeof(plain) + trailer);
  }

  // SRTCP round trip (a sender report).
  {
    const uint8_t report[28] = { 0x80, 200, 0, 6, 0x12, 0x34, 0x56, 0x78 };
    uint8_t packet[300];
    size_t length = sizeof(packet);
    CHECK(srtp_protect_rtcp(sender, report, sizeof(report), packet, &length, 0) == srtp_err_status_ok);
    size_t outLength = length;
    CHECK(srtp_unprotect_rtcp(receiver, packet, length, packet, &outLength) == srtp_err_status_ok);
    CHECK(outLength == sizeof(report) && std::memcmp(packet, report, sizeof(report)) == 0);
  }

  CHECK(srtp_stream_remove(sender, htonl(0x12345678)) == srtp_err_status_ok);
  CHECK(srtp_stream_remove(sender, htonl(0x12345678)) == srtp_err_status_no_ctx);
  srtp_dealloc(sender);
  srtp_dealloc(receiver);
}

int main()
{
  CHECK(srtp_init() == srtp_err_status_ok);
  std::printf("%s, %s API\n", srtp_get_version_string(),
#ifdef PARLEY_SRTP_POLICY_API
              "policy"
#else
              "struct"
#endif
  );
  const Suite suites[] = {
    { "AES_CM_128_HMAC_SHA1_80", srtp_profile_aes128_cm_sha1_80, 30 },
    { "AES_CM_128_HMAC_SHA1_32", srtp_profile_aes128_cm_sha1_32, 30 },
    { "AEAD_AES_128_GCM", srtp_profile_aead_aes_128_gcm, 28 },
    { "AEAD_AES_256_GCM", srtp_profile_aead_aes_256_gcm, 44 },
  };
  for (const Suite& suite : suites)
    runSuite(suite);
  CHECK(srtp_err_status_buffer_small == 28 && srtp_err_status_cryptex_err == 29);
  srtp_shutdown();
  std::printf(failures ? "SRTP COMPAT SELFTEST FAILED (%d)\n" : "SRTP COMPAT SELFTEST OK\n", failures);
  return failures != 0;
}
